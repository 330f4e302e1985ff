package io.callbridge.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random and mutated MyOperator payloads through the whole Lambda handler (jqwik generates them; JUnit runs them
 * inside the Quarkus test): never a 5xx, never a stack trace, a clear message for every refusal, and never a
 * Pipedrive write for a delivery that was refused.
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class HostileInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SAMPLES = List.of("v1-incoming-answered.json", "v1-incoming-missed-two-agents.json",
            "v1-outgoing-click-to-call-no-answer.json", "v2-call-end-incoming-ivr-abandoned.json",
            "v2-call-end-outgoing-obd-answered.json", "v2-call-summary-incoming-hunt.json");
    static final String[] STACK_MARKERS = {"Exception", "\tat ", "java.", "io.callbridge", "NullPointer"};
    static final int TRIES = 150;

    /** One generated delivery: a body, its content type, and what was done to it. */
    record Delivery(String contentType, byte[] body, String description) {
    }

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
        for (String number : List.of("+919845012367", "+919900123456", "+919767001234", "+919812345670",
                "+919833001199", "+919765432109")) {
            long p = pipedrive.addPerson(null, "Person " + number, number);
            pipedrive.addDeal(null, p, "Deal " + number, "open", TestWorld.days(1));
        }
    }

    @TestFactory
    Stream<DynamicTest> mutatedDeliveriesNeverBreakTheHandler() {
        return deliveries().sampleStream().limit(TRIES).map(d -> DynamicTest.dynamicTest(d.description(), () -> {
            long writesBefore = pipedrive.writes();
            Reply reply = LambdaEvents.post("01-incoming-open-deal-v1-form.json",
                    LambdaEvents.body(d.contentType(), "").andThen(e -> {
                        e.put("body", Base64.getEncoder().encodeToString(d.body()));
                        e.put("isBase64Encoded", true);
                    }));
            String body = reply.body().toString();
            assertTrue(reply.status() < 500, () -> d.description() + " -> " + reply.status() + " " + body);
            for (String marker : STACK_MARKERS) {
                assertFalse(body.contains(marker), () -> d.description() + " leaks " + marker + ": " + body);
            }
            if (reply.status() >= 400) {
                String error = reply.field("error");
                assertTrue(error != null && error.length() > 5 && error.length() < 600, () -> d.description() + ": " + body);
                assertTrue(pipedrive.writes() == writesBefore, () -> d.description() + " was refused but wrote to Pipedrive");
            } else {
                assertTrue(List.of("logged", "duplicate", "ignored", "skipped", "parked", "accepted")
                        .contains(reply.field("status")), () -> d.description() + ": " + body);
            }
        }));
    }

    static Arbitrary<Delivery> deliveries() {
        Arbitrary<String> sample = Arbitraries.of(SAMPLES);
        Arbitrary<Long> seed = Arbitraries.longs();
        Arbitrary<Integer> mutations = Arbitraries.integers().between(0, 4);
        Arbitrary<String> encoding = Arbitraries.of("json", "form", "wrapped", "latin1", "truncated", "no-type");
        return Combinators.combine(sample, seed, mutations, encoding).as(HostileInputTest::build);
    }

    static Delivery build(String sample, long seed, int mutations, String encoding) {
        Random random = new Random(seed);
        ObjectNode body = load(sample);
        // a fresh call id so valid deliveries are processed, not answered "duplicate"
        body.put(body.has("_ai") ? "_ai" : "session_id", "fuzz-" + Long.toHexString(seed));
        List<String> done = new ArrayList<>();
        for (int i = 0; i < mutations; i++) {
            done.add(mutate(body, random));
        }
        String json = body.toString();
        String description = sample + " " + encoding + " " + done;
        return switch (encoding) {
            case "form" -> new Delivery("application/x-www-form-urlencoded",
                    ("myoperator=" + URLEncoder.encode(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), description);
            case "wrapped" -> new Delivery("application/json",
                    JSON.createObjectNode().put("myoperator", json).toString().getBytes(StandardCharsets.UTF_8), description);
            case "latin1" -> new Delivery("application/json", (json.replace("Sales", "Sälés")).getBytes(StandardCharsets.ISO_8859_1),
                    description);
            case "truncated" -> new Delivery("application/json",
                    json.substring(0, random.nextInt(json.length())).getBytes(StandardCharsets.UTF_8), description);
            case "no-type" -> new Delivery(null, json.getBytes(StandardCharsets.UTF_8), description);
            default -> new Delivery("application/json", json.getBytes(StandardCharsets.UTF_8), description);
        };
    }

    /** One random change somewhere in the tree: a field dropped, a type flipped, a huge or odd value. */
    static String mutate(ObjectNode root, Random random) {
        List<ObjectNode> objects = new ArrayList<>();
        collect(root, objects);
        ObjectNode target = objects.get(random.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
            return "nothing";
        }
        String field = names.get(random.nextInt(names.size()));
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (random.nextInt(9)) {
            case 0 -> target.remove(field);
            case 1 -> target.set(field, f.nullNode());
            case 2 -> target.put(field, target.get(field).isNumber() ? target.get(field).asText() : "12");
            case 3 -> target.put(field, -987654321L);
            case 4 -> target.put(field, "x".repeat(20_000));
            case 5 -> target.set(field, f.arrayNode().add(f.objectNode()));
            case 6 -> target.set(field, f.objectNode().put("nested", 1));
            case 7 -> target.put(field, "\u0000\uFFFF\uD83D\uDE00<script>");
            default -> target.put(field, 99999999999999L);
        }
        return field + "#" + random.nextInt(100);
    }

    static void collect(JsonNode node, List<ObjectNode> out) {
        if (node instanceof ObjectNode o) {
            out.add(o);
            o.elements().forEachRemaining(child -> collect(child, out));
        } else if (node instanceof ArrayNode a) {
            a.elements().forEachRemaining(child -> collect(child, out));
        }
    }

    static ObjectNode load(String sample) {
        try (InputStream in = HostileInputTest.class.getResourceAsStream("/samples/" + sample)) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
