package io.callbridge.web;

import io.callbridge.ledger.IgnoredEventLog;
import io.callbridge.myoperator.CallDelivery;
import io.callbridge.myoperator.IgnoredEvent;
import io.callbridge.myoperator.InvalidWebhookException;
import io.callbridge.myoperator.MyOperatorWebhookParser;
import io.callbridge.myoperator.WebhookDelivery;
import io.callbridge.processing.CallOutcome;
import io.callbridge.processing.CallProcessor;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;

/**
 * {@code POST /webhooks/myoperator}: every MyOperator call webhook (v1 after-call as form or JSON, v2 events)
 * lands here. Authenticate, parse, hand the call to the processor, answer with what happened.
 */
@Path("/webhooks/myoperator")
public class MyOperatorWebhookResource {

    @Inject
    WebhookAuthenticator authenticator;

    @Inject
    MyOperatorWebhookParser parser;

    @Inject
    CallProcessor processor;

    @Inject
    IgnoredEventLog ignoredEvents;

    @Inject
    DeliveryLog log;

    @Inject
    Clock clock;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam("X-Webhook-Token") String headerToken,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("token") String queryToken,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            byte[] body) {
        long started = System.nanoTime();
        SharedSecret.Verdict verdict = authenticator.check(headerToken, authorization, queryToken);
        if (!verdict.accepted()) {
            log.rejected(401, verdict.reason());
            return ErrorMappers.json(401, WebhookResponse.rejected(verdict.reason()));
        }
        WebhookDelivery delivery;
        try {
            delivery = parser.parse(contentType, body == null ? new byte[0] : body);
        } catch (InvalidWebhookException e) {
            log.rejected(400, e.getMessage());
            return ErrorMappers.json(400, WebhookResponse.rejected(e.getMessage()));
        }
        if (delivery instanceof IgnoredEvent ignored) {
            ignoredEvents.record(ignored.eventId(), ignored.eventType(), ignored.sessionId(), ignored.reason(),
                    clock.instant());
            log.ignored(ignored);
            return Response.ok(new WebhookResponse("ignored", ignored.sessionId(), null, null, null,
                    ignored.eventType(), ignored.reason(), null)).build();
        }
        CallDelivery call = (CallDelivery) delivery;
        CallOutcome outcome = processor.process(call.call(), call.eventId());
        log.processed(call, outcome, (System.nanoTime() - started) / 1_000_000);
        return answer(call, outcome);
    }

    private static Response answer(CallDelivery delivery, CallOutcome o) {
        String status = o.kind().name().toLowerCase(java.util.Locale.ROOT);
        WebhookResponse body = new WebhookResponse(status, o.callKey(), o.personId(), o.dealId(), o.activityId(),
                delivery.eventType(), o.detail(), null);
        return switch (o.kind()) {
            case LOGGED, DUPLICATE, SKIPPED, IGNORED -> Response.ok(body).build();
            // Accepted: the call is in the ledger and will be logged; MyOperator need not (but may) deliver again.
            case PARKED -> Response.accepted(new WebhookResponse(status, o.callKey(), o.personId(), o.dealId(),
                    o.activityId(), delivery.eventType(),
                    "accepted; Pipedrive could not take the call just now, the replay logs it from where this stopped",
                    o.detail())).build();
            case ACCEPTED, FAILED -> Response.accepted(body).build();
        };
    }
}
