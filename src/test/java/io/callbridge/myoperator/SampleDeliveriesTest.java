package io.callbridge.myoperator;

import static io.callbridge.myoperator.ParserFixture.FORM;
import static io.callbridge.myoperator.ParserFixture.PARSER;
import static io.callbridge.myoperator.ParserFixture.formBody;
import static io.callbridge.myoperator.ParserFixture.parseJson;
import static io.callbridge.myoperator.ParserFixture.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.call.CallSource;
import io.callbridge.call.CallStatus;
import io.callbridge.call.Direction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every normalised field of each shared sample (expected values worked out by hand from the files). */
class SampleDeliveriesTest {
    private static final Agent PRIYA =
            new Agent("7b2e9c1d0a3f9001", "Priya Nair", "priya.nair@example.com", "+919886001122", "11");
    private static final Agent ARJUN =
            new Agent("7b2e9c1d0a3f9002", "Arjun Mehta", "arjun.mehta@example.com", "+919886003344", "12");
    private static final String DID = "+918047123456";

    @Test
    void v1IncomingAnswered() throws Exception {
        Call expected = new Call("6a1f0c3b9d2e4411", "d3.1767513598.4410021", CallSource.V1_AFTER_CALL,
                Direction.INCOMING, CallStatus.ANSWERED, "+919845012367", DID,
                Instant.parse("2026-01-04T08:00:00Z"), Instant.parse("2026-01-04T08:01:10Z"), Duration.ofSeconds(58),
                "0f3a9e7d2c1b4a5968e7d6c5b4a39281-v2.mp3", PRIYA, List.of(PRIYA), "Sales", null);
        assertV1(ParserFixture.V1_ANSWERED, expected);
    }

    @Test
    void v1IncomingMissedTwoAgents() throws Exception {
        Call expected = new Call("6a1f0c3b9d2e4412", "d3.1767517198.4410377", CallSource.V1_AFTER_CALL,
                Direction.INCOMING, CallStatus.MISSED, "+919900123456", DID,
                Instant.parse("2026-01-04T09:00:00Z"), Instant.parse("2026-01-04T09:00:55Z"), Duration.ZERO,
                null, null, List.of(ARJUN, PRIYA), "Support", null);
        assertV1(ParserFixture.V1_MISSED, expected);
    }

    @Test
    void v1OutgoingClickToCallNoAnswer() throws Exception {
        Call expected = new Call("6a1f0c3b9d2e4420", "d1.1767599999.5520013", CallSource.V1_AFTER_CALL,
                Direction.OUTGOING, CallStatus.MISSED, "+919767001234", DID,
                Instant.parse("2026-01-05T08:00:00Z"), Instant.parse("2026-01-05T08:00:45Z"), Duration.ZERO,
                null, null, List.of(ARJUN), null, null);
        assertV1(ParserFixture.V1_OUTGOING, expected);
    }

    @Test
    void v2CallEndIncomingIvrAbandoned() throws Exception {
        Call expected = new Call("s7.1767521720.2291", "s7.1767521720.2291", CallSource.V2_EVENT,
                Direction.INCOMING, CallStatus.MISSED, "+919812345670", DID,
                Instant.parse("2026-01-04T10:15:20.002Z"), Instant.parse("2026-01-04T10:15:39.871Z"), Duration.ZERO,
                null, null, List.of(), null, null);
        assertV2(ParserFixture.V2_END_MISSED, "event-9c41aa07d3b2e615", "call.end", expected);
    }

    @Test
    void v2CallEndOutgoingObdAnswered() throws Exception {
        // call.end carries no agent objects: the agent is known by the leg's phone number only.
        Agent agentByPhone = new Agent(null, null, null, "+919886001122", null);
        Call expected = new Call("cb9.1767591601.118", "cb9.1767591601.118", CallSource.V2_EVENT,
                Direction.OUTGOING, CallStatus.ANSWERED, "+919833001199", DID,
                Instant.parse("2026-01-05T05:40:01Z"), Instant.parse("2026-01-05T05:42:08Z"), Duration.ofSeconds(121),
                "a81c5e0f2b9d4c77-v2.mp3", agentByPhone, List.of(agentByPhone), null, null);
        assertV2(ParserFixture.V2_END_ANSWERED, "event-1d7f33ab90c4e288", "call.end", expected);
    }

    @Test
    void v2CallSummaryIncomingHuntResolvesKavyaWithoutEmail() throws Exception {
        Agent kavya = new Agent("7b2e9c1d0a3f9004", "Kavya Rao", null, "+919886007788", "15");
        // system_identifier is empty on call.summary, so the DID is unknown.
        Call expected = new Call("15.1767680980.3307", "15.1767680980.3307", CallSource.V2_EVENT,
                Direction.INCOMING, CallStatus.ANSWERED, "+919765432109", null,
                Instant.parse("2026-01-06T06:29:40Z"), Instant.parse("2026-01-06T06:30:58Z"), Duration.ofSeconds(52),
                "3c9e1f7a5b2d4e60-v2.mp3", kavya, List.of(ARJUN, kavya), null, null);
        assertV2(ParserFixture.V2_SUMMARY, "event-4be2a9d1c07f3318", "call.summary", expected);
    }

    /** v1 logs arrive form-encoded or as raw JSON: both must read the same. */
    private static void assertV1(String name, Call expected) throws Exception {
        for (WebhookDelivery delivery : List.of(PARSER.parse(FORM, formBody(sample(name))), parseJson(sample(name)))) {
            CallDelivery call = assertInstanceOf(CallDelivery.class, delivery);
            assertEquals(expected, call.call());
            assertEquals(expected.callKey(), call.eventId());
            assertEquals("after-call", call.eventType());
        }
    }

    private static void assertV2(String name, String eventId, String eventType, Call expected) throws Exception {
        CallDelivery call = assertInstanceOf(CallDelivery.class, parseJson(sample(name)));
        assertEquals(expected, call.call());
        assertEquals(eventId, call.eventId());
        assertEquals(eventType, call.eventType());
    }
}
