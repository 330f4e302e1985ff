package io.callbridge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.e2e.LambdaEvents;
import io.callbridge.e2e.TestWorld;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-call CloudWatch EMF document: its shape, and Pipedrive usage counted exactly as Pipedrive charges it. */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class CallMetricsTest {
    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @Inject
    CallMetrics metrics;

    final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        world.reset(pipedrive);
        metrics.out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        metrics.enabled = true;
    }

    @AfterEach
    void restore() {
        metrics.out = System.out;
        metrics.enabled = false;
    }

    @Test
    void eachCallEmitsOneEmfDocumentWithWhatItSpentOnPipedrive() throws Exception {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", TestWorld.days(3));

        LambdaEvents.post("01-incoming-open-deal-v1-form.json");
        LambdaEvents.post("01-incoming-open-deal-v1-form.json");

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines::toString);
        JsonNode logged = new ObjectMapper().readTree(lines.get(0));
        JsonNode directive = logged.at("/_aws/CloudWatchMetrics/0");
        assertEquals("Callbridge", directive.path("Namespace").asText());
        assertEquals("Outcome", directive.at("/Dimensions/0/0").asText());
        assertTrue(logged.at("/_aws/Timestamp").asLong() > 0);
        assertEquals("logged", logged.path("Outcome").asText());
        assertEquals(1, logged.path("Calls").asInt());
        assertEquals(pipedrive.requests().size(), logged.path("PipedriveRequests").asInt());
        assertEquals(pipedrive.tokensSpent(), logged.path("PipedriveTokens").asLong());

        JsonNode duplicate = new ObjectMapper().readTree(lines.get(1));
        assertEquals("duplicate", duplicate.path("Outcome").asText());
        assertEquals(0, duplicate.path("PipedriveTokens").asInt());
    }
}
