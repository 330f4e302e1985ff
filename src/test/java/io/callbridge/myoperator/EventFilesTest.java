package io.callbridge.myoperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.call.Call;
import io.callbridge.call.CallStatus;
import io.callbridge.call.Direction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every API Gateway event in events/ carries a body the parser reads into what its file name promises. */
class EventFilesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> events() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("events"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "events/ is empty");
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("events")
    void eventBodyParsesAsItsNameSays(Path file) throws Exception {
        JsonNode event = JSON.readTree(file.toFile());
        assertEquals("2.0", event.path("version").asText(), "an HTTP API payload v2 event");
        assertEquals("POST", event.at("/requestContext/http/method").asText());
        assertEquals("/webhooks/myoperator", event.path("rawPath").asText());
        String body = event.path("body").asText();
        byte[] bytes = event.path("isBase64Encoded").asBoolean() ? Base64.getDecoder().decode(body)
                : body.getBytes(StandardCharsets.UTF_8);
        String contentType = event.at("/headers/content-type").asText();
        WebhookDelivery delivery = ParserFixture.PARSER.parse(contentType, bytes);

        String name = file.getFileName().toString();
        if (name.contains("ignored")) {
            assertInstanceOf(IgnoredEvent.class, delivery);
            return;
        }
        Call call = assertInstanceOf(CallDelivery.class, delivery).call();
        assertEquals(name.contains("incoming") ? Direction.INCOMING : Direction.OUTGOING, call.direction(), name);
        assertTrue(call.customerNumber().startsWith("+91"), name);
        assertTrue(name.contains("-v1-form") ? contentType.equals("application/x-www-form-urlencoded")
                : contentType.equals("application/json"), name);
        assertEquals(call.status() == CallStatus.ANSWERED, call.answeredBy() != null,
                () -> name + ": an answered call names who answered, an unanswered one does not");
    }
}
