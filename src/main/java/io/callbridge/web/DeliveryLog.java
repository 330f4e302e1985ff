package io.callbridge.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.call.Text;
import io.callbridge.ledger.DynamoDbUsage;
import io.callbridge.myoperator.CallDelivery;
import io.callbridge.myoperator.IgnoredEvent;
import io.callbridge.pipedrive.PipedriveUsage;
import io.callbridge.processing.CallOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * One JSON log line per delivery: what came in, what was decided, which Pipedrive objects it touched.
 * Phone numbers are masked to their last four digits; no token and no raw body is ever logged.
 */
@ApplicationScoped
public class DeliveryLog {
    private static final Logger LOG = Logger.getLogger("callbridge.delivery");

    @Inject
    ObjectMapper json;

    @Inject
    CallMetrics metrics;

    /**
     * The line of a processed call. {@code nanos} is the time the delivery took in the handler; the line splits it
     * into the time spent inside Pipedrive requests, waiting around them ({@code pipedriveWaitMillis}: back-off,
     * Retry-After, a slot under the shared rate limits), inside DynamoDB requests, and the rest ({@code ownMillis}: parsing, deciding, JSON, logging,
     * garbage collection, waiting for a CPU).
     */
    public void processed(CallDelivery delivery, CallOutcome outcome, long nanos) {
        long millis = nanos / 1_000_000;
        Call call = delivery.call();
        ObjectNode line = json.createObjectNode()
                .put("event", "call")
                .put("outcome", outcome.kind().name().toLowerCase(java.util.Locale.ROOT))
                .put("callId", call.callKey())
                .put("eventId", delivery.eventId())
                .put("eventType", delivery.eventType())
                .put("direction", call.direction().name().toLowerCase(java.util.Locale.ROOT))
                .put("callStatus", call.status().name().toLowerCase(java.util.Locale.ROOT))
                .put("customer", Text.maskPhone(call.customerNumber()))
                .put("rule", outcome.rule())
                .put("ownerRule", outcome.ownerRule())
                .put("millis", millis);
        PipedriveUsage.Usage usage = PipedriveUsage.current();
        DynamoDbUsage.Usage dynamo = DynamoDbUsage.current();
        line.put("pipedriveRequests", usage.requests()).put("pipedriveTokens", usage.tokens())
                .put("pipedriveMillis", tenths(usage.nanos())).put("pipedriveWaitMillis", tenths(usage.waitNanos()))
                .put("dynamoRequests", dynamo.requests()).put("dynamoMillis", tenths(dynamo.nanos()))
                .put("ownMillis", tenths(Math.max(0, nanos - usage.nanos() - usage.waitNanos() - dynamo.nanos())));
        Agent agent = call.ownerCandidate();
        if (agent != null && agent.myOperatorId() != null) {
            line.put("agentId", agent.myOperatorId());
        }
        putIfPresent(line, "personId", outcome.personId());
        putIfPresent(line, "dealId", outcome.dealId());
        putIfPresent(line, "activityId", outcome.activityId());
        if (outcome.detail() != null) {
            line.put("detail", outcome.detail());
        }
        switch (outcome.kind()) {
            case PARKED, FAILED -> LOG.warn(write(line));
            default -> LOG.info(write(line));
        }
        metrics.record(outcome.kind().name().toLowerCase(java.util.Locale.ROOT), usage, millis);
    }

    public void ignored(IgnoredEvent event) {
        LOG.info(write(json.createObjectNode().put("event", "ignored").put("eventId", event.eventId())
                .put("eventType", event.eventType()).put("reason", event.reason())));
        metrics.record("ignored", PipedriveUsage.current(), 0);
    }

    public void rejected(int status, String reason) {
        rejected(status, reason, null);
    }

    /** A refused request; {@code keptAs} is the id under which an authenticated delivery was kept, if it was. */
    public void rejected(int status, String reason, String keptAs) {
        ObjectNode line = json.createObjectNode().put("event", "rejected").put("status", status)
                .put("reason", maskNumbers(reason));
        if (keptAs != null) {
            line.put("keptAs", keptAs);
        }
        LOG.warn(write(line));
        metrics.record("rejected", PipedriveUsage.Usage.NONE, 0);
    }

    /** Masks every run of six or more digits (any script, with separators) in free text, keeping the last four. */
    static String maskNumbers(String text) {
        if (text == null) {
            return null;
        }
        return PHONE_LIKE.matcher(text).replaceAll(m -> Text.maskPhone(normaliseDigits(m.group())));
    }

    private static String normaliseDigits(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> out.append(Character.isDigit(c) ? (char) ('0' + Character.digit(c, 10)) : ' '));
        return out.toString();
    }

    private static final java.util.regex.Pattern PHONE_LIKE =
            java.util.regex.Pattern.compile("(?<![\\p{L}\\p{Nd}\\-])\\p{Nd}[\\p{Nd}\\s().+\\-]{4,}\\p{Nd}(?![\\p{L}\\p{Nd}\\-])");

    /** Milliseconds with one decimal, from nanoseconds. */
    static double tenths(long nanos) {
        return Math.round(nanos / 100_000.0) / 10.0;
    }

    private static void putIfPresent(ObjectNode line, String field, Long value) {
        if (value != null) {
            line.put(field, value);
        }
    }

    private static String write(ObjectNode line) {
        return line.toString(); // Jackson renders a node as compact JSON
    }
}
