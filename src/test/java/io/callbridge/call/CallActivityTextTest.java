package io.callbridge.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallActivityTextTest {
    private final CallActivityText text = new CallActivityText(new PhoneNumbers("IN"));

    static Call call(Direction direction, CallStatus status, Instant start, Duration talk) {
        Agent priya = new Agent("9001", "Priya Nair", "priya.nair@example.com", "+919886001122", "11");
        Agent arjun = new Agent("9002", "Arjun Mehta", "arjun.mehta@example.com", "+919886003344", "12");
        return new Call("ai-1", "d3.1.2", CallSource.V1_AFTER_CALL, direction, status, "+919845012367",
                "+918047123456", start, start.plus(talk).plusSeconds(12), talk, "rec-v2.mp3",
                status == CallStatus.ANSWERED ? priya : null, List.of(arjun, priya), "Sales", null);
    }

    @ParameterizedTest(name = "{0} s -> {1}")
    @CsvSource(value = {"0, NULL", "1, 00:01", "59, 00:01", "60, 00:01", "61, 00:02", "3599, 01:00", "3600, 01:00",
            "3601, 01:01", "86399, 24:00"}, nullValues = "NULL")
    void durationIsHoursAndMinutesRoundedUp(long seconds, String expected) {
        assertEquals(expected, CallActivityText.durationHhMm(Duration.ofSeconds(seconds)));
    }

    @Test
    void aFractionOfASecondStillCountsAsAMinute() {
        assertEquals("00:01", CallActivityText.durationHhMm(Duration.ofMillis(300)));
        assertEquals("00:02", CallActivityText.durationHhMm(Duration.ofMillis(60_001)));
    }

    @Test
    void aCallAtTenPastTwoIstIsLoggedOnThePreviousUtcDay() {
        Instant start = Instant.parse("2026-01-05T02:10:00+05:30");
        assertEquals("2026-01-04", CallActivityText.dueDate(start));
        assertEquals("20:40", CallActivityText.dueTime(start));
    }

    @Test
    void dueTimeIsTwentyFourHourUtc() {
        assertEquals("23:59", CallActivityText.dueTime(Instant.parse("2026-11-16T23:59:59Z")));
        assertEquals("00:00", CallActivityText.dueTime(Instant.parse("2026-11-17T00:00:30Z")));
    }

    @Test
    void answeredCallIsDoneAndSaysHowLong() {
        ActivityContent c = text.describe(call(Direction.OUTGOING, CallStatus.ANSWERED,
                Instant.parse("2026-01-05T05:40:01Z"), Duration.ofSeconds(221)));
        assertEquals("Outbound call – 4 min", c.subject());
        assertTrue(c.done());
        assertEquals("00:04", c.duration());
        assertEquals("2026-01-05", c.dueDate());
        assertEquals("05:40", c.dueTime());
    }

    @Test
    void anAnsweredCallWithoutTalkTimeDoesNotClaimZeroMinutes() {
        ActivityContent c = text.describe(call(Direction.INCOMING, CallStatus.ANSWERED,
                Instant.parse("2026-01-05T05:40:01Z"), Duration.ZERO));
        assertEquals("Inbound call (answered)", c.subject());
        assertNull(c.duration());
    }

    @Test
    void missedCallIsAnOpenFollowUpWithoutDuration() {
        ActivityContent c = text.describe(call(Direction.INCOMING, CallStatus.MISSED,
                Instant.parse("2026-01-04T09:00:00Z"), Duration.ZERO));
        assertEquals("Missed inbound call", c.subject());
        assertFalse(c.done());
        assertNull(c.duration());
    }

    @Test
    void voicemailIsAFollowUp() {
        ActivityContent c = text.describe(call(Direction.INCOMING, CallStatus.VOICEMAIL,
                Instant.parse("2026-01-04T09:00:00Z"), Duration.ZERO));
        assertEquals("Voicemail – inbound call", c.subject());
        assertFalse(c.done());
    }

    @Test
    void noteCarriesEverythingASalespersonNeedsAndTheCallId() {
        String note = text.note(call(Direction.INCOMING, CallStatus.ANSWERED, Instant.parse("2026-01-04T08:00:00Z"),
                Duration.ofSeconds(58)));
        for (String expected : List.of("Inbound", "answered", "+91 98450 12367", "+91 80 4712 3456",
                "Priya Nair &lt;priya.nair@example.com&gt;", "Arjun Mehta", "1 min (58 s)", "Sales", "rec-v2.mp3",
                "2026-01-04 08:00:00 UTC", "MyOperator call id: ai-1")) {
            assertTrue(note.contains(expected), () -> "note lacks " + expected + ": " + note);
        }
        assertTrue(note.contains(CallActivityText.callIdMarker("ai-1")));
    }

    @Test
    void noteEscapesHtml() {
        Call c = new Call("<script>", null, CallSource.V1_AFTER_CALL, Direction.INCOMING, CallStatus.MISSED,
                "+919845012367", null, Instant.parse("2026-01-04T08:00:00Z"), null, Duration.ZERO, null, null,
                List.of(), "R&D <b>", "O'Brien");
        String note = text.note(c);
        assertFalse(note.contains("<script>"));
        assertTrue(note.contains("R&amp;D &lt;b&gt;"));
        assertTrue(note.contains("O&#39;Brien"));
    }

    @Test
    void dealTitleAndPersonNameUseTheCallerNameElseTheNumber() {
        Call anonymous = call(Direction.INCOMING, CallStatus.ANSWERED, Instant.parse("2026-01-04T08:00:00Z"),
                Duration.ofSeconds(5));
        assertEquals("Inbound call – +91 98450 12367", text.dealTitle(anonymous));
        assertEquals("+91 98450 12367", text.personName(anonymous));
        Call named = new Call("x", null, CallSource.V1_AFTER_CALL, Direction.INCOMING, CallStatus.ANSWERED,
                "+919845012367", null, Instant.parse("2026-01-04T08:00:00Z"), null, Duration.ZERO, null, null,
                List.of(), null, "Asha Rao");
        assertEquals("Inbound call – Asha Rao", text.dealTitle(named));
        assertEquals("Asha Rao", text.personName(named));
    }
}
