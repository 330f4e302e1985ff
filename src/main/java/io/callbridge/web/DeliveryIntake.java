package io.callbridge.web;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.IgnoredEventLog;
import io.callbridge.ledger.RejectedDeliveries;
import io.callbridge.myoperator.CallDelivery;
import io.callbridge.myoperator.IgnoredEvent;
import io.callbridge.myoperator.InvalidWebhookException;
import io.callbridge.myoperator.MyOperatorWebhookParser;
import io.callbridge.myoperator.WebhookDelivery;
import io.callbridge.processing.CallOutcome;
import io.callbridge.processing.CallProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Locale;

/**
 * What happens to an authenticated delivery: limits, parsing, processing, and the answer. Shared by the webhook
 * and by an admin's replay of a kept rejected delivery.
 */
@ApplicationScoped
public class DeliveryIntake {

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

    @Inject
    CallbridgeConfig config;

    @Inject
    RejectedDeliveries rejectedDeliveries;

    /**
     * Takes one authenticated delivery. With {@code keepRejected}, a refused one is kept for GET /admin/rejected
     * (the webhook); without, it is only answered (an admin replaying a kept one).
     */
    public Response take(String contentType, byte[] bytes, long started, boolean keepRejected) {
        if (bytes.length > config.maxBodyBytes()) {
            return reject(keepRejected, 413, "body is " + bytes.length + " bytes, more than the " + config.maxBodyBytes()
                    + " accepted", contentType, bytes);
        }
        if (!acceptedContentType(contentType)) {
            return reject(keepRejected, 415, "unsupported content type \"" + shorten(contentType)
                    + "\": MyOperator sends application/json or application/x-www-form-urlencoded", contentType, bytes);
        }
        WebhookDelivery delivery;
        try {
            delivery = parser.parse(contentType, bytes);
        } catch (InvalidWebhookException e) {
            return reject(keepRejected, 400, e.getMessage(), contentType, bytes);
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
        log.processed(call, outcome, System.nanoTime() - started);
        return answer(call, outcome);
    }

    /**
     * Refuses an authenticated delivery and keeps it (truncated, expiring) so an admin can look at it and deliver
     * it again after a fix: nothing MyOperator sent with the right token is lost without a trace.
     */
    private Response reject(boolean keep, int status, String reason, String contentType, byte[] body) {
        String id = null;
        try {
            if (keep) {
                id = rejectedDeliveries.keep(contentType, body, status, reason, clock.instant());
            }
        } catch (RuntimeException storeDown) {
            log.rejected(status, "could not keep the rejected delivery: " + storeDown.getClass().getSimpleName());
        }
        log.rejected(status, reason, id);
        return ErrorMappers.json(status, WebhookResponse.rejected(reason));
    }

    private static boolean acceptedContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true; // sniffed by the parser
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/x-www-form-urlencoded") || type.equals("text/plain");
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    private static Response answer(CallDelivery delivery, CallOutcome o) {
        String status = o.kind().name().toLowerCase(Locale.ROOT);
        WebhookResponse body = new WebhookResponse(status, o.callKey(), o.personId(), o.dealId(), o.activityId(),
                delivery.eventType(), o.detail(), null);
        return switch (o.kind()) {
            case LOGGED, DUPLICATE, SKIPPED, IGNORED -> Response.ok(body).build();
            // Accepted: the call is in the ledger and will be logged; MyOperator need not (but may) deliver again.
            case PARKED -> Response.accepted(new WebhookResponse(status, o.callKey(), o.personId(), o.dealId(),
                    o.activityId(), delivery.eventType(),
                    "accepted; Pipedrive could not take the call just now, the replay logs it from where this stopped",
                    o.detail())).build();
            case ACCEPTED, FAILED, UNKNOWN -> Response.accepted(body).build();
        };
    }
}
