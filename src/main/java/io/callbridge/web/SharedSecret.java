package io.callbridge.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * A configured secret and the check of a presented one: constant-time over SHA-256 digests, so neither the
 * content nor the length of the secret leaks through timing. The secret itself never appears in a message.
 */
final class SharedSecret {

    /** Whether a request was let in, and if not why (never containing the secret). */
    record Verdict(boolean accepted, String reason) {
        static final Verdict OK = new Verdict(true, null);
    }

    private final Optional<byte[]> expected;
    private final String setting;
    private final String name;
    private final String where;

    /**
     * @param setting the environment variable that configures it, named in the refusal when it is unset
     * @param name    what it is ("webhook token"), named in the refusals
     * @param where   how a client presents it, named in the refusal when nothing was presented
     */
    SharedSecret(Optional<String> secret, String setting, String name, String where) {
        this.expected = secret.map(String::trim).filter(t -> !t.isEmpty()).map(SharedSecret::sha256);
        this.setting = setting;
        this.name = name;
        this.where = where;
    }

    /** Whether one of the presented values (the first non-blank, as in {@link #check}) is this secret. */
    boolean matches(String... presented) {
        return check(presented).accepted();
    }

    /** Checks the first non-blank of the presented values (header, bearer, query ... in the caller's order). */
    Verdict check(String... presented) {
        if (expected.isEmpty()) {
            return new Verdict(false, "the server has no " + setting + " configured, so it accepts no request here");
        }
        String given = null;
        for (String p : presented) {
            if (p != null && !p.isBlank()) {
                given = p.trim();
                break;
            }
        }
        if (given == null) {
            return new Verdict(false, "missing " + name + " (" + where + ")");
        }
        return MessageDigest.isEqual(expected.get(), sha256(given)) ? Verdict.OK : new Verdict(false, "wrong " + name);
    }

    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).trim() : null;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
