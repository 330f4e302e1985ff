package io.callbridge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.e2e.LambdaEvents;
import io.callbridge.e2e.TestWorld;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.FakeFault;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-call log line splits the handler's time into Pipedrive, DynamoDB and Callbridge's own share. */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class DeliveryLogLineTest {
    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
    }

    @Test
    void theLineCountsPipedriveAndDynamoDbRequestsAndTheirTime() throws Exception {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", TestWorld.days(3));
        pipedrive.setLatency(Duration.ofMillis(30));

        List<String> lines = capture(() -> {
            LambdaEvents.post("01-incoming-open-deal-v1-form.json");
            LambdaEvents.post("01-incoming-open-deal-v1-form.json");
        });

        ObjectMapper json = new ObjectMapper();
        JsonNode logged = json.readTree(lines.get(0));
        assertEquals("logged", logged.get("outcome").asText(), lines::toString);
        assertEquals(pipedrive.requests().size(), logged.get("pipedriveRequests").asInt(), pipedrive.requests()::toString);
        assertEquals(pipedrive.tokensSpent(), logged.get("pipedriveTokens").asLong());
        assertTrue(logged.get("pipedriveMillis").asDouble() >= 30.0 * logged.get("pipedriveRequests").asInt(), lines::toString);
        assertTrue(logged.get("dynamoRequests").asInt() >= 2, "a claim and a checkpoint at least: " + lines);
        assertTrue(logged.get("dynamoMillis").asDouble() > 0, lines::toString);
        assertEquals(0.0, logged.get("pipedriveWaitMillis").asDouble(), "no retry, no wait: " + lines);
        double parts = logged.get("pipedriveMillis").asDouble() + logged.get("pipedriveWaitMillis").asDouble()
                + logged.get("dynamoMillis").asDouble() + logged.get("ownMillis").asDouble();
        assertTrue(Math.abs(parts - logged.get("millis").asLong()) <= 1.0, "the parts add up to the whole: " + lines);

        JsonNode duplicate = json.readTree(lines.get(1));
        assertEquals("duplicate", duplicate.get("outcome").asText(), lines::toString);
        assertEquals(0, duplicate.get("pipedriveRequests").asInt(), "counted per delivery, not per thread: " + lines);
        assertTrue(duplicate.get("dynamoRequests").asInt() >= 1, lines::toString);
    }

    @Test
    void waitingForPipedrivesRateLimitIsNotOwnTime() throws Exception {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", TestWorld.days(3));
        pipedrive.fault(FakeFault.on("GET", "/persons/search").status(429).retryAfter(1).times(1));

        List<String> lines = capture(() -> LambdaEvents.post("01-incoming-open-deal-v1-form.json"));

        JsonNode logged = new ObjectMapper().readTree(lines.get(0));
        assertEquals("logged", logged.get("outcome").asText(), lines::toString);
        assertTrue(logged.get("pipedriveWaitMillis").asDouble() >= 900, "the Retry-After wait: " + lines);
        assertTrue(logged.get("ownMillis").asDouble() < 500, "not counted as own time: " + lines);
    }

    private static List<String> capture(Runnable deliveries) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("callbridge.delivery");
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // the test profile keeps the per-call lines quiet
        logger.addHandler(handler);
        try {
            deliveries.run();
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(level);
        }
        return lines;
    }
}
