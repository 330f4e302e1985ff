package io.callbridge.e2e;

import static io.callbridge.e2e.TestWorld.PRIYA;
import static io.callbridge.e2e.TestWorld.days;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.CallRecord;
import io.callbridge.ledger.CallState;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.pipedrive.FakeFault;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFake.Activity;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every accepted call lands in Pipedrive once: fast acknowledgement, parking and replay, faults at each step,
 * concurrency, a crash between a create and its checkpoint. Each test asserts the final Pipedrive state.
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class ExactlyOnceTest {
    static final String KNOWN_CALLER = "01-incoming-open-deal-v1-form.json";
    static final String UNKNOWN_CALLER = "06-incoming-unknown-number-v2-call-end.json";

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @Inject
    CallLedger ledger;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
    }

    long seedKnownCaller() {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+91 98450 12367");
        return pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
    }

    static Reply replay() {
        return LambdaEvents.post("internal/schedule-replay.json");
    }

    /** Runs the scheduled replay until nothing is parked (bounded; unanswered creates settle in 3 s in tests). */
    Reply replayUntilDone() {
        Reply last = null;
        for (int i = 0; i < 12; i++) {
            last = replay();
            assertEquals(200, last.status(), last.body()::toString);
            if (ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 10).isEmpty()) {
                return last;
            }
            forceDue();
            pause(500);
        }
        return last;
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Makes every parked call due now (the test does not wait for the real back-off). */
    void forceDue() {
        for (CallRecord r : ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 100)) {
            if (r.state() == CallState.PARKED) {
                ledger.replace(r.nextTryAtMs(0));
            }
        }
    }

    static Reply admin(String method, String path, String token) {
        ObjectNode e = LambdaEvents.load("admin/replay-all.json");
        e.put("routeKey", method + " " + path).put("rawPath", path);
        e.withObject("/requestContext").put("routeKey", method + " " + path);
        e.withObject("/requestContext/http").put("method", method).put("path", path);
        ObjectNode headers = e.withObject("/headers");
        if (token == null) {
            headers.remove("x-admin-token");
        } else {
            headers.put("x-admin-token", token);
        }
        return LambdaEvents.post(e);
    }

    // ---------------------------------------------------------------- fast acknowledgement and replay

    @Test
    void aSlowPipedriveGetsA2xxWithinTheBudgetAndTheReplayLogsTheCall() {
        long deal = seedKnownCaller();
        pipedrive.setLatency(Duration.ofMillis(1200));

        long start = System.nanoTime();
        Reply reply = LambdaEvents.post(KNOWN_CALLER);
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(202, reply.status(), reply.body()::toString);
        assertEquals("parked", reply.field("status"));
        assertTrue(tookMs < 3500, "answered in " + tookMs + " ms");

        // a Pipedrive that hangs is cut off at the budget, not at the client's 8 s read timeout
        pipedrive.setLatency(Duration.ofSeconds(20));
        start = System.nanoTime();
        Reply hung = LambdaEvents.post("02-incoming-no-open-deal-v1-json.json");
        tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(202, hung.status(), hung.body()::toString);
        assertTrue(tookMs < 3500, "answered in " + tookMs + " ms");
        assertTrue(hung.field("error").contains("timed out") || hung.field("error").contains("time budget"),
                hung.body()::toString);

        pipedrive.setLatency(Duration.ZERO);
        replayUntilDone();
        Activity a = only(activitiesOf("6a1f0c3b9d2e4411"));
        assertEquals(deal, a.dealId());
        assertEquals(PRIYA, a.ownerId());
        assertEquals(1, activitiesOf("6a1f0c3b9d2e4412").size(), "the hung delivery is logged once too");
        assertEquals("duplicate", LambdaEvents.post(KNOWN_CALLER).field("status"));
        assertEquals(2, pipedrive.activities().size());
    }

    List<Activity> activitiesOf(String callId) {
        return pipedrive.activities().stream().filter(x -> x.note().contains("MyOperator call id: " + callId)).toList();
    }

    @Test
    void pipedriveDownThenBackAndTheAdminReplayFinishesTheCall() {
        seedKnownCaller();
        pipedrive.fault(FakeFault.onAny("^/(api/)?v[12]/").status(503).always());
        for (int i = 0; i < 3; i++) {
            Reply r = LambdaEvents.post(KNOWN_CALLER);
            assertEquals(202, r.status(), r.body()::toString);
        }

        Reply listed = admin("GET", "/admin/calls", "local-admin-token");
        assertEquals(200, listed.status(), listed.body()::toString);
        assertEquals(1, listed.body().path("count").asInt());
        assertEquals("6a1f0c3b9d2e4411", listed.body().at("/calls/0/callId").asText());
        assertTrue(listed.body().at("/calls/0/reason").asText().contains("503"), listed.body()::toString);

        pipedrive.clearFaults();
        Reply replayed = admin("POST", "/admin/replay", "local-admin-token");
        assertEquals(200, replayed.status(), replayed.body()::toString);
        assertEquals(1, pipedrive.activities().size());
        assertEquals(0, admin("GET", "/admin/calls", "local-admin-token").body().path("count").asInt());
    }

    @Test
    void replayingAnUnknownCallIdIsA404NotASuccess() {
        Reply r = admin("POST", "/admin/replay/no-such-call", "local-admin-token");
        assertEquals(404, r.status(), r.body()::toString);
        assertEquals("unknown", r.field("status"));
    }

    @Test
    void adminRoutesNeedTheAdminTokenAndInternalRoutesOnlyAnswerTheSchedule() {
        assertEquals(401, admin("GET", "/admin/calls", null).status());
        assertEquals(401, admin("POST", "/admin/replay", "local-webhook-token").status());
        Reply forged = LambdaEvents.post("internal/schedule-replay.json",
                e -> e.withObject("/requestContext").put("apiId", "abc123"));
        assertEquals(404, forged.status(), "an event through the real API Gateway carries the real api id");
        Reply scheduled = replay();
        assertEquals(200, scheduled.status(), scheduled.body()::toString);
    }

    @Test
    void oneCallCanBeReplayedByIdIncludingAFailedOne() {
        seedKnownCaller();
        pipedrive.fault(FakeFault.onAny("^/(api/)?v[12]/").status(503).always());
        LambdaEvents.post(KNOWN_CALLER);
        CallRecord parked = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        // older than the maximum age: the next scheduled replay gives up on it
        ledger.replace(parked.createdAt(Instant.now().minus(Duration.ofDays(10))).nextTryAtMs(0));
        replay();
        assertEquals(CallState.FAILED, ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow().state());
        Reply failed = LambdaEvents.post(adminList("failed"));
        assertEquals(1, failed.body().path("count").asInt(), failed.body()::toString);

        pipedrive.clearFaults();
        Reply one = admin("POST", "/admin/replay/6a1f0c3b9d2e4411", "local-admin-token");
        assertEquals("logged", one.field("status"), one.body()::toString);
        assertEquals(1, pipedrive.activities().size());
    }

    static ObjectNode adminList(String status) {
        ObjectNode e = LambdaEvents.load("admin/list-parked.json");
        e.put("rawQueryString", "status=" + status);
        e.putObject("queryStringParameters").put("status", status);
        return e;
    }

    // ---------------------------------------------------------------- each fault at each step

    static Stream<Arguments> faultAtEachStep() {
        List<Arguments> out = new ArrayList<>();
        for (String step : List.of("persons", "deals", "activities")) {
            String path = "^/api/v2/" + step + "$";
            out.add(Arguments.of(step + ": 500 twice", FakeFault.on("POST", path).status(500).times(2)));
            out.add(Arguments.of(step + ": stored, then 500", FakeFault.on("POST", path).createThen(500).times(1)));
            out.add(Arguments.of(step + ": stored, then 400", FakeFault.on("POST", path).createThen(400).times(1)));
            out.add(Arguments.of(step + ": stored, connection dropped", FakeFault.on("POST", path).dropAfter().times(1)));
            out.add(Arguments.of(step + ": stored after the client timed out", FakeFault.on("POST", path).delay(2500).times(1)));
            out.add(Arguments.of(step + ": 429 burst", FakeFault.on("POST", path).status(429).retryAfter(1).times(1)));
            out.add(Arguments.of(step + ": down for good", FakeFault.on("POST", path).status(503).times(20)));
            out.add(Arguments.of(step + ": HTML 403", FakeFault.on("POST", path).status(403).times(1)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultAtEachStep")
    void aFaultAtAnyStepEndsWithExactlyOnePersonDealAndActivity(String name, FakeFault fault) {
        pipedrive.fault(fault);

        Reply reply = LambdaEvents.post(UNKNOWN_CALLER);
        assertTrue(reply.status() == 200 || reply.status() == 202, () -> name + ": " + reply.body());
        if (reply.status() == 202) {
            pipedrive.clearFaults();
            replayUntilDone();
        }
        // a redelivery afterwards changes nothing
        LambdaEvents.post(UNKNOWN_CALLER);

        assertEquals(1, pipedrive.newPersons().size(), () -> name + ": " + pipedrive.newPersons());
        assertEquals(1, pipedrive.newDeals().size(), () -> name + ": " + pipedrive.newDeals());
        Activity a = only(pipedrive.activities());
        assertEquals(pipedrive.newDeals().get(0).id(), a.dealId());
        assertEquals(pipedrive.newPersons().get(0).id(), a.personId());
        assertEquals(CallState.LOGGED, ledger.find("s7.1767521720.2291", Instant.now()).orElseThrow().state());
    }

    @Test
    void aPersonStoredWithoutAnAnswerIsFoundEvenBeforePipedrivesSearchShowsIt() {
        pipedrive.setIndexDelay(Duration.ofSeconds(30));
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/persons$").createThen(502).times(1));

        Reply reply = LambdaEvents.post(UNKNOWN_CALLER);
        if (reply.status() == 202) {
            replayUntilDone();
        }

        assertEquals(1, pipedrive.newPersons().size(), () -> pipedrive.newPersons().toString());
        assertEquals(1, pipedrive.newDeals().size());
        assertEquals(1, pipedrive.activities().size());
    }

    @Test
    void aCrashBetweenTheActivityCreateAndItsCheckpointIsNotADuplicateAfterReplay() {
        seedKnownCaller();
        assertEquals("logged", LambdaEvents.post(KNOWN_CALLER).field("status"));
        // Rewind the ledger to what a crash right after POST /activities leaves: attempt noted, id not, lease held.
        CallRecord r = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        r.activityId(null).writtenDigest(null).activityAttemptAtMs(System.currentTimeMillis() - 5000)
                .state(CallState.IN_PROGRESS).lease("crashed-invocation", System.currentTimeMillis() - 1);
        assertTrue(ledger.replace(r));

        replayUntilDone();

        assertEquals(1, pipedrive.activities().size(), () -> pipedrive.activities().toString());
        CallRecord after = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        assertEquals(CallState.LOGGED, after.state());
        assertEquals(pipedrive.activities().get(0).id(), after.activityId());
    }

    @Test
    void aCallHeldByALiveDeliveryIsNotTakenOverButOneWhoseLeaseRanOutIs() {
        seedKnownCaller();
        pipedrive.fault(FakeFault.onAny("^/(api/)?v[12]/").status(503).always());
        LambdaEvents.post(KNOWN_CALLER);
        pipedrive.clearFaults();
        CallRecord r = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        r.state(CallState.IN_PROGRESS).lease("live-invocation", System.currentTimeMillis() + 60_000);
        assertTrue(ledger.replace(r));
        assertEquals("duplicate", LambdaEvents.post(KNOWN_CALLER).field("status"), "the same event is in hand");
        replay();
        assertTrue(pipedrive.activities().isEmpty(), "a live lease is respected");

        r = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        r.lease("live-invocation", System.currentTimeMillis() - 1);
        assertTrue(ledger.replace(r));
        replayUntilDone();
        assertEquals(1, pipedrive.activities().size());
    }

    // ---------------------------------------------------------------- Pipedrive answers that need a decision

    @Test
    void aBadTokenParksTheCallLoudlyAndItIsLoggedOnceTheTokenWorks() {
        seedKnownCaller();
        pipedrive.fault(FakeFault.onAny("^/(api/)?v[12]/").status(401).always());
        Reply r = LambdaEvents.post(KNOWN_CALLER);
        assertEquals(202, r.status());
        assertTrue(r.field("error").contains("401"), r.body()::toString);
        CallRecord parked = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        assertTrue(parked.nextTryAtMs() > System.currentTimeMillis() + 60_000, "no hammering with a bad token");
        pipedrive.clearFaults();
        admin("POST", "/admin/replay", "local-admin-token");
        assertEquals(1, pipedrive.activities().size());
    }

    @Test
    void aSpentDailyBudgetParksUntilItResetsWithoutHammering() {
        seedKnownCaller();
        pipedrive.setLimits(1000, 1000, 0);
        Reply r = LambdaEvents.post(KNOWN_CALLER);
        assertEquals(202, r.status(), r.body()::toString);
        int requests = pipedrive.requests().size();
        assertTrue(requests <= 2, "users + search at most, got " + pipedrive.requests());
        replay();
        assertEquals(requests, pipedrive.requests().size(), "the scheduled replay waits for the reset");
        CallRecord parked = ledger.find("6a1f0c3b9d2e4411", Instant.now()).orElseThrow();
        assertTrue(parked.nextTryAtMs() > System.currentTimeMillis() + 60_000);
    }

    @Test
    void theOpenDealLimitLogsTheCallOnThePersonAndSaysWhy() {
        long vikram = pipedrive.addPerson(null, "Vikram Shah", "9900123456");
        pipedrive.setOpenDealsLimit(0);
        Reply r = LambdaEvents.post("02-incoming-no-open-deal-v1-json.json");
        assertEquals(200, r.status(), r.body()::toString);
        Activity a = only(pipedrive.activities());
        assertNull(a.dealId());
        assertEquals(vikram, a.personId());
        assertTrue(a.note().contains("open-deal limit"), a.note());
        assertTrue(pipedrive.newDeals().isEmpty());
    }

    @Test
    void aDealThatVanishedBeforeTheActivityIsResolvedAgain() {
        long deal = seedKnownCaller();
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/activities$").status(503).times(20));
        assertEquals(202, LambdaEvents.post(KNOWN_CALLER).status());
        pipedrive.clearFaults();
        pipedrive.deleteDeal(deal);

        replayUntilDone();

        Activity a = only(pipedrive.activities());
        assertEquals(only(pipedrive.newDeals()).id(), a.dealId(), "no open deal any more: a new one");
    }

    // ---------------------------------------------------------------- concurrency and order

    @Test
    void twoCallsFromTheSameNewNumberAtTheSameMomentShareOnePersonAndOneDeal() throws Exception {
        for (int round = 0; round < 3; round++) {
            world.reset(pipedrive);
            int r = round;
            Consumer<ObjectNode> second = e -> e.put("body", e.get("body").asText()
                    .replace("s7.1767521720.2291", "s7.1767521720.99" + r)
                    .replace("event-9c41aa07d3b2e615", "event-second-" + r));
            Consumer<ObjectNode> first = e -> e.put("body", e.get("body").asText()
                    .replace("s7.1767521720.2291", "s7.1767521720.88" + r)
                    .replace("event-9c41aa07d3b2e615", "event-first-" + r));
            List<Reply> replies = parallel(List.of(first, second));
            for (Reply reply : replies) {
                assertTrue(reply.status() == 200 || reply.status() == 202, reply.body()::toString);
            }
            replayUntilDone();
            assertEquals(1, pipedrive.newPersons().size(), () -> "round " + r + ": " + pipedrive.newPersons());
            assertEquals(1, pipedrive.newDeals().size(), () -> "round " + r + ": " + pipedrive.newDeals());
            assertEquals(2, pipedrive.activities().size());
            long dealId = pipedrive.newDeals().get(0).id();
            assertTrue(pipedrive.activities().stream().allMatch(a -> a.dealId() == dealId));
        }
    }

    @Test
    void aCreateRefusedWithA429IsTriedAgainByTheNextReplayWithoutWaitingTheSettleTime() {
        long deal = seedKnownCaller();
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/activities$").status(429).retryAfter(5).times(1));

        Reply reply = LambdaEvents.post(KNOWN_CALLER);
        assertEquals("parked", reply.field("status"), reply.body()::toString);
        assertTrue(pipedrive.activities().isEmpty());

        forceDue(); // the replay would wait the 5 s Retry-After; the test does not
        Reply replayed = replay();
        assertEquals(200, replayed.status(), replayed.body()::toString);
        Activity a = only(pipedrive.activities());
        assertEquals(deal, a.dealId(), "a 429 stores nothing: no settle wait, no look-up needed, logged at once");
    }

    @Test
    void manyParallelDeliveriesOfOneCallUnderSlowPipedriveGiveOneActivity() throws Exception {
        seedKnownCaller();
        pipedrive.setLatency(Duration.ofMillis(150));
        List<Consumer<ObjectNode>> same = java.util.Collections.nCopies(12, e -> { });
        for (Reply r : parallel(same)) {
            assertTrue(List.of("logged", "duplicate", "parked", "accepted").contains(r.field("status")), r.body()::toString);
        }
        pipedrive.setLatency(Duration.ZERO);
        replayUntilDone();
        assertEquals(1, pipedrive.activities().size());
    }

    @Test
    void aSummaryArrivingWhileTheEndIsBeingWrittenIsKeptAndMergedByTheReplay() throws Exception {
        long neha = pipedrive.addPerson(null, "Neha Kapoor", "+919833001199");
        pipedrive.addDeal(null, neha, "Neha – onboarding", "open", days(5));
        // the end's activity create is slow, so the summary finds the call held
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/activities$").delay(1400).times(1));
        CompletableFuture<Reply> end = CompletableFuture.supplyAsync(
                () -> LambdaEvents.post("03-outgoing-open-deal-v2-call-end.json"));
        Thread.sleep(400);
        Reply summary = LambdaEvents.post("04-outgoing-open-deal-v2-call-summary.json");
        Reply endReply = end.get();
        assertTrue(List.of("logged", "parked").contains(endReply.field("status")), endReply.body()::toString);
        assertTrue(List.of("accepted", "logged").contains(summary.field("status")), summary.body()::toString);

        replayUntilDone();

        Activity a = only(pipedrive.activities());
        assertEquals(PRIYA, a.ownerId(), "the summary's owner made it in");
        assertEquals("duplicate", LambdaEvents.post("04-outgoing-open-deal-v2-call-summary.json").field("status"));
        assertEquals(1, pipedrive.activities().size());
    }

    @Test
    void aMissedStatusArrivingLateDoesNotUndoAnAnsweredCall() {
        long neha = pipedrive.addPerson(null, "Neha Kapoor", "+919833001199");
        pipedrive.addDeal(null, neha, "Neha – onboarding", "open", days(5));
        LambdaEvents.post("04-outgoing-open-deal-v2-call-summary.json");
        Reply late = LambdaEvents.post("03-outgoing-open-deal-v2-call-end.json", e -> e.put("body", e.get("body").asText()
                .replace("\"status\":\"bridged\"", "\"status\":\"missed\"")));
        assertEquals("logged", late.field("status"));
        Activity a = only(pipedrive.activities());
        assertTrue(a.done());
        assertEquals(PRIYA, a.ownerId());
        assertNotNull(a.duration());
    }

    private static List<Reply> parallel(List<Consumer<ObjectNode>> changes) throws Exception {
        String file = changes.size() == 2 ? UNKNOWN_CALLER : KNOWN_CALLER;
        ExecutorService pool = Executors.newFixedThreadPool(changes.size());
        CyclicBarrier start = new CyclicBarrier(changes.size());
        try {
            List<Future<Reply>> futures = new ArrayList<>();
            for (Consumer<ObjectNode> change : changes) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return LambdaEvents.post(file, change);
                }));
            }
            List<Reply> out = new ArrayList<>();
            for (Future<Reply> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T only(List<T> items) {
        assertEquals(1, items.size(), () -> "expected exactly one, got " + items);
        return items.get(0);
    }
}
