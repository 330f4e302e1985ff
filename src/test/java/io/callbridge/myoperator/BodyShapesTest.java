package io.callbridge.myoperator;

import static io.callbridge.myoperator.ParserFixture.FORM;
import static io.callbridge.myoperator.ParserFixture.JSON;
import static io.callbridge.myoperator.ParserFixture.MAPPER;
import static io.callbridge.myoperator.ParserFixture.PARSER;
import static io.callbridge.myoperator.ParserFixture.V1_ANSWERED;
import static io.callbridge.myoperator.ParserFixture.V2_END_ANSWERED;
import static io.callbridge.myoperator.ParserFixture.V2_SUMMARY;
import static io.callbridge.myoperator.ParserFixture.callOf;
import static io.callbridge.myoperator.ParserFixture.parseJson;
import static io.callbridge.myoperator.ParserFixture.sample;
import static io.callbridge.myoperator.ParserFixture.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.call.CallStatus;
import io.callbridge.call.Direction;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The accepted body shapes, the ignored v2 events and the lenient readings. */
class BodyShapesTest {
    private static final String V1_ID = "6a1f0c3b9d2e4411";

    // ---------------------------------------------------------------- body shapes

    @Test
    void formFieldAmongOtherFieldsWithCharset() throws Exception {
        String body = "token=abc&myoperator=" + URLEncoder.encode(sample(V1_ANSWERED).toString(), StandardCharsets.UTF_8)
                + "&other=1";
        assertV1Answered(PARSER.parse(FORM + "; charset=UTF-8", utf8(body)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "application/vnd.myoperator+json",
            "text/plain", "application/octet-stream"})
    @NullSource
    void rawJsonCallLogUnderAnyContentType(String contentType) throws Exception {
        assertV1Answered(PARSER.parse(contentType, utf8(sample(V1_ANSWERED).toString())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/json"})
    @NullSource
    void formBodyIsSniffedWhenTheContentTypeDoesNotSayForm(String contentType) throws Exception {
        assertV1Answered(PARSER.parse(contentType, ParserFixture.formBody(sample(V1_ANSWERED))));
    }

    @Test
    void jsonBodyLabelledAsFormIsReadAsJson() throws Exception {
        assertV1Answered(PARSER.parse(FORM, utf8(sample(V1_ANSWERED).toString())));
    }

    @Test
    void wrappedObject() throws Exception {
        ObjectNode body = MAPPER.createObjectNode().set("myoperator", sample(V1_ANSWERED));
        assertV1Answered(parseJson(body));
    }

    @Test
    void wrappedJsonString() throws Exception {
        ObjectNode body = MAPPER.createObjectNode().put("myoperator", sample(V1_ANSWERED).toString());
        assertV1Answered(parseJson(body));
    }

    @Test
    void byteOrderMarkAndWhitespaceAreTolerated() throws Exception {
        assertV1Answered(PARSER.parse(JSON, utf8("\uFEFF\n  " + sample(V1_ANSWERED) + "\n")));
    }

    @Test
    void v2Envelope() throws Exception {
        CallDelivery delivery = assertInstanceOf(CallDelivery.class, parseJson(sample(V2_SUMMARY)));
        assertEquals("15.1767680980.3307", delivery.call().callKey());
        assertEquals("call.summary", delivery.eventType());
    }

    private static void assertV1Answered(WebhookDelivery delivery) {
        CallDelivery call = assertInstanceOf(CallDelivery.class, delivery);
        assertEquals(V1_ID, call.call().callKey());
        assertEquals("after-call", call.eventType());
        assertEquals("Priya Nair", call.call().answeredBy().name());
    }

    // ---------------------------------------------------------------- ignored v2 events

    @ParameterizedTest
    @ValueSource(strings = {"call.initiated", "call.dial_begin", "call.answered", "call.disposition", "disposition",
            "call.something_new", "whatsapp.message.received"})
    void eventsThatAreNotAFinishedCallAreIgnored(String eventType) throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED).put("event_type", eventType);
        IgnoredEvent ignored = assertInstanceOf(IgnoredEvent.class, parseJson(event));
        assertEquals("event-1d7f33ab90c4e288", ignored.eventId());
        assertEquals(eventType, ignored.eventType());
        assertEquals("cb9.1767591601.118", ignored.sessionId());
        assertTrue(!ignored.reason().isBlank());
    }

    @Test
    void unknownCallEventSaysSo() throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED).put("event_type", "call.transcribed");
        assertEquals("unknown event type \"call.transcribed\" ignored",
                assertInstanceOf(IgnoredEvent.class, parseJson(event)).reason());
    }

    @Test
    void nonCallChannelIsIgnoredWhateverItsPayload() throws Exception {
        ObjectNode event = MAPPER.createObjectNode().put("event_id", "wa-1").put("event_type", "message.received")
                .put("channel", "whatsapp").put("payload", "not an object");
        IgnoredEvent ignored = assertInstanceOf(IgnoredEvent.class, parseJson(event));
        assertEquals("wa-1", ignored.eventId());
        assertNull(ignored.sessionId());
        assertEquals("channel \"whatsapp\" is not a call", ignored.reason());
    }

