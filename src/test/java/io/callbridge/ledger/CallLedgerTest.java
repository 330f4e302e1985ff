package io.callbridge.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.call.CallSource;
import io.callbridge.call.CallStatus;
import io.callbridge.call.Direction;
import io.callbridge.e2e.TestWorld;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DynamoDB ledger against a real DynamoDB API (LocalStack with Docker, dynalite without). */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class CallLedgerTest {
    static final AtomicLong KEYS = new AtomicLong(System.nanoTime());

    @Inject
    CallLedger ledger;

    @Inject
    TestWorld world;

    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @BeforeEach
    void clean() {
        world.clearLedger();
    }

    static Call call(String key) {
        Agent priya = new Agent("9001", "Priya Nair", "priya.nair@example.com", "+919886001122", "11");
        Instant start = Instant.parse("2026-11-30T08:00:00.123Z");
        return new Call(key, "d3.1.2", CallSource.V1_AFTER_CALL, Direction.INCOMING, CallStatus.ANSWERED,
                "+919845012367", "+918047123456", start, start.plusSeconds(70), Duration.ofSeconds(58), "rec.mp3",
                priya, List.of(priya), "Sales", "Asha");
    }

    CallRecord record(String key) {
        CallRecord r = new CallRecord(key).state(CallState.IN_PROGRESS).lease("me", now.plusSeconds(60).toEpochMilli())
                .call(call(key)).createdAt(now).updatedAt(now).expiresAtEpochSecond(now.plusSeconds(3600).getEpochSecond());
        r.eventIds().add("after-call:" + key);
        return r;
    }

    @Test
    void aRecordRoundTripsWithEveryField() {
        String key = "k" + KEYS.incrementAndGet();
        CallRecord r = record(key).plan("LOG_ON_DEAL", "incoming-open-deal").personId(7L).dealId(70L).activityId(700L)
                .owner(2001L, "agent-email").writtenDigest("abc").activityAttemptAtMs(123L).attempts(2).lastError("x");
        assertTrue(ledger.create(r, now));
        CallRecord back = ledger.find(key, now).orElseThrow();
        assertEquals(r.call(), back.call());
        assertEquals(CallState.IN_PROGRESS, back.state());
        assertEquals(1, back.version());
        assertEquals(List.of(7L, 70L, 700L, 2001L), List.of(back.personId(), back.dealId(), back.activityId(), back.ownerId()));
        assertEquals("incoming-open-deal", back.planRule());
        assertEquals("agent-email", back.ownerRule());
        assertEquals(123L, back.activityAttemptAtMs());
        assertEquals(r.eventIds(), back.eventIds());
        assertEquals(now, back.createdAt());
    }

    @Test
    void onlyOneOfTwoCreatesWins() {
        String key = "k" + KEYS.incrementAndGet();
        assertTrue(ledger.create(record(key), now));
        assertFalse(ledger.create(record(key), now));
    }

    @Test
    void aReplaceBasedOnAStaleVersionLoses() {
        String key = "k" + KEYS.incrementAndGet();
        ledger.create(record(key), now);
        CallRecord a = ledger.find(key, now).orElseThrow();
        CallRecord b = ledger.find(key, now).orElseThrow();
        assertTrue(ledger.replace(a.state(CallState.LOGGED)));
        assertEquals(2, a.version());
        assertFalse(ledger.replace(b.state(CallState.PARKED)));
        assertEquals(CallState.LOGGED, ledger.find(key, now).orElseThrow().state());
    }

    @Test
    void anExpiredRecordIsAbsentEvenBeforeDynamoDbDeletesIt() {
        String key = "k" + KEYS.incrementAndGet();
        ledger.create(record(key), now);
        Instant later = now.plusSeconds(7200);
        assertTrue(ledger.find(key, later).isEmpty());
        assertTrue(ledger.create(record(key), later), "an expired record can be claimed again");
    }

    @Test
    void manyConcurrentClaimsOfOneCallHaveExactlyOneWinner() throws Exception {
        String key = "k" + KEYS.incrementAndGet();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Boolean>> claims = java.util.stream.IntStream.range(0, 16)
                    .mapToObj(i -> (Callable<Boolean>) () -> ledger.create(record(key), now)).toList();
            long winners = 0;
            for (Future<Boolean> f : pool.invokeAll(claims)) {
                winners += f.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }
}
