package io.callbridge.call;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One phone call, normalised from whatever MyOperator delivered.
 *
 * @param callKey        the identity used for de-duplication: v1 {@code _ai}, v2 {@code session_id}
 * @param sessionId      the switch's call uid (v1 {@code _pm ui}, v2 {@code session_id}); may equal callKey
 * @param source         which webhook family delivered it
 * @param customerNumber the customer's number in E.164
 * @param did            the company number the call went through (E.164 where it could be normalised)
 * @param talkTime       time the customer talked to an agent (zero when nobody answered)
 * @param answeredBy     the agent who answered; null when nobody did
 * @param agentsTried    every agent the call rang or was transferred to, in order
 */
public record Call(
        String callKey,
        String sessionId,
        CallSource source,
        Direction direction,
        CallStatus status,
        String customerNumber,
        String did,
        Instant startedAt,
        Instant endedAt,
        Duration talkTime,
        String recordingFile,
        Agent answeredBy,
        List<Agent> agentsTried,
        String department,
        String callerName) {

    public Call {
        Objects.requireNonNull(callKey, "callKey");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(customerNumber, "customerNumber");
        Objects.requireNonNull(startedAt, "startedAt");
        talkTime = talkTime == null || talkTime.isNegative() ? Duration.ZERO : talkTime;
        agentsTried = agentsTried == null ? List.of() : List.copyOf(agentsTried);
        recordingFile = Text.blankToNull(recordingFile);
        department = Text.blankToNull(department);
        callerName = Text.blankToNull(callerName);
        did = Text.blankToNull(did);
        sessionId = Text.blankToNull(sessionId);
    }

    /**
     * The agent whose Pipedrive user should own the activity: who answered, else (missed calls)
     * the last agent tried; empty when MyOperator named no agent at all.
     */
    public Agent ownerCandidate() {
        if (answeredBy != null) {
            return answeredBy;
        }
        return agentsTried.isEmpty() ? null : agentsTried.get(agentsTried.size() - 1);
    }

    public boolean answered() {
        return status == CallStatus.ANSWERED;
    }

    /**
     * Combines two deliveries of the same call (v2 {@code call.end} and {@code call.summary}, in either
     * order, repeated or not). Nothing known is forgotten, the status never goes backwards, and agent
     * details from the richer event fill the gaps of the poorer one.
     */
    public Call mergedWith(Call other) {
        if (other == null) {
            return this;
        }
        CallStatus mergedStatus = CallStatus.mostAdvanced(status, other.status);
        Call richer = other.status.isAtLeast(status) ? other : this;
        Call poorer = richer == this ? other : this;
        List<Agent> agents = mergeAgents(richer.agentsTried, poorer.agentsTried);
        Agent answer = completeFrom(richer.answeredBy != null ? richer.answeredBy : poorer.answeredBy, agents);
        if (mergedStatus != CallStatus.ANSWERED) {
            answer = null;
        }
        Duration talk = richer.talkTime.compareTo(poorer.talkTime) >= 0 ? richer.talkTime : poorer.talkTime;
        return new Call(
                callKey,
                Text.firstNonBlank(sessionId, other.sessionId),
                source,
                direction,
                mergedStatus,
                customerNumber,
                Text.firstNonBlank(richer.did, poorer.did),
                earliest(startedAt, other.startedAt),
                latest(endedAt, other.endedAt),
                talk,
                Text.firstNonBlank(richer.recordingFile, poorer.recordingFile),
                answer,
                agents,
                Text.firstNonBlank(richer.department, poorer.department),
                Text.firstNonBlank(richer.callerName, poorer.callerName));
    }

    private static List<Agent> mergeAgents(List<Agent> primary, List<Agent> secondary) {
        List<Agent> out = new ArrayList<>();
        for (Agent a : primary) {
            Agent twin = secondary.stream().filter(a::sameAs).findFirst().orElse(null);
            out.add(a.completedWith(twin));
        }
        for (Agent b : secondary) {
            if (out.stream().noneMatch(b::sameAs)) {
                out.add(b);
            }
        }
        return out;
    }

    private static Agent completeFrom(Agent agent, List<Agent> known) {
        if (agent == null) {
            return null;
        }
        Agent out = agent;
        for (Agent k : known) {
            if (out.sameAs(k)) {
                out = out.completedWith(k);
            }
        }
        return out;
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
