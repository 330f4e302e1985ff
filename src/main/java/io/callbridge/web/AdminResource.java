package io.callbridge.web;

import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.CallRecord;
import io.callbridge.ledger.UserMappingStore;
import io.callbridge.mapping.SyncReport;
import io.callbridge.mapping.UserMapping;
import io.callbridge.processing.CallOutcome;
import io.callbridge.processing.ReplayService;
import io.callbridge.processing.UserSyncService;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Admin routes, protected by {@code CALLBRIDGE_ADMIN_TOKEN} (header {@code X-Admin-Token} or
 * {@code Authorization: Bearer …}; never a query parameter, URLs end up in logs):
 * <ul>
 * <li>{@code GET /admin/calls?status=parked|failed}: the calls not (yet) in Pipedrive, with the reason;</li>
 * <li>{@code POST /admin/replay}: try every parked call now;</li>
 * <li>{@code POST /admin/replay/{callId}}: try one call now (also a failed one);</li>
 * <li>{@code POST /admin/sync}: run the user sync now (MyOperator and Pipedrive users, matched by e-mail);</li>
 * <li>{@code GET /admin/mappings}: the user mapping and the last sync report.</li>
 * </ul>
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    /** The webhook function's timeout is 30 s: an on-demand replay leaves room to answer. */
    static final Duration ON_DEMAND_BUDGET = Duration.ofSeconds(20);
    static final int LIST_LIMIT = 500;

    @RegisterForReflection
    public record CallView(String callId, String state, String reason, int attempts, Instant receivedAt,
            Instant updatedAt, Instant nextTryAt, String direction, String rule, Long personId, Long dealId,
            Long activityId) {
        static CallView of(CallRecord r) {
            return new CallView(r.callKey(), r.state().name().toLowerCase(Locale.ROOT), r.lastError(), r.attempts(),
                    r.createdAt(), r.updatedAt(), r.nextTryAtMs() > 0 ? Instant.ofEpochMilli(r.nextTryAtMs()) : null,
                    r.call().direction().name().toLowerCase(Locale.ROOT), r.planRule(), r.personId(), r.dealId(),
                    r.activityId());
        }
    }

    @RegisterForReflection
    public record CallList(String status, int count, List<CallView> calls) {
    }

    @RegisterForReflection
    public record MappingList(int count, List<UserMapping> mappings, SyncReport lastSync) {
    }

    @Inject
    AdminAuth admin;

    @Inject
    UserSyncService sync;

    @Inject
    UserMappingStore mappings;

    @Inject
    CallLedger ledger;

    @Inject
    ReplayService replay;


    @GET
    @Path("/calls")
    public Response calls(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
            @QueryParam("status") String status) {
        Response refused = admin.refuse(token, auth);
        if (refused != null) {
            return refused;
        }
        String queue = status == null || status.isBlank() ? CallLedger.QUEUE_PARKED : status.trim().toLowerCase(Locale.ROOT);
        if (!queue.equals(CallLedger.QUEUE_PARKED) && !queue.equals(CallLedger.QUEUE_FAILED)) {
            return ErrorMappers.json(400, WebhookResponse.rejected("status must be parked or failed"));
        }
        List<CallView> calls = ledger.queued(queue, Long.MAX_VALUE, LIST_LIMIT).stream().map(CallView::of).toList();
        return Response.ok(new CallList(queue, calls.size(), calls)).build();
    }

    @POST
    @Path("/replay")
    public Response replayAll(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        Response refused = admin.refuse(token, auth);
        return refused != null ? refused : Response.ok(replay.replay(true, ON_DEMAND_BUDGET)).build();
    }

    @POST
    @Path("/replay/{callId}")
    public Response replayOne(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
            @PathParam("callId") String callId) {
        Response refused = admin.refuse(token, auth);
        if (refused != null) {
            return refused;
        }
        CallOutcome o = replay.replayOne(callId);
        WebhookResponse body = new WebhookResponse(o.kind().name().toLowerCase(Locale.ROOT), o.callKey(), o.personId(),
                o.dealId(), o.activityId(), null, o.detail(), null);
        return o.kind() == CallOutcome.Kind.UNKNOWN ? ErrorMappers.json(404, body) : Response.ok(body).build();
    }

    @POST
    @Path("/sync")
    public Response sync(@HeaderParam("X-Admin-Token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        Response refused = admin.refuse(token, auth);
        return refused != null ? refused : Response.ok(sync.sync()).build();
    }

    @GET
    @Path("/mappings")
    public Response mappings(@HeaderParam("X-Admin-Token") String token,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        Response refused = admin.refuse(token, auth);
        if (refused != null) {
            return refused;
        }
        List<UserMapping> rows = mappings.all().stream().map(UserMappingStore.Stored::row).toList();
        return Response.ok(new MappingList(rows.size(), rows, mappings.lastReport().orElse(null))).build();
    }

}
