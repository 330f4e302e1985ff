package io.callbridge.web;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks the shared secret MyOperator sends: header {@code X-Webhook-Token}, {@code Authorization: Bearer …},
 * or query parameter {@code token} (a relay may strip headers). Comparison is constant-time over SHA-256
 * digests, so neither the content nor the length of the secret leaks through timing.
 */
@ApplicationScoped
public class WebhookAuthenticator {

    /** Why a delivery was refused; null reason means accepted. The secret itself is never part of it. */
    public record Verdict(boolean accepted, String reason) {
    }

    private final Optional<byte[]> expected;

    @Inject
    public WebhookAuthenticator(CallbridgeConfig config) {
        this(config.webhookToken());
    }

    WebhookAuthenticator(Optional<String> token) {
        this.expected = token.map(String::trim).filter(t -> !t.isEmpty()).map(WebhookAuthenticator::sha256);
    }

    public Verdict check(String headerToken, String authorization, String queryToken) {
        if (expected.isEmpty()) {
            return new Verdict(false, "the server has no CALLBRIDGE_WEBHOOK_TOKEN configured, so it accepts no webhook");
        }
        String presented = firstPresent(headerToken, bearer(authorization), queryToken);
        if (presented == null) {
            return new Verdict(false, "missing webhook token (X-Webhook-Token header, Authorization: Bearer, or ?token=)");
        }
        if (!MessageDigest.isEqual(expected.get(), sha256(presented.trim()))) {
            return new Verdict(false, "wrong webhook token");
        }
        return new Verdict(true, null);
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).trim() : null;
    }

    private static String firstPresent(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
