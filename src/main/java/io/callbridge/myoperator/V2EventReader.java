package io.callbridge.myoperator;

import static io.callbridge.myoperator.JsonFields.id;
import static io.callbridge.myoperator.JsonFields.lenientNumber;
import static io.callbridge.myoperator.JsonFields.object;
import static io.callbridge.myoperator.JsonFields.objects;
import static io.callbridge.myoperator.JsonFields.quote;
import static io.callbridge.myoperator.JsonFields.scalar;
import static io.callbridge.myoperator.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.call.CallSource;
import io.callbridge.call.CallStatus;
import io.callbridge.call.Direction;
import io.callbridge.call.Text;
import io.callbridge.myoperator.CallNormaliser.RawNumber;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Reads a Webhook v2 envelope. Only {@code call.end} and {@code call.summary} describe a finished call;
 * every other well-formed event is acknowledged as an {@link IgnoredEvent}.
 */
final class V2EventReader {
    static final int MAX_LEGS = 50;

    private final CallNormaliser normaliser;

    V2EventReader(CallNormaliser normaliser) {
        this.normaliser = normaliser;
    }

    /** One {@code payload.legs[]} element; {@code agent} is null on customer legs. */
    private record Leg(JsonNode node, boolean isAgent, Agent agent) {
        boolean has(String field, String value) {
            String v = text(node, field);
            return v != null && v.equalsIgnoreCase(value);
        }

        Duration talkTime() throws InvalidWebhookException {
            return CallNormaliser.statedSeconds(lenientNumber(node, "talk_duration"),
                    "payload.legs[" + index() + "].talk_duration");
        }

        /** The leg's {@code leg_index} for an error message, if it is a plausible one (never echo a long value). */
        private String index() {
            String index = node.path("leg_index").asText("");
            return index.matches("\\d{1,4}") ? index : "?";
        }
    }

    WebhookDelivery read(JsonNode envelope) throws InvalidWebhookException {
        String eventType = id(envelope, "event_type", "event_type");
        if (eventType == null) {
            throw new InvalidWebhookException("missing event_type in the v2 event");
        }
        // Events we ignore are not held to the payload shape of call events.
        JsonNode anyPayload = envelope.get("payload");
        String sessionId = Text.firstNonBlank(id(envelope, "session_id", "session_id"),
                anyPayload != null && anyPayload.isObject() ? id(anyPayload, "id", "payload.id") : null);
        String eventId = Text.firstNonBlank(id(envelope, "event_id", "event_id"),
                sessionId != null ? sessionId + ":" + eventType : contentId(envelope, eventType));

        String ignored = ignoreReason(text(envelope, "channel"), eventType.toLowerCase(Locale.ROOT));
        if (ignored != null) {
            return new IgnoredEvent(eventId, eventType, sessionId, ignored);
        }
        JsonNode payload = object(envelope, "payload", "payload");
        if (payload == null) {
            throw new InvalidWebhookException("missing payload in the " + quote(eventType) + " event");
        }
        if (sessionId == null) {
            throw new InvalidWebhookException("missing call id: neither session_id nor payload.id is present");
        }
        return new CallDelivery(call(envelope, payload, sessionId), eventId, eventType);
    }

    /**
     * An id for an event that names neither itself nor its call (possible on non-call channels): the type
     * plus a digest of the content, so a redelivery of the same event gets the same id.
     */
    private static String contentId(JsonNode envelope, String eventType) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(envelope.toString().getBytes(StandardCharsets.UTF_8));
            return eventType + ":sha256:" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** Why an event is not acted on, or null for {@code call.end} / {@code call.summary}. */
    private static String ignoreReason(String channel, String type) {
        if (channel != null && !channel.equalsIgnoreCase("call")) {
            return "channel " + quote(channel) + " is not a call";
        }
        return switch (type) {
            case "call.end", "call.summary" -> null;
            case "call.initiated", "call.dial_begin", "call.answered" ->
                    "call still in progress; the call is logged from call.end / call.summary";
            case "call.disposition", "disposition" -> "dispositions are not logged";
            default -> type.startsWith("call.")
                    ? "unknown event type " + quote(type) + " ignored"
                    : "event type " + quote(type) + " is not a call event";
        };
    }