    @Test
    void eventWithoutAnyIdGetsAStableContentId() throws Exception {
        ObjectNode event = MAPPER.createObjectNode().put("event_type", "message.read").put("channel", "whatsapp");
        String id = parseJson(event).eventId();
        assertTrue(id.matches("message\\.read:sha256:[0-9a-f]{24}"), id);
        assertEquals(id, parseJson(event.deepCopy()).eventId());
    }

    @Test
    void withoutEventIdTheIdIsSessionAndType() throws Exception {
        ObjectNode end = sample(V2_END_ANSWERED);
        end.remove("event_id");
        assertEquals("cb9.1767591601.118:call.end", parseJson(end).eventId());
        ObjectNode answered = sample(V2_END_ANSWERED).put("event_type", "call.answered");
        answered.remove("event_id");
        assertEquals("cb9.1767591601.118:call.answered", parseJson(answered).eventId());
    }

    // ---------------------------------------------------------------- v1 leniency

    @ParameterizedTest
    @CsvSource({"'1', '1', INCOMING, ANSWERED", "'2', '2', OUTGOING, MISSED", "'1', '3', INCOMING, VOICEMAIL",
            "'2.0', '1.0', OUTGOING, ANSWERED"})
    void directionAndStatusAsStrings(String ev, String su, Direction direction, CallStatus status) throws Exception {
        Call call = callOf(sample(V1_ANSWERED).put("_ev", ev).put("_su", su));
        assertEquals(direction, call.direction());
        assertEquals(status, call.status());
        assertEquals(status == CallStatus.ANSWERED ? Duration.ofSeconds(58) : Duration.ZERO, call.talkTime());
        assertEquals(status == CallStatus.ANSWERED, call.answeredBy() != null);
    }

    @Test
    void typeIsNotDirection() throws Exception {
        assertEquals(Direction.OUTGOING, callOf(sample(V1_ANSWERED).put("_ty", 1).put("_ev", 2)).direction());
    }

    @Test
    void missingAiFallsBackToSwitchUid() throws Exception {
        ObjectNode log = sample(V1_ANSWERED);
        log.remove("_ai");
        CallDelivery delivery = assertInstanceOf(CallDelivery.class, parseJson(log));
        assertEquals("d3.1767513598.4410021", delivery.call().callKey());
        assertEquals("d3.1767513598.4410021", delivery.call().sessionId());
        assertEquals("d3.1767513598.4410021", delivery.eventId());
        assertEquals("d3.1767513598.4410021", callOf(sample(V1_ANSWERED).put("_ai", " ")).callKey());
    }

    @Test
    void epochTimesAsStringsAndMillisecondFallback() throws Exception {
        Call call = callOf(sample(V1_ANSWERED).put("_st", "1767513600").put("_et", "1767513670"));
        assertEquals(Instant.parse("2026-01-04T08:00:00Z"), call.startedAt());
        assertEquals(Instant.parse("2026-01-04T08:01:10Z"), call.endedAt());
        ObjectNode noSt = sample(V1_ANSWERED).put("_ms", 1767513600500L);
        noSt.remove("_st");
        assertEquals(Instant.parse("2026-01-04T08:00:00Z"), callOf(noSt).startedAt());
    }

    @Test
    void customerFromNationalNumberAndCountryCode() throws Exception {
        ObjectNode log = sample(V1_ANSWERED).put("_cr", "2025550123").put("_cy", "1");
        log.remove("_cl");
        assertEquals("+12025550123", callOf(log).customerNumber());
    }

    @Test
    void answeredWithoutReceivedLegUsesTheLegDialledAnswer() throws Exception {
        ObjectNode log = sample(V1_ANSWERED);
        ((ObjectNode) log.get("_ld").get(0)).put("_ac", "");
        Call call = callOf(log);
        assertEquals("7b2e9c1d0a3f9001", call.answeredBy().myOperatorId());
        assertEquals(Duration.ofSeconds(58), call.talkTime());
    }

    @Test
    void transfersFollowTheAgentsRungAndRepeatsAreMergedInFirstPosition() throws Exception {
        ObjectNode log = sample(V1_ANSWERED);
        ObjectNode firstLeg = (ObjectNode) log.get("_ld").get(0);
        firstLeg.put("_ac", "transferred");
        ObjectNode rohan = MAPPER.createObjectNode().put("_id", "7b2e9c1d0a3f9003").put("_na", "Rohan Das");
        firstLeg.withArray("_tt").add(rohan);
        // Rohan takes the call on a second leg, this time with e-mail and phone.
        ObjectNode secondLeg = firstLeg.deepCopy().put("_ac", "received").put("_dr", "00:01:30");
        secondLeg.set("_rr", MAPPER.createArrayNode().add(rohan.deepCopy()
                .put("_em", "rohan.das@example.com").put("_ct", "9886005566")));
        secondLeg.set("_tt", MAPPER.createArrayNode());
        ((ArrayNode) log.get("_ld")).add(secondLeg);

        Call call = callOf(log);
        Agent fullRohan = new Agent("7b2e9c1d0a3f9003", "Rohan Das", "rohan.das@example.com", "+919886005566", null);
        assertEquals(2, call.agentsTried().size());
        assertEquals("7b2e9c1d0a3f9001", call.agentsTried().get(0).myOperatorId());
        assertEquals(fullRohan, call.agentsTried().get(1));
        assertEquals(fullRohan, call.answeredBy());
        assertEquals(Duration.ofSeconds(90), call.talkTime());
    }

