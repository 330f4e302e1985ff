package io.callbridge.myoperator;

import static io.callbridge.myoperator.ParserFixture.FORM;
import static io.callbridge.myoperator.ParserFixture.JSON;
import static io.callbridge.myoperator.ParserFixture.MAPPER;
import static io.callbridge.myoperator.ParserFixture.V1_ANSWERED;
import static io.callbridge.myoperator.ParserFixture.V2_END_ANSWERED;
import static io.callbridge.myoperator.ParserFixture.rejection;
import static io.callbridge.myoperator.ParserFixture.sample;
import static io.callbridge.myoperator.ParserFixture.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rejection, with the message the sender gets. */
class RejectionsTest {

    // ---------------------------------------------------------------- not a usable body (acceptance scenario 32)

    @Test
    void truncatedJsonInTheFormField() {
        String body = "myoperator=%7B%22_ai%22%3A%226a1f0c3b9d2e44ff%22%2C%22_cr%22%3A%22098450%2012367%22%2C%22_ev"
                + "%22%3A%221%22%2C%22_su%22%3A%22%22%2C%22_ld%22%3A%7B%22_rr%22%3A";
        assertEquals("form field 'myoperator' is not valid JSON: it ends unexpectedly, it looks truncated (line 1, column 80)",
                rejection(FORM, utf8(body)));
    }

    @Test
    void notJson() {
        String message = rejection(JSON, utf8("this is not json {"));
        assertEquals("body is not valid JSON: unexpected characters (line 1, column 1)", message);
    }

    @Test
    void impossibleDurationsAreRefusedNotLoggedAsZeroMinutes() {
        var negative = ParserFixture.sample(ParserFixture.V2_END_ANSWERED);
        ((com.fasterxml.jackson.databind.node.ObjectNode) negative.at("/payload/legs/0")).put("talk_duration", -100);
        assertEquals("payload.legs[1].talk_duration (-100) is negative", ParserFixture.rejection(negative));
        var years = ParserFixture.sample(ParserFixture.V2_END_ANSWERED);
        ((com.fasterxml.jackson.databind.node.ObjectNode) years.get("payload")).put("duration", 99_999_999);
        assertEquals("payload.duration (99999999) is longer than 24 hours", ParserFixture.rejection(years));
    }

    @Test
    void aLegIndexIsNeverEchoedAtLength() {
        var hostile = ParserFixture.sample(ParserFixture.V2_END_ANSWERED);
        var leg = (com.fasterxml.jackson.databind.node.ObjectNode) hostile.at("/payload/legs/0");
        leg.put("talk_duration", -5).put("leg_index", "x".repeat(20_000));
        assertEquals("payload.legs[?].talk_duration (-5) is negative", ParserFixture.rejection(hostile));
    }

