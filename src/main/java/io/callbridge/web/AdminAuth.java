package io.callbridge.web;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

/**
 * The admin routes' check: {@code CALLBRIDGE_ADMIN_TOKEN} in header {@code X-Admin-Token} or
 * {@code Authorization: Bearer …} (never a query parameter: URLs end up in logs).
 */
@ApplicationScoped
public class AdminAuth {
    private final SharedSecret secret;

    @Inject
    DeliveryLog log;

    @Inject
    public AdminAuth(CallbridgeConfig config) {
        this.secret = new SharedSecret(config.adminToken(), "CALLBRIDGE_ADMIN_TOKEN", "admin token",
                "X-Admin-Token header or Authorization: Bearer");
    }

    /** Null when the request may pass, else the 401 answer to return. */
    public Response refuse(String token, String authorization) {
        SharedSecret.Verdict v = secret.check(token, SharedSecret.bearer(authorization));
        if (v.accepted()) {
            return null;
        }
        log.rejected(401, "admin route: " + v.reason());
        return ErrorMappers.json(401, WebhookResponse.rejected(v.reason()));
    }
}