    @Test
    void overlongNamesAreTruncated() throws Exception {
        ObjectNode log = sample(V1_ANSWERED).put("_dn", "D".repeat(5000));
        ((ObjectNode) log.get("_ld").get(0).get("_rr").get(0)).put("_na", "N".repeat(5000));
        Call call = callOf(log);
        assertEquals(1000, call.department().length());
        assertEquals(1000, call.answeredBy().name().length());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        assertEquals(V1_ID, callOf(sample(V1_ANSWERED).put("_new_field", "x").put("_zz", 42)).callKey());
    }

    // ---------------------------------------------------------------- v2 leniency

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-05T05:40:01Z", "2026-01-05T05:40:01.0Z", "2026-01-05T05:40:01.00Z",
            "2026-01-05T05:40:01.000Z", "2026-01-05T05:40:01.0000Z", "2026-01-05T05:40:01.00000Z",
            "2026-01-05T05:40:01.000000Z", "2026-01-05T05:40:01.0000000Z", "2026-01-05T05:40:01.00000000Z",
            "2026-01-05T05:40:01.000000000Z", "2026-01-05T05:40:01+00:00", "2026-01-05T05:40:01.000+00:00",
            "2026-01-05T11:10:01+05:30", "2026-01-05T05:40:01+0000", "2026-01-05 05:40:01", "2026-01-05T05:40:01"})
    void isoTimestampVariants(String startedAt) throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED);
        ((ObjectNode) event.get("payload")).put("started_at", startedAt);
        assertEquals(Instant.parse("2026-01-05T05:40:01Z"), callOf(event).startedAt());
    }

    @Test
    void nineFractionalDigitsAreKept() throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED);
        ((ObjectNode) event.get("payload")).put("started_at", "2026-01-05T05:40:01.123456789Z");
        assertEquals(Instant.parse("2026-01-05T05:40:01.123456789Z"), callOf(event).startedAt());
    }

    @ParameterizedTest
    @CsvSource({"bridged, ANSWERED", "Answered, ANSWERED", "connected, ANSWERED", "completed, ANSWERED",
            "missed, MISSED", "not_answered, MISSED", "no_answer, MISSED", "NOANSWER, MISSED", "busy, MISSED",
            "cancel, MISSED", "failed, MISSED", "voicemail, VOICEMAIL"})
    void statusAliases(String status, CallStatus expected) throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED);
        ((ObjectNode) event.get("payload")).put("status", status);
        Call call = callOf(event);
        assertEquals(expected, call.status());
        assertEquals(expected == CallStatus.ANSWERED ? Duration.ofSeconds(121) : Duration.ZERO, call.talkTime());
    }

    @Test
    void talkTimeFallsBackToTheCustomerLegThenTheDuration() throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED);
        ObjectNode payload = (ObjectNode) event.get("payload");
        ((ObjectNode) payload.get("legs").get(0)).putNull("talk_duration");
        assertEquals(Duration.ofSeconds(110), callOf(event).talkTime());
        ((ObjectNode) payload.get("legs").get(1)).remove("talk_duration");
        assertEquals(Duration.ofSeconds(127), callOf(event).talkTime());
    }

    @Test
    void answeringAgentFallsBackToDialStatus() throws Exception {
        ObjectNode event = sample(V2_SUMMARY);
        ((ObjectNode) event.get("payload").get("legs").get(2)).put("result", "");
        assertEquals("7b2e9c1d0a3f9004", callOf(event).answeredBy().myOperatorId());
    }

    @Test
    void directionFromEnvelopeIdFromPayloadAndCustomerFromIdentifier() throws Exception {
        ObjectNode event = sample(V2_END_ANSWERED).put("direction", "OUTGOING").put("customer_identifier", "09833001199");
        ObjectNode payload = (ObjectNode) event.get("payload");
        payload.remove("direction");
        payload.remove("customer_number");
        event.remove("session_id");
        event.remove("event_version");
        Call call = callOf(event);
        assertEquals(Direction.OUTGOING, call.direction());
        assertEquals("cb9.1767591601.118", call.callKey());
        assertEquals("+919833001199", call.customerNumber());
    }

    @Test
    void eventVersionAsNumberAndCallerNameAndDepartment() throws Exception {
        ObjectNode event = sample(V2_SUMMARY).put("event_version", 1);
        ((ObjectNode) event.get("payload")).put("caller_name", "Asha Rao").put("department", "Sales");
        Call call = callOf(event);
        assertEquals("Asha Rao", call.callerName());
        assertEquals("Sales", call.department());
    }
}
