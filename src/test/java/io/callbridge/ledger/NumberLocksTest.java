package io.callbridge.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The per-number lock and its memo of what the last holder created, against a real DynamoDB API (dynalite, or
 * LocalStack with Docker).
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class NumberLocksTest {
    static final Duration LEASE = Duration.ofSeconds(15);

    @Inject
    NumberLocks locks;

    static String freshNumber() {
        return "+9198" + (10_000_000 + ThreadLocalRandom.current().nextInt(89_999_999));
    }

    @Test
    void aHolderRemembersWhatItCreatedForTheNextHolder() {
        String number = freshNumber();
        Instant now = Instant.now();
        assertEquals(NumberLocks.Memo.EMPTY, locks.tryLock(number, "a", now, LEASE).orElseThrow());
        assertTrue(locks.tryLock(number, "b", now, LEASE).isEmpty(), "held by a");

        locks.unlock(number, "a", 11L, 12L, now);
        NumberLocks.Memo memo = locks.tryLock(number, "b", now, LEASE).orElseThrow();

        assertEquals(11L, memo.personId());
        assertEquals(12L, memo.dealId());
        assertTrue(memo.freshAt(now, Duration.ofMinutes(10)));
    }

    @Test
    void aMemoNamingAVanishedPersonOrDealIsForgottenAndOtherMemosAreKept() {
        String number = freshNumber();
        Instant now = Instant.now();
        locks.tryLock(number, "a", now, LEASE).orElseThrow();
        locks.unlock(number, "a", 21L, 22L, now);

        locks.forgetMemoOf(number, 99L, 98L); // other objects: the memo stays
        NumberLocks.Memo kept = locks.tryLock(number, "b", now, LEASE).orElseThrow();
        assertEquals(21L, kept.personId());

        locks.forgetMemoOf(number, null, 22L); // its deal is gone: the whole memo goes, the lock stays b's
        assertTrue(locks.tryLock(number, "c", now, LEASE).isEmpty(), "still held by b");
        locks.unlock(number, "b", null, null, now);
        assertEquals(NumberLocks.Memo.EMPTY, locks.tryLock(number, "c", now, LEASE).orElseThrow());

        locks.forgetMemoOf(freshNumber(), 21L, null); // no item at all: nothing happens, nothing is thrown
        locks.forgetMemoOf(number, null, null);
    }
}
