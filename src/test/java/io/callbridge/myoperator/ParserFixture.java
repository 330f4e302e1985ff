package io.callbridge.myoperator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.call.Call;
import io.callbridge.call.PhoneNumbers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Shared set-up for the parser tests: a fixed clock, the samples, and the ways a body is delivered. */
final class ParserFixture {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String JSON = "application/json";
    static final String FORM = "application/x-www-form-urlencoded";

    static final String V1_ANSWERED = "v1-incoming-answered.json";
    static final String V1_MISSED = "v1-incoming-missed-two-agents.json";
    static final String V1_OUTGOING = "v1-outgoing-click-to-call-no-answer.json";
    static final String V2_END_MISSED = "v2-call-end-incoming-ivr-abandoned.json";
    static final String V2_END_ANSWERED = "v2-call-end-outgoing-obd-answered.json";
    static final String V2_SUMMARY = "v2-call-summary-incoming-hunt.json";
    static final List<String> SAMPLES = List.of(V1_ANSWERED, V1_MISSED, V1_OUTGOING, V2_END_MISSED, V2_END_ANSWERED, V2_SUMMARY);

    static final MyOperatorWebhookParser PARSER = new MyOperatorWebhookParser(MAPPER, new PhoneNumbers("IN"), CLOCK);

    private ParserFixture() {
    }

    static String sampleText(String name) {
        try (InputStream in = ParserFixture.class.getResourceAsStream("/samples/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource samples/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh, mutable copy of a sample. */
    static ObjectNode sample(String name) {
        try {
            return (ObjectNode) MAPPER.readTree(sampleText(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The v1 way: {@code myoperator=<json>} form-encoded. */
    static byte[] formBody(JsonNode log) {
        return utf8("myoperator=" + URLEncoder.encode(log.toString(), StandardCharsets.UTF_8));
    }

    static WebhookDelivery parseJson(JsonNode body) throws InvalidWebhookException {
        return PARSER.parse(JSON, utf8(body.toString()));
    }

    /** The call of a JSON delivery that must be a {@link CallDelivery}. */
    static Call callOf(JsonNode body) throws InvalidWebhookException {
        return assertInstanceOf(CallDelivery.class, parseJson(body)).call();
    }

    /** The message of a rejected delivery; also checks it reads as a sentence, not as a stack trace. */
    static String rejection(String contentType, byte[] body) {
        InvalidWebhookException e = assertThrows(InvalidWebhookException.class, () -> PARSER.parse(contentType, body));
        assertUserFacing(e.getMessage());
        return e.getMessage();
    }

    static String rejection(JsonNode body) {
        return rejection(JSON, utf8(body.toString()));
    }

    static void assertUserFacing(String message) {
        assertFalse(message == null || message.isBlank(), "empty message");
        assertFalse(message.matches("(?s).*(Exception|com\\.fasterxml|java\\.|\\n\\s*at ).*"), message);
    }
}