    @Test
    void invalidUtf8IsRejectedNotReplaced() {
        byte[] body = {'{', '"', '_', 'a', 'i', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertEquals("body is not valid UTF-8 text", rejection(JSON, body));
    }

    @Test
    void aDeclaredLatin1BodyIsReadAsLatin1() throws Exception {
        String log = ParserFixture.sampleText(ParserFixture.V1_ANSWERED).replace("\"_dn\": \"Sales\"", "\"_dn\": \"Caf\u00e9\"");
        WebhookDelivery d = ParserFixture.PARSER.parse("application/json; charset=ISO-8859-1", log.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("Caf\u00e9", ((CallDelivery) d).call().department());
    }

    @Test
    void trailingGarbageAfterTheObject() {
        assertTrue(rejection(JSON, utf8(sample(V1_ANSWERED) + " x")).startsWith("body is not valid JSON: "));
    }

    @Test
    void emptyBodies() {
        assertEquals("body is empty", rejection(JSON, new byte[0]));
        assertEquals("body is empty", rejection(null, null));
        assertEquals("body is empty", rejection(FORM, utf8(" \n ")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[1, 2]         | body must be a JSON object, got an array",
        "42             | body must be a JSON object, got a number",
        "null           | body must be a JSON object, got null",
        "\"text\"       | body must be a JSON object, got \"text\"",
        "{}             | body is neither a MyOperator call log (_ai, _ld ...) nor a v2 event (event_type, payload)",
        "{\"myoperator\": 5}    | 'myoperator' field must be a JSON object or a JSON string, got a number",
        "{\"myoperator\": \"[]\"} | 'myoperator' field must be a JSON object, got an array"})
    void jsonThatIsNotACallObject(String body, String message) {
        assertEquals(message, rejection(JSON, utf8(body)));
    }

    @Test
    void absurdlyDeepJson() {
        assertEquals("body is not valid JSON: it is nested too deeply or a value is too large",
                rejection(null, utf8("[".repeat(5000))));
    }

    @Test
    void wrappedStringThatIsNotJson() {
        String message = rejection(MAPPER.createObjectNode().put("myoperator", "nope"));
        assertTrue(message.startsWith("'myoperator' field is not valid JSON: "), message);
    }

    @Test
    void formWithoutTheField() {
        assertEquals("form body has no 'myoperator' field", rejection(FORM, utf8("a=1&b=2")));
        assertEquals("form field 'myoperator' is empty", rejection(FORM, utf8("a=1&myoperator=")));
        assertEquals("form body is not valid URL encoding (a bad %-escape)", rejection(FORM, utf8("myoperator=%zz")));
    }

    // ---------------------------------------------------------------- v1 call logs

    @Test
    void noCallId() {
        ObjectNode log = sample(V1_ANSWERED);
        log.remove("_ai");
        log.remove("_pm");
        assertEquals("missing call id: neither _ai nor _pm ui is present", rejection(log));
    }

    @Test
    void endAnHourBeforeStart() {
        ObjectNode log = sample(V1_ANSWERED).put("_st", 1794918600L).put("_et", 1794915000L).put("_dr", "-01:00:00");
        assertEquals("_et (2026-11-17T11:30:00Z) is before _st (2026-11-17T12:30:00Z)", rejection(log));
    }

    @Test
    void startInTheYear5138() {
        ObjectNode log = sample(V1_ANSWERED).put("_st", 99999999999L).put("_ms", 99999999999000L).put("_et", 100000000069L);
        assertEquals("_st (5138-11-16T09:46:39Z) is more than a day in the future", rejection(log));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1e20                  | _st 100000000000000000000 is not a valid time in epoch seconds",
        "-5                    | _st -5 is not a valid time in epoch seconds",
        "'\"soon\"'            | _st must be a number, got \"soon\"",
        "1388534400            | _st (2014-01-01T00:00:00Z) is before 2015-01-01",
        "1796169601            | _st (2026-12-02T00:00:01Z) is more than a day in the future"})
    void implausibleStart(String st, String message) throws Exception {
        ObjectNode log = sample(V1_ANSWERED);
        log.set("_st", MAPPER.readTree(st));
        log.remove("_et");
        assertEquals(message, rejection(log));
    }

    @Test
    void startBeyondTheRangeOfADouble() {
        String body = sample(V1_ANSWERED).toString().replace("\"_st\":1767513600", "\"_st\":1e400");
        assertEquals("_st must be a number, got a number out of range", rejection(JSON, utf8(body)));
    }

    @Test
    void missingStart() {
        ObjectNode log = sample(V1_ANSWERED);
        log.remove("_st");
        log.remove("_ms");
        assertEquals("missing call start time (_st)", rejection(log));
    }

    @Test
    void callLongerThanADay() {
        ObjectNode log = sample(V1_ANSWERED).put("_et", 1767513600L + 25 * 3600);
        assertEquals("the call from _st (2026-01-04T08:00:00Z) to _et (2026-01-05T09:00:00Z) is longer than 24 hours",
                rejection(log));
    }

    @Test
    void legsNotAnArray() {
        ObjectNode log = sample(V1_ANSWERED);
        log.set("_ld", log.get("_ld").get(0));
        assertEquals("_ld must be an array", rejection(log));
        ObjectNode leg = (ObjectNode) sample(V1_ANSWERED).get("_ld").get(0);
        assertEquals("_ld[0]._rr must be an array", rejection(sample(V1_ANSWERED).set("_ld",
                MAPPER.createArrayNode().add(leg.put("_rr", "Priya")))));
        assertEquals("_ld[0] must be an object", rejection(sample(V1_ANSWERED).set("_ld", MAPPER.createArrayNode().add(1))));
    }

    @Test
    void tooManyLegsOrAgents() {
        ObjectNode log = sample(V1_ANSWERED);
        ArrayNode legs = (ArrayNode) log.get("_ld");
        ObjectNode leg = (ObjectNode) legs.get(0);
        for (int i = 0; i < 50; i++) {
            legs.add(leg.deepCopy());
        }
        assertEquals("too many legs in _ld (51, at most 50)", rejection(log));

        ObjectNode crowded = sample(V1_ANSWERED);
        ArrayNode agents = (ArrayNode) crowded.get("_ld").get(0).get("_rr");
        for (int i = 0; i < 50; i++) {
            agents.add(agents.get(0).deepCopy());
        }
        assertEquals("too many agents in _ld[0]._rr (51, at most 50)", rejection(crowded));
    }

    @Test
    void customerNumbers() {
        assertEquals("customer number \"12\" is not a phone number",
                rejection(sample(V1_ANSWERED).put("_cl", "12").put("_cr", "")));
        ObjectNode none = sample(V1_ANSWERED);
        none.remove("_cl");
        none.remove("_cr");
        assertEquals("missing customer number (_cl/_cr)", rejection(none));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "_ev | '3'  | _ev \"3\" is not a call direction (1 incoming, 2 outgoing)",
        "_ev | ''   | missing _ev (call direction: 1 incoming, 2 outgoing)",
        "_su | ''   | missing _su (call status: 1 answered, 2 missed, 3 voicemail)",
        "_su | 'ok' | _su \"ok\" is not a call status (1 answered, 2 missed, 3 voicemail)"})
    void directionAndStatusCodes(String field, String value, String message) {
        assertEquals(message, rejection(sample(V1_ANSWERED).put(field, value)));
    }

    @Test
    void wrongTypeForARequiredField() {
        ObjectNode log = sample(V1_ANSWERED);
        log.set("_ai", MAPPER.createObjectNode());
        assertEquals("_ai must be a string or a number", rejection(log));
        assertEquals("_ai is too long (more than 255 characters)", rejection(sample(V1_ANSWERED).put("_ai", "a".repeat(256))));
        assertEquals("session_id is too long (more than 255 characters)",
                rejection(sample(V2_END_ANSWERED).put("session_id", "s".repeat(5000))));
        ObjectNode pm = sample(V1_ANSWERED);
        pm.set("_pm", MAPPER.createObjectNode());
        assertEquals("_pm must be an array", rejection(pm));
    }

    // ---------------------------------------------------------------- v2 events

    @Test
    void v2Rejections() {
        ObjectNode noType = sample(V2_END_ANSWERED);
        noType.remove("event_type");
        assertEquals("missing event_type in the v2 event", rejection(noType));

        assertEquals("payload.legs must be an array", rejection(withPayload("legs", "x")));
        assertEquals("payload.status \"ringing\" is not a known call status", rejection(withPayload("status", "ringing")));
        assertEquals("payload.direction \"sideways\" is not a call direction (incoming or outgoing)",
                rejection(withPayload("direction", "sideways")));
        assertEquals("payload.started_at \"yesterday\" is not an ISO-8601 date-time",
                rejection(withPayload("started_at", "yesterday")));
        assertEquals("customer number \"12\" is not a phone number",
                rejection(withPayload("customer_number", "12").put("customer_identifier", "")));
        assertEquals("payload.ended_at (2026-01-05T04:42:08Z) is before payload.started_at (2026-01-05T05:40:01Z)",
                rejection(withPayload("ended_at", "2026-01-05T04:42:08Z")));

        ObjectNode noPayload = sample(V2_END_ANSWERED);
        noPayload.remove("payload");
        assertEquals("missing payload in the \"call.end\" event", rejection(noPayload));
        assertEquals("payload must be an object", rejection(sample(V2_END_ANSWERED).put("payload", "x")));

        ObjectNode noId = sample(V2_END_ANSWERED);
        noId.remove("session_id");
        ((ObjectNode) noId.get("payload")).remove("id");
        assertEquals("missing call id: neither session_id nor payload.id is present", rejection(noId));
    }

    private static ObjectNode withPayload(String field, String value) {
        ObjectNode event = sample(V2_END_ANSWERED);
        ((ObjectNode) event.get("payload")).put(field, value);
        return event;
    }
}