    private Call call(JsonNode envelope, JsonNode payload, String callKey) throws InvalidWebhookException {
        Direction direction = direction(envelope, payload);
        CallStatus status = status(payload);
        String customer = normaliser.customerNumber("payload.customer_number/customer_identifier",
                new RawNumber(scalar(payload, "customer_number", "payload.customer_number"), null),
                new RawNumber(scalar(envelope, "customer_identifier", "customer_identifier"), null));
        String startText = scalar(payload, "started_at", "payload.started_at");
        if (startText == null) {
            throw new InvalidWebhookException("missing payload.started_at");
        }
        Instant start = CallNormaliser.isoInstant(startText, "payload.started_at");
        String endText = scalar(payload, "ended_at", "payload.ended_at");
        Instant end = endText == null ? null : CallNormaliser.isoInstant(endText, "payload.ended_at");
        normaliser.checkWindow(start, "payload.started_at", end, "payload.ended_at");

        List<Leg> legs = legs(payload);
        List<Agent> tried = CallNormaliser.distinct(
                legs.stream().filter(Leg::isAgent).map(Leg::agent).filter(a -> a != null).toList());
        Leg answering = status == CallStatus.ANSWERED ? answeringLeg(legs) : null;
        Agent answeredBy = answering == null ? null : CallNormaliser.completedFrom(answering.agent(), tried);
        Duration talk = status == CallStatus.ANSWERED ? talkTime(answering, legs, payload) : Duration.ZERO;

        return new Call(callKey, callKey, CallSource.V2_EVENT, direction, status, customer,
                normaliser.phoneOrRaw(Text.firstNonBlank(text(payload, "did"), text(envelope, "system_identifier"))),
                start, end, talk, text(payload, "recording_filename"), answeredBy, tried,
                Text.firstNonBlank(text(payload, "department"), text(envelope, "department")),
                Text.firstNonBlank(text(payload, "caller_name"), text(payload, "customer_name"),
                        text(envelope, "customer_name")));
    }

    private static Direction direction(JsonNode envelope, JsonNode payload) throws InvalidWebhookException {
        String label = "payload.direction";
        String value = scalar(payload, "direction", label);
        if (value == null) {
            label = "direction";
            value = scalar(envelope, "direction", label);
        }
        if (value == null) {
            throw new InvalidWebhookException("missing direction (payload.direction/direction)");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "incoming", "inbound" -> Direction.INCOMING;
            case "outgoing", "outbound" -> Direction.OUTGOING;
            default -> throw new InvalidWebhookException(
                    label + " " + quote(value) + " is not a call direction (incoming or outgoing)");
        };
    }

    private static CallStatus status(JsonNode payload) throws InvalidWebhookException {
        String value = scalar(payload, "status", "payload.status");
        if (value == null) {
            throw new InvalidWebhookException("missing payload.status");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "bridged", "answered", "connected", "completed" -> CallStatus.ANSWERED;
            case "missed", "not_answered", "no_answer", "noanswer", "busy", "cancel", "failed" -> CallStatus.MISSED;
            case "voicemail" -> CallStatus.VOICEMAIL;
            default -> throw new InvalidWebhookException(
                    "payload.status " + quote(value) + " is not a known call status");
        };
    }

    private List<Leg> legs(JsonNode payload) throws InvalidWebhookException {
        List<Leg> legs = new ArrayList<>();
        for (JsonNode leg : objects(payload, "legs", "payload.legs", MAX_LEGS, "too many legs")) {
            boolean isAgent = "agent".equalsIgnoreCase(text(leg, "type"));
            legs.add(new Leg(leg, isAgent, isAgent ? agent(leg) : null));
        }
        return legs;
    }

    /** The leg's {@code agent} object (call.summary) or, without one (call.end), just the leg's phone. */
    private Agent agent(JsonNode leg) {
        String legPhone = text(leg, "phone_number");
        JsonNode a = leg.get("agent");
        if (a == null || !a.isObject()) {
            return CallNormaliser.agent(null, null, null, normaliser.phoneOrRaw(legPhone), null);
        }
        return CallNormaliser.agent(text(a, "uuid"), text(a, "name"), text(a, "email"),
                normaliser.phoneOrRaw(Text.firstNonBlank(text(a, "contact"), legPhone)), text(a, "extension"));
    }

    /** The last agent leg that answered; failing that, the last agent leg dialled ANSWER. */
    private static Leg answeringLeg(List<Leg> legs) {
        Leg answered = null;
        Leg dialAnswer = null;
        for (Leg leg : legs) {
            if (!leg.isAgent()) {
                continue;
            }
            if (leg.has("result", "answered")) {
                answered = leg;
            }
            if (leg.has("dial_status", "ANSWER")) {
                dialAnswer = leg;
            }
        }
        return answered != null ? answered : dialAnswer;
    }

    /** Talk time of an answered call: the answering agent's, else the customer leg's, else the whole duration. */
    private static Duration talkTime(Leg answering, List<Leg> legs, JsonNode payload) throws InvalidWebhookException {
        for (Leg leg : legs) {
            leg.talkTime(); // every stated talk time must make sense, used or not
        }
        Duration total = CallNormaliser.statedSeconds(lenientNumber(payload, "duration"), "payload.duration");
        if (answering != null && answering.talkTime() != null) {
            return answering.talkTime();
        }
        for (Leg leg : legs) {
            if (leg.has("type", "customer") && leg.talkTime() != null) {
                return leg.talkTime();
            }
        }
        return total == null ? Duration.ZERO : total;
    }
}
