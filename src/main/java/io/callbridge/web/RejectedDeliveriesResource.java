package io.callbridge.web;

import io.callbridge.ledger.RejectedDeliveries;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.List;

/**
 * {@code GET /admin/rejected?limit=50}: authenticated deliveries that could not be parsed, newest first, with
 * the reason, the original length and the first 4 KiB of the body, so an admin can see what was sent and deliver it again after a fix.
 */
@Path("/admin/rejected")
@Produces(MediaType.APPLICATION_JSON)
public class RejectedDeliveriesResource {
    static final int MAX_LIMIT = 200;

    @RegisterForReflection
    public record RejectedList(int count, List<RejectedDeliveries.Rejected> deliveries) {
    }

    /** Characters of each stored body shown in the list (the store keeps up to 64 KiB). */
    static final int PREVIEW = 4096;

    @Inject
    AdminAuth admin;

    @Inject
    RejectedDeliveries rejected;

    @Inject
    Clock clock;

    @GET
    public Response list(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
            @QueryParam("limit") String limit) {
        Response refused = admin.refuse(token, auth);
        if (refused != null) {
            return refused;
        }
        int n;
        try {
            n = limit == null || limit.isBlank() ? 50 : Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(limit.trim())));
        } catch (NumberFormatException e) {
            return ErrorMappers.json(400, WebhookResponse.rejected("limit must be a whole number from 1 to " + MAX_LIMIT));
        }
        List<RejectedDeliveries.Rejected> items = rejected.newest(n, clock.instant()).stream()
                .map(RejectedDeliveriesResource::preview).toList();
        return Response.ok(new RejectedList(items.size(), items)).build();
    }

    private static RejectedDeliveries.Rejected preview(RejectedDeliveries.Rejected r) {
        String body = r.body() == null || r.body().length() <= PREVIEW ? r.body() : r.body().substring(0, PREVIEW);
        return new RejectedDeliveries.Rejected(r.id(), r.receivedAt(), r.contentType(), r.status(), r.reason(),
                r.bodyLength(), body);
    }
}
