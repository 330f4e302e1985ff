package io.callbridge.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.e2e.TestWorld;
import io.callbridge.pipedrive.PipedriveApi;
import io.callbridge.pipedrive.PipedriveException;
import io.callbridge.pipedrive.PipedriveGateway;
import io.callbridge.pipedrive.RequestPacer.Slot;
import io.callbridge.pipedrive.TimeBudget;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The shared Pipedrive rate limiter against a real DynamoDB API (dynalite, or LocalStack with Docker). Every
 * simulated instance gets its own {@link SharedRequestPacer}, as separate Lambda instances would: only the table is
 * shared.
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class SharedRequestPacerTest {
    static final int LIMIT = 10;
    /** Pipedrive's window: what the limiter must keep every window of at or under the limit. */
    static final long WINDOW_MS = 2000;

    @Inject
    DynamoDbClient dynamo;

    @Inject
    CallbridgeConfig config;

    @Inject
    TestWorld world;

    @Inject
    @RestClient
    PipedriveApi api;

    PipedriveFake pipedrive;

    @BeforeEach
    void clean() {
        world.reset(pipedrive); // also drops the limiter's item the application's own limiter wrote
    }

    SharedRequestPacer instance(int burst, int search) {
        return new SharedRequestPacer(dynamo, config.table(), burst, search, Clock.systemUTC());
    }

    /** What one simulated instance got: when its slot was due (ms), when it went (after waiting for it), the wait. */
    record Grant(boolean granted, long slotAtMs, long sentAtMs, long waitMs) {
    }

    @Test
    void thirtyTwoInstancesAtOnceNeverPutMoreThanTheLimitIntoAnyWindowAndAllWhoCanWaitGetASlot() throws Exception {
        List<Grant> grants = atOnce(32, () -> {
            Slot slot = instance(LIMIT, 0).reserve(false, 30_000);
            long slotAt = System.currentTimeMillis() + slot.waitMs();
            sleep(slot.waitMs());
            return new Grant(slot.granted(), slotAt, System.currentTimeMillis(), slot.waitMs());
        });

        assertTrue(grants.stream().allMatch(Grant::granted), () -> "everyone could wait 30 s: " + grants);
        assertAtMostPerWindow(LIMIT, grants.stream().map(Grant::sentAtMs).toList(), "actual send times");
        long first = grants.stream().mapToLong(Grant::sentAtMs).min().orElseThrow();
        long last = grants.stream().mapToLong(Grant::sentAtMs).max().orElseThrow();
        assertTrue(last - first >= 3 * WINDOW_MS, () -> "32 requests at 10 per window span at least three windows, "
                + "they spanned " + (last - first) + " ms");
    }

    @Test
    void instancesThatCannotWaitLongEnoughAreRefusedAndTheOthersStillKeepTheLimit() throws Exception {
        long maxWait = 3000;
        List<Grant> grants = atOnce(24, () -> {
            long asked = System.currentTimeMillis();
            Slot slot = instance(LIMIT, 0).reserve(false, maxWait);
            long slotAt = System.currentTimeMillis() + slot.waitMs();
            if (slot.granted()) {
                assertTrue(slotAt - asked <= maxWait + 50, "granted beyond the wait it was allowed: " + slot);
                sleep(slot.waitMs());
            } else {
                assertTrue(slot.waitMs() > 0, slot::toString);
            }
            return new Grant(slot.granted(), slotAt, System.currentTimeMillis(), slot.waitMs());
        });

        List<Grant> granted = grants.stream().filter(Grant::granted).toList();
        assertTrue(granted.size() >= LIMIT, () -> "the first window's worth at least: " + grants);
        assertTrue(granted.size() <= 2 * LIMIT, () -> "no more than two windows fit in 3 s: " + grants);
        assertTrue(granted.size() < grants.size(), () -> "24 cannot all fit in 3 s: " + grants);
        assertAtMostPerWindow(LIMIT, granted.stream().map(Grant::sentAtMs).toList(), "actual send times");
    }

    @Test
    void aSlotTooFarAwayIsNotReserved() {
        SharedRequestPacer pacer = instance(LIMIT, 0);
        assertEquals(Slot.grantedIn(0), pacer.reserve(false, 0), "a free grid: at once");
        Map<String, AttributeValue> before = item();

        Slot refused = pacer.reserve(false, 50);
        assertFalse(refused.granted());
        long spacing = (WINDOW_MS + SharedRequestPacer.MARGIN_MS) / LIMIT;
        assertTrue(refused.waitMs() > 50 && refused.waitMs() <= spacing + 50, refused::toString);
        assertEquals(before, item(), "a refusal writes nothing");

        // the next one that can wait gets the very slot the refused one was offered: the refusal took none
        Slot granted = instance(LIMIT, 0).reserve(false, 5000);
        assertTrue(granted.granted());
        assertTrue(Math.abs(granted.waitMs() - refused.waitMs()) < 100, () -> refused + " then " + granted);
    }

    @Test
    void searchesKeepTheirOwnLimitAndCountAgainstTheBurstLimitToo() throws Exception {
        List<Long> searches = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Grant> grants = atOnce(30, () -> {
            boolean search = Thread.currentThread().getId() % 3 == 0;
            Slot slot = instance(20, LIMIT).reserve(search, 30_000);
            long slotAt = System.currentTimeMillis() + slot.waitMs();
            if (search) {
                searches.add(slotAt);
            }
            return new Grant(slot.granted(), slotAt, slotAt, slot.waitMs());
        });
        assertTrue(grants.stream().allMatch(Grant::granted), grants::toString);
        assertTrue(!searches.isEmpty() && searches.size() < grants.size(), searches::toString);
        assertAtMostPerWindow(LIMIT, searches, "search slots");
        assertAtMostPerWindow(20, grants.stream().map(Grant::slotAtMs).toList(), "all slots");

        // a search takes the room of two requests on a Lite plan's grid (20 requests, 10 searches per 2 s)
        world.reset(pipedrive);
        SharedRequestPacer pacer = instance(20, LIMIT);
        assertEquals(Slot.grantedIn(0), pacer.reserve(true, 0));
        Slot next = pacer.reserve(false, 5000);
        assertTrue(next.waitMs() >= 2 * (WINDOW_MS / 20) - 20, next::toString);
    }

    @Test
    void aZeroLimitPacesNothingAndWritesNothing() {
        SharedRequestPacer off = instance(0, 0);
        for (int i = 0; i < 50; i++) {
            assertEquals(Slot.grantedIn(0), off.reserve(i % 2 == 0, 0));
        }
        assertTrue(item().isEmpty());
    }

    @Test
    void whenDynamoDbFailsRequestsGoOutUnpacedRatherThanBeingHeldBack() {
        SharedRequestPacer broken = new SharedRequestPacer(dynamo, "no-such-table", LIMIT, LIMIT, Clock.systemUTC());
        for (int i = 0; i < 3 * LIMIT; i++) {
            assertEquals(Slot.grantedIn(0), broken.reserve(true, 0));
        }
    }

    @Test
    void theGatewayDoesNotSendARequestWhoseSlotIsBeyondItsTimeBudgetAndParksItAsRateLimited() {
        SharedRequestPacer pacer = instance(20, LIMIT);
        PipedriveGateway gateway = new PipedriveGateway(api, config, pacer);
        for (int i = 0; i < 20; i++) {
            assertTrue(instance(20, LIMIT).reserve(false, 30_000).granted()); // other instances book 2.25 s ahead
        }
        long booked = System.currentTimeMillis();
        Map<String, AttributeValue> before = item();
        int sent = pipedrive.requests().size();

        PipedriveException e = assertThrows(PipedriveException.class, () -> TimeBudget.within(
                Instant.now().plusMillis(800), () -> gateway.searchPersonsByPhone("9876543299")));

        assertTrue(e.rateLimited() && e.paced() && !e.dailyBudgetExhausted() && !e.writeMayHaveHappened(), e::toString);
        assertNotNull(e.retryAfter());
        assertTrue(e.retryAfter().compareTo(Duration.ofSeconds(1)) >= 0, () -> e.retryAfter().toString());
        assertEquals(sent, pipedrive.requests().size(), "nothing went to Pipedrive");
        assertEquals(before, item(), "and no slot was reserved");

        // with time to wait (the tests' maximum wait is 1.5 s), the same search waits for its slot instead
        sleep(booked + 1000 - System.currentTimeMillis());
        TimeBudget.within(Instant.now().plusSeconds(5), () -> gateway.searchPersonsByPhone("9876543299"));
        long elapsed = System.currentTimeMillis() - booked;
        assertTrue(elapsed >= WINDOW_MS, "the search went " + elapsed + " ms after the 20 booked slots");
        assertEquals(sent + 1, pipedrive.requests().size());
        assertTrue(pipedrive.requests().stream().noneMatch(r -> r.status() == 429), pipedrive.requests()::toString);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** No window of {@link #WINDOW_MS} holds more than {@code limit} of the times. */
    static void assertAtMostPerWindow(int limit, List<Long> times, String what) {
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        for (int i = 0; i + limit < sorted.size(); i++) {
            long gap = sorted.get(i + limit) - sorted.get(i);
            int at = i;
            assertTrue(gap >= WINDOW_MS, () -> what + ": " + (limit + 1) + " within " + gap + " ms from #" + at + ": "
                    + sorted);
        }
    }

    interface Acquirer {
        Grant run() throws Exception;
    }

    static List<Grant> atOnce(int n, Acquirer acquirer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier start = new CyclicBarrier(n);
        try {
            List<Future<Grant>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return acquirer.run();
                }));
            }
            List<Grant> out = new ArrayList<>();
            for (Future<Grant> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    Map<String, AttributeValue> item() {
        return dynamo.getItem(b -> b.tableName(config.table()).consistentRead(true).key(Map.of(
                CallLedger.PK, CallLedger.s(SharedRequestPacer.KEY),
                CallLedger.SK, CallLedger.s(SharedRequestPacer.SORT_KEY)))).item();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
