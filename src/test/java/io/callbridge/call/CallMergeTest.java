package io.callbridge.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** v2 sends call.end and call.summary for one call, in any order, maybe twice: merging must lose nothing. */
class CallMergeTest {
    static final Instant START = Instant.parse("2026-01-06T06:29:40Z");

    static Call end() {
        // call.end knows only phone numbers of agents
        Agent byPhone = new Agent(null, null, null, "+919886007788", null);
        return new Call("s1", "s1", CallSource.V2_EVENT, Direction.INCOMING, CallStatus.ANSWERED, "+919765432109",
                "+918047123456", START, START.plusSeconds(78), Duration.ofSeconds(52), "rec.mp3", byPhone,
                List.of(byPhone), null, null);
    }

    static Call summary() {
        Agent kavya = new Agent("9004", "Kavya Rao", null, "+919886007788", "15");
        Agent arjun = new Agent("9002", "Arjun Mehta", "arjun.mehta@example.com", "+919886003344", "12");
        return new Call("s1", "s1", CallSource.V2_EVENT, Direction.INCOMING, CallStatus.ANSWERED, "+919765432109",
                null, START, START.plusSeconds(78), Duration.ofSeconds(52), "rec.mp3", kavya, List.of(arjun, kavya),
                null, null);
    }

    @Test
    void summaryAfterEndCompletesTheAgentsAndKeepsTheDid() {
        Call merged = end().mergedWith(summary());
        assertEquals("9004", merged.answeredBy().myOperatorId());
        assertEquals("Kavya Rao", merged.answeredBy().name());
        assertEquals("+918047123456", merged.did());
        assertEquals(2, merged.agentsTried().size());
    }

    @Test
    void orderDoesNotMatter() {
        Call a = end().mergedWith(summary());
        Call b = summary().mergedWith(end());
        assertEquals(a.answeredBy().myOperatorId(), b.answeredBy().myOperatorId());
        assertEquals(a.did(), b.did());
        assertEquals(a.status(), b.status());
        assertEquals(a.talkTime(), b.talkTime());
    }

    @Test
    void statusNeverGoesBackwards() {
        Call missedLater = new Call("s1", "s1", CallSource.V2_EVENT, Direction.INCOMING, CallStatus.MISSED,
                "+919765432109", null, START, null, Duration.ZERO, null, null, List.of(), null, null);
        Call merged = summary().mergedWith(missedLater);
        assertEquals(CallStatus.ANSWERED, merged.status());
        assertEquals(Duration.ofSeconds(52), merged.talkTime());
        assertEquals("9004", merged.answeredBy().myOperatorId());
    }

    @Test
    void missedCallMergedStaysWithoutAnswerer() {
        Call missed = new Call("s1", "s1", CallSource.V2_EVENT, Direction.INCOMING, CallStatus.MISSED,
                "+919765432109", null, START, null, Duration.ZERO, null, null,
                List.of(new Agent("9002", null, null, null, null)), null, null);
        Call merged = missed.mergedWith(missed);
        assertNull(merged.answeredBy());
        assertEquals("9002", merged.ownerCandidate().myOperatorId());
    }
}
