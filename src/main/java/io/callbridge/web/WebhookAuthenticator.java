package io.callbridge.web;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Checks what MyOperator can send: the shared secret in header {@code X-Webhook-Token}, as
 * {@code Authorization: Bearer …}, as the password (or user) of HTTP Basic, or as query parameter {@code token}
 * (a relay may strip headers). During a rotation the previous token is accepted too. An optional allow-list of
 * source addresses applies before any token is looked at.
 */
@ApplicationScoped
public class WebhookAuthenticator {
    private final SharedSecret current;
    private final SharedSecret previous;
    private final SourceAddresses allowed;

    @Inject
    public WebhookAuthenticator(CallbridgeConfig config) {
        this(config.webhookToken(), config.webhookTokenPrevious(), config.webhookAllowedIps().orElse(List.of()));
    }

    WebhookAuthenticator(Optional<String> token, Optional<String> previousToken, List<String> allowedIps) {
        String where = "X-Webhook-Token header, Authorization: Bearer or Basic, or ?token=";
        this.current = new SharedSecret(token, "CALLBRIDGE_WEBHOOK_TOKEN", "webhook token", where);
        this.previous = new SharedSecret(previousToken, "CALLBRIDGE_WEBHOOK_TOKEN_PREVIOUS", "webhook token", where);
        this.allowed = new SourceAddresses(allowedIps);
    }

    SharedSecret.Verdict check(String sourceIp, String headerToken, String authorization, String queryToken) {
        if (!allowed.isEmpty() && !allowed.allows(sourceIp)) {
            return new SharedSecret.Verdict(false, "source address not allowed");
        }
        String[] presented = {headerToken, SharedSecret.bearer(authorization), basicSecret(authorization), queryToken};
        SharedSecret.Verdict v = current.check(presented);
        // during a rotation the previous token is accepted too (unset, it matches nothing)
        return !v.accepted() && previous.matches(presented) ? SharedSecret.Verdict.OK : v;
    }

    /** The secret of an HTTP Basic header: the password, or the user name when the password is empty. */
    static String basicSecret(String authorization) {
        if (authorization == null || !authorization.trim().regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.trim().substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return decoded;
            }
            String password = decoded.substring(colon + 1);
            return password.isEmpty() ? decoded.substring(0, colon) : password;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }
}
