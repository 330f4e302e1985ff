package io.callbridge.myoperator;

import static io.callbridge.myoperator.JsonFields.id;
import static io.callbridge.myoperator.JsonFields.number;
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
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a v1 "After Call" call log (short {@code _xx} keys, see the MyOperator reference) into a call. */
final class V1CallLogReader {
    static final int MAX_LEGS = 50;
    static final int MAX_AGENTS_PER_LEG = 50;

    /** {@code HH:MM:SS} (hours may exceed two digits) or {@code MM:SS}. */
    private static final Pattern HMS = Pattern.compile("(\\d{1,6}):(\\d{1,2})(?::(\\d{1,2}))?");

    private final CallNormaliser normaliser;

    V1CallLogReader(CallNormaliser normaliser) {
        this.normaliser = normaliser;
    }

    /** One {@code _ld} element: the agents it rang ({@code _rr}) and those it was transferred to ({@code _tt}). */
    private record Leg(JsonNode node, List<Agent> rang, List<Agent> transferredTo) {
        boolean has(String field, String value) {
            String v = text(node, field);
            return v != null && v.equalsIgnoreCase(value);
        }
    }

    CallDelivery read(JsonNode log) throws InvalidWebhookException {
        List<Leg> legs = legs(log);
        String sessionId = switchCallUid(log);
        String callKey = Text.firstNonBlank(id(log, "_ai", "_ai"), sessionId);
        if (callKey == null) {
            throw new InvalidWebhookException("missing call id: neither _ai nor _pm ui is present");
        }
        Direction direction = direction(log);
        CallStatus status = status(log);
        String customer = normaliser.customerNumber("_cl/_cr",
                new RawNumber(scalar(log, "_cl", "_cl"), null),
                new RawNumber(scalar(log, "_cr", "_cr"), scalar(log, "_cy", "_cy")));
        Instant start = start(log);
        BigDecimal endSeconds = number(log, "_et", "_et");
        // 0 is how an unset time looks in MyOperator's logs: treat it as absent rather than as 1970.
        Instant end = endSeconds == null || endSeconds.signum() == 0 ? null : CallNormaliser.epochSeconds(endSeconds, "_et");
        normaliser.checkWindow(start, "_st", end, "_et");

        List<Agent> tried = agentsTried(legs);
        Leg answering = status == CallStatus.ANSWERED ? answeringLeg(legs) : null;
        Agent answeredBy = answering == null || answering.rang().isEmpty()
                ? null
                : CallNormaliser.completedFrom(answering.rang().get(0), tried);
        Duration talk = answering == null ? Duration.ZERO : duration(text(answering.node(), "_dr"));

        Call call = new Call(callKey, sessionId, CallSource.V1_AFTER_CALL, direction, status, customer,
                companyNumber(legs), start, end, talk, text(log, "_fn"), answeredBy, tried,
                text(log, "_dn"), text(log, "_cm"));
        return new CallDelivery(call, callKey, CallDelivery.V1_AFTER_CALL);
    }

