package io.callbridge.mapping;

import java.text.Normalizer;
import java.util.Locale;

/** E-mail addresses as the user mapping compares them. */
public final class Emails {
    private Emails() {
    }

    /**
     * Trimmed, Unicode-normalised (NFKC: full-width and other compatibility forms become their plain letters),
     * lower case; null for null or blank.
     */
    public static String normalise(String email) {
        if (email == null) {
            return null;
        }
        String n = Normalizer.normalize(email.trim(), Normalizer.Form.NFKC).trim().toLowerCase(Locale.ROOT);
        return n.isEmpty() ? null : n;
    }
}
