package io.callbridge.web;

import io.callbridge.ledger.DynamoDbUsage;
import io.callbridge.ledger.RejectedDeliveries;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import io.callbridge.pipedrive.PipedriveUsage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import java.nio.charset.StandardCharsets;
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
    DeliveryIntake intake;

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

    /**
     * {@code POST /admin/rejected/{id}/replay}: takes a kept delivery again, as if MyOperator had just sent it
     * (after a fix, or after a setting changed). Answers like the webhook; a delivery refused again is not kept twice.
     */
    @POST
    @Path("/{id}/replay")
    public Response replay(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
            @PathParam("id") String id) {
        Response refused = admin.refuse(token, auth);
        if (refused != null) {
            return refused;
        }
        long started = System.nanoTime();
        PipedriveUsage.reset();
        DynamoDbUsage.reset();
        return rejected.find(id, clock.instant())
                .map(r -> r.complete()
                        ? intake.take(r.contentType().isEmpty() ? null : r.contentType(),
                                r.body().getBytes(StandardCharsets.UTF_8), started, false)
                        : ErrorMappers.json(409, WebhookResponse.rejected("the kept body was cut at "
                                + RejectedDeliveries.MAX_STORED_BODY + " bytes; it cannot be delivered again")))
                .orElseGet(() -> ErrorMappers.json(404, WebhookResponse.rejected("no kept delivery with this id")));
    }

    private static RejectedDeliveries.Rejected preview(RejectedDeliveries.Rejected r) {
        String body = r.body() == null || r.body().length() <= PREVIEW ? r.body() : r.body().substring(0, PREVIEW);
        return new RejectedDeliveries.Rejected(r.id(), r.receivedAt(), r.contentType(), r.status(), r.reason(),
                r.bodyLength(), body);
    }
}
