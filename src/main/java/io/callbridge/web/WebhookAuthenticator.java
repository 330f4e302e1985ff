package io.callbridge.web;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Checks the shared secret MyOperator sends: header {@code X-Webhook-Token}, {@code Authorization: Bearer …},
 * or query parameter {@code token} (a relay may strip headers).
 */
@ApplicationScoped
public class WebhookAuthenticator {
    private final SharedSecret secret;

    @Inject
    public WebhookAuthenticator(CallbridgeConfig config) {
        this(config.webhookToken());
    }

    WebhookAuthenticator(Optional<String> token) {
        this.secret = new SharedSecret(token, "CALLBRIDGE_WEBHOOK_TOKEN",
                "webhook token (X-Webhook-Token header, Authorization: Bearer, or ?token=)");
    }

    SharedSecret.Verdict check(String headerToken, String authorization, String queryToken) {
        SharedSecret.Verdict v = secret.check(headerToken, SharedSecret.bearer(authorization), queryToken);
        return v.accepted() || !"wrong token".equals(v.reason()) ? v : new SharedSecret.Verdict(false, "wrong webhook token");
    }
}
