package io.callbridge.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.CallRecord;
import io.callbridge.ledger.CallState;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFake.Activity;
import io.callbridge.testing.pipedrive.PipedriveFake.RecordedRequest;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.callbridge.web.DeliveryIntake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A burst of first-time callers against a Pipedrive that enforces the Lite plan's limits (20 requests and 10
 * searches per 2 s, answered 429 beyond): the shared limiter keeps every request under them, so Pipedrive never
 * refuses one, and every call ends logged, at once or parked and then logged by the replay; none fails, none twice.
 */
@QuarkusTest
@TestProfile(RateLimitedBurstTest.LitePlanLimits.class)
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class RateLimitedBurstTest {
    static final int BURST = 20;
    static final int SEARCHES = 10;
    static final String UNKNOWN_CALLER = "06-incoming-unknown-number-v2-call-end.json";
    static final String SESSION = "s7.1767521720.2291";

    /** Pipedrive's real numbers for the limiter (the other tests run it with limits nobody reaches). */
    public static class LitePlanLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("callbridge.pipedrive-burst-limit", String.valueOf(BURST),
                    "callbridge.pipedrive-search-limit", String.valueOf(SEARCHES));
        }
    }

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @Inject
    CallLedger ledger;

    @Inject
    DeliveryIntake intake;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
        pipedrive.setLimits(BURST, SEARCHES, PipedriveFake.DEFAULT_DAILY_BUDGET);
    }

    @Test
    void firstTimeCallersPostedAtOnceThroughTheLambdaHandlerAreAllLoggedWithoutA429() throws Exception {
        int calls = 16;
        List<Reply> replies = atOnce(calls, i -> () -> LambdaEvents.post(UNKNOWN_CALLER, e -> caller(e, "post", i)));
        for (Reply r : replies) {
            assertTrue(List.of("logged", "parked").contains(r.field("status")), r.body()::toString);
        }
        assertAllLoggedOnceWithoutA429("post", calls);
    }

    /**
     * The same burst as separate Lambda instances would take it, in parallel (the local Lambda emulator runs one
     * invocation at a time): each thread takes one delivery through the webhook's intake, as its handler does.
     */
    @Test
    void firstTimeCallersTakenInParallelAsByManyInstancesAreAllLoggedWithoutA429() throws Exception {
        int calls = 24;
        List<Response> answers = atOnce(calls, i -> () -> {
            ObjectNode event = LambdaEvents.load(UNKNOWN_CALLER);
            caller(event, "parallel", i);
            byte[] body = event.get("body").asText().getBytes(StandardCharsets.UTF_8);
            return intake.take("application/json", body, System.nanoTime(), true);
        });
        for (Response r : answers) {
            assertTrue(r.getStatus() == 200 || r.getStatus() == 202, () -> r.getStatus() + " " + r.getEntity());
        }
        assertAllLoggedOnceWithoutA429("parallel", calls);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    void assertAllLoggedOnceWithoutA429(String prefix, int calls) {
        replayUntilDone();
        List<RecordedRequest> refused = pipedrive.requests().stream().filter(r -> r.status() == 429).toList();
        assertEquals(List.of(), refused, "Pipedrive refused no request, searches included");
        assertTrue(pipedrive.requests("GET", "^/api/v2/persons/search$").size() >= calls, "every call searched");
        for (int i = 0; i < calls; i++) {
            String key = session(prefix, i);
            CallRecord r = ledger.find(key, Instant.now()).orElseThrow();
            assertEquals(CallState.LOGGED, r.state(), () -> key + ": " + r.state() + " " + r.lastError());
            assertEquals("default-owner-email", r.ownerRule(), () -> key + ": the limiter never costs a call its owner");
            List<Activity> activities = pipedrive.activities().stream()
                    .filter(a -> a.note().contains("MyOperator call id: " + key + "<")).toList();
            assertEquals(1, activities.size(), () -> key + ": activities " + activities.stream().map(Activity::id).toList());
            assertEquals(r.activityId(), activities.get(0).id());
        }
        assertEquals(calls, pipedrive.activities().size());
        assertEquals(calls, pipedrive.newPersons().size(), () -> pipedrive.newPersons().toString());
        assertEquals(calls, pipedrive.newDeals().size(), () -> pipedrive.newDeals().toString());
    }

    /** Runs the scheduled replay until nothing is parked, making parked calls due at once (bounded). */
    void replayUntilDone() {
        for (int i = 0; i < 20 && !ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 10).isEmpty(); i++) {
            for (CallRecord r : ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 100)) {
                if (r.state() == CallState.PARKED) {
                    ledger.replace(r.nextTryAtMs(0));
                }
            }
            Reply run = LambdaEvents.post("internal/schedule-replay.json");
            assertEquals(200, run.status(), run.body()::toString);
        }
    }

    static String session(String prefix, int i) {
        return "s7." + prefix + "." + i;
    }

    /** Makes the sample a call of its own from a number of its own. */
    static void caller(ObjectNode event, String prefix, int i) {
        event.put("body", event.get("body").asText()
                .replace(SESSION, session(prefix, i))
                .replace("event-9c41aa07d3b2e615", "event-" + prefix + "-" + i)
                .replace("+919812345670", "+9198123" + (40000 + i + (prefix.equals("post") ? 0 : 500))));
    }

    static <T> List<T> atOnce(int n, IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier start = new CyclicBarrier(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<T> work = task.apply(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
