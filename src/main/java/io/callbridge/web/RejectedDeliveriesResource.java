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
 * the reason and the (truncated) body, so an admin can see what was sent and deliver it again after a fix.
 */
@Path("/admin/rejected")
@Produces(MediaType.APPLICATION_JSON)
public class RejectedDeliveriesResource {
    static final int MAX_LIMIT = 200;

    @RegisterForReflection
    public record RejectedList(int count, List<RejectedDeliveries.Rejected> deliveries) {
    }

    @Inject
    AdminAuth admin;

    @Inject
    RejectedDeliveries rejected;

    @Inject
    Clock clock;

    @GET
    public Response list(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
            @QueryParam("limit") Integer limit) {
        Response refused = admin.refuse(token, auth);
        if (refused != null) {
            return refused;
        }
        int n = limit == null ? 50 : Math.max(1, Math.min(MAX_LIMIT, limit));
        List<RejectedDeliveries.Rejected> items = rejected.newest(n, clock.instant());
        return Response.ok(new RejectedList(items.size(), items)).build();
    }
}