    private List<Leg> legs(JsonNode log) throws InvalidWebhookException {
        List<JsonNode> nodes = objects(log, "_ld", "_ld", MAX_LEGS, "too many legs");
        List<Leg> legs = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode leg = nodes.get(i);
            legs.add(new Leg(leg, agents(leg, "_rr", "_ld[" + i + "]._rr"), agents(leg, "_tt", "_ld[" + i + "]._tt")));
        }
        return legs;
    }

    private List<Agent> agents(JsonNode leg, String field, String label) throws InvalidWebhookException {
        List<Agent> out = new ArrayList<>();
        for (JsonNode a : objects(leg, field, label, MAX_AGENTS_PER_LEG, "too many agents")) {
            String phone = Text.firstNonBlank(text(a, "_nr"), text(a, "_ct"));
            Agent agent = CallNormaliser.agent(text(a, "_id"), text(a, "_na"), text(a, "_em"),
                    normaliser.phoneOrRaw(phone), text(a, "_ex"));
            if (agent != null) {
                out.add(agent);
            }
        }
        return out;
    }

    /** The switch call uid: the {@code vl} of the {@code _pm} entry whose {@code ky} is {@code ui}. */
    private static String switchCallUid(JsonNode log) throws InvalidWebhookException {
        for (JsonNode p : objects(log, "_pm", "_pm", Integer.MAX_VALUE, "too many parameters")) {
            if ("ui".equals(text(p, "ky"))) {
                return id(p, "vl", "_pm ui");
            }
        }
        return null;
    }

    private static Direction direction(JsonNode log) throws InvalidWebhookException {
        String ev = scalar(log, "_ev", "_ev");
        if (ev == null) {
            throw new InvalidWebhookException("missing _ev (call direction: 1 incoming, 2 outgoing)");
        }
        return switch (integerCode(ev)) {
            case "1" -> Direction.INCOMING;
            case "2" -> Direction.OUTGOING;
            default -> throw new InvalidWebhookException(
                    "_ev " + quote(ev) + " is not a call direction (1 incoming, 2 outgoing)");
        };
    }

    private static CallStatus status(JsonNode log) throws InvalidWebhookException {
        String su = scalar(log, "_su", "_su");
        if (su == null) {
            throw new InvalidWebhookException("missing _su (call status: 1 answered, 2 missed, 3 voicemail)");
        }
        return switch (integerCode(su)) {
            case "1" -> CallStatus.ANSWERED;
            case "2" -> CallStatus.MISSED;
            case "3" -> CallStatus.VOICEMAIL;
            default -> throw new InvalidWebhookException(
                    "_su " + quote(su) + " is not a call status (1 answered, 2 missed, 3 voicemail)");
        };
    }

    /** {@code 1}, {@code "1"} and {@code 1.0} all mean code 1. */
    private static String integerCode(String value) {
        return value.matches("\\d+\\.0+") ? value.substring(0, value.indexOf('.')) : value;
    }

    /** {@code _st} epoch seconds, else {@code _ms} epoch milliseconds. */
    private static Instant start(JsonNode log) throws InvalidWebhookException {
        BigDecimal seconds = number(log, "_st", "_st");
        if (seconds != null && seconds.signum() != 0) {
            return CallNormaliser.epochSeconds(seconds, "_st");
        }
        BigDecimal millis = number(log, "_ms", "_ms");
        if (millis != null && millis.signum() != 0) {
            return CallNormaliser.epochSeconds(millis.movePointLeft(3), "_ms");
        }
        throw new InvalidWebhookException("missing call start time (_st)");
    }

    /** Every agent the call rang or was transferred to, leg by leg, each person once. */
    private static List<Agent> agentsTried(List<Leg> legs) {
        List<Agent> all = new ArrayList<>();
        for (Leg leg : legs) {
            all.addAll(leg.rang());
            all.addAll(leg.transferredTo());
        }
        return CallNormaliser.distinct(all);
    }

    /** The last leg an agent received; failing that (the log still says answered), the last leg dialled ANSWER. */
    private static Leg answeringLeg(List<Leg> legs) {
        Leg received = null;
        Leg answer = null;
        for (Leg leg : legs) {
            if (leg.has("_ac", "received")) {
                received = leg;
            }
            if (leg.has("_ds", "ANSWER")) {
                answer = leg;
            }
        }
        return received != null ? received : answer;
    }

    /** The DID of the last leg that has one. */
    private String companyNumber(List<Leg> legs) {
        String did = null;
        for (Leg leg : legs) {
            did = Text.firstNonBlank(text(leg.node(), "_did"), did);
        }
        return normaliser.phoneOrRaw(did);
    }

    /** A leg's {@code _dr}; zero when absent or not a plausible duration. */
    private static Duration duration(String hms) {
        if (hms == null) {
            return Duration.ZERO;
        }
        Matcher m = HMS.matcher(hms);
        if (!m.matches()) {
            return Duration.ZERO;
        }
        long seconds = m.group(3) == null
                ? Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))
                : Long.parseLong(m.group(1)) * 3600 + Long.parseLong(m.group(2)) * 60 + Long.parseLong(m.group(3));
        Duration talk = CallNormaliser.talkSeconds(BigDecimal.valueOf(seconds));
        return talk == null ? Duration.ZERO : talk;
    }
}
