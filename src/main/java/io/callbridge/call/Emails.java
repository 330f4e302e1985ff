package io.callbridge.call;

import java.text.Normalizer;
import java.util.Locale;

/** E-mail addresses as Callbridge compares them everywhere (agents, Pipedrive users, the user mapping). */
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
