package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.pipedrive.RequestPacer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Pipedrive's rate limits, shared by every instance through one DynamoDB item ({@code pk = RATE#pipedrive},
 * {@code sk = LIMIT}): a sliding-window log of the request slots granted lately, one log for all requests and one
 * for searches, and a version for optimistic concurrency.
 *
 * <p>A request gets the earliest slot that keeps every rolling window of {@link #WINDOW_MS} (plus {@link #MARGIN_MS})
 * at or under the limit: now, unless the log already holds {@code limit} slots later than one window ago, then one
 * window after the oldest of the last {@code limit}; never earlier than the latest slot granted, so slots are
 * monotonic and any window holds at most {@code limit} of them. A search needs a slot free in both logs and takes it
 * in both with one write, so its two reservations cannot drift apart. The slot is reserved with a conditional put
 * (the version read, or no item); a conflicting write by another instance means reading again, after a random pause
 * that grows with each conflict. A slot further away than the caller can wait is not reserved (the caller parks the
 * call instead); a slot that passed while it was being written is left taken and another one reserved.
 *
 * <p>Only GetItem and PutItem with conditions: no transactions, no reliance on TTL expiry (slots older than a window
 * are ignored, so an expired item reads like an absent one). When DynamoDB fails (throttling of the hot item, an
 * outage, a timeout), the request goes out unpaced and a WARN says so: the limiter is a courtesy towards Pipedrive,
 * whose own 429s the gateway still waits out or parks; holding calls back because the limiter's item cannot be read
 * would delay every call for nothing (and parking them needs DynamoDB too).
 */
@ApplicationScoped
public class SharedRequestPacer implements RequestPacer {
    private static final Logger LOG = Logger.getLogger(SharedRequestPacer.class);

    /** Pipedrive's rolling window (API reference, "Rate limiting"). */
    public static final long WINDOW_MS = 2000;
    /**
     * Added to the window: Pipedrive counts a request when it arrives, so the spread of the time from slot to arrival
     * (a new TLS connection against a warm one, clock differences between instances) must not squeeze two windows'
     * worth of requests into one.
     */
    public static final long MARGIN_MS = 250;
    /**
     * A slot may be used this late (its write took a while); a later one is given up and another reserved, so a
     * request goes out between its slot and this much after it, well within {@link #MARGIN_MS}.
     */
    static final long LATE_MS = 100;
    static final String KEY = "RATE#pipedrive";
    static final String SORT_KEY = "LIMIT";
    static final String ALL = "allSlots";
    static final String SEARCHES = "searchSlots";
    static final String VERSION = "version";
    /** Each DynamoDB call of the limiter gives up after this (it then paces nothing, see above). */
    static final Duration DYNAMO_TIMEOUT = Duration.ofSeconds(1);
    /** The item lives on while in use; TTL may remove it a day after the last request. */
    static final Duration KEEP = Duration.ofDays(1);
    /** Reads and writes one reservation may take under contention, whatever the wait allows. */
    static final int MAX_ATTEMPTS = 50;
    static final long WARN_EVERY_MS = 60_000;

    private final DynamoDbClient dynamo;
    private final String table;
    private final int burstLimit;
    private final int searchLimit;
    private final Clock clock;
    private final AtomicLong lastWarnMs = new AtomicLong();
    private final AtomicLong unpacedSinceWarn = new AtomicLong();

    @Inject
    public SharedRequestPacer(DynamoDbClient dynamo, CallbridgeConfig config, Clock clock) {
        this(dynamo, config.table(), config.pipedriveBurstLimit(), config.pipedriveSearchLimit(), clock);
    }

    public SharedRequestPacer(DynamoDbClient dynamo, String table, int burstLimit, int searchLimit, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.burstLimit = Math.max(0, burstLimit);
        this.searchLimit = Math.max(0, searchLimit);
        this.clock = clock;
    }

    @Override
    public Slot reserve(boolean search, long maxWaitMs) {
        boolean paceAll = burstLimit > 0;
        boolean paceSearch = search && searchLimit > 0;
        if (!paceAll && !paceSearch) {
            return Slot.grantedIn(0);
        }
        long latest = clock.millis() + Math.max(0, maxWaitMs);
        try {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                GetItemResponse read = dynamo.getItem(GetItemRequest.builder().tableName(table).key(key())
                        .consistentRead(true).overrideConfiguration(timeout()).build());
                Map<String, AttributeValue> item = read.hasItem() ? read.item() : Map.of();
                Long version = CallLedger.optNum(item, VERSION);
                long now = clock.millis();
                List<Long> all = live(item, ALL, now);
                List<Long> searches = live(item, SEARCHES, now);
                long slot = now;
                if (paceAll) {
                    slot = Math.max(slot, earliestSlot(all, burstLimit, now));
                }
                if (paceSearch) {
                    slot = Math.max(slot, earliestSlot(searches, searchLimit, now));
                }
                if (slot > now && slot > latest) {
                    return Slot.refusedFor(slot - now);
                }
                if (paceAll) {
                    all = taken(all, slot, burstLimit);
                }
                if (paceSearch) {
                    searches = taken(searches, slot, searchLimit);
                }
                if (write(version, all, searches, now)) {
                    long wait = slot - clock.millis();
                    if (wait >= -LATE_MS) {
                        return Slot.grantedIn(wait);
                    }
                    // the write took so long that the slot has passed: sent now, the request would crowd the window
                    // after it. The slot stays taken (a lost slot only makes the limiter stricter); take another.
                    LOG.debugf("Pipedrive request slot missed by %d ms while it was written; taking another", -wait);
                    continue;
                }
                if (!jitter(attempt, latest)) {
                    break;
                }
            }
            // outrun by other instances until the wait was used up: as good as no free slot in time
            return Slot.refusedFor(WINDOW_MS);
        } catch (SdkException e) {
            warnUnpaced(e);
            return Slot.grantedIn(0);
        }
    }

    /**
     * The earliest slot {@code log} (ascending, slots older than a window left out) leaves at or after {@code now}
     * under {@code limit} per window: never before its latest slot, and one window after the {@code limit}-th latest
     * when it holds that many.
     */
    static long earliestSlot(List<Long> log, int limit, long now) {
        long slot = now;
        if (!log.isEmpty()) {
            slot = Math.max(slot, log.get(log.size() - 1));
        }
        if (log.size() >= limit) {
            slot = Math.max(slot, log.get(log.size() - limit) + WINDOW_MS + MARGIN_MS);
        }
        return slot;
    }

    /** The log with {@code slot} added, keeping only the last {@code limit} slots (all an earliest slot looks at). */
    static List<Long> taken(List<Long> log, long slot, int limit) {
        List<Long> next = new ArrayList<>(log);
        next.add(slot);
        return next.size() > limit ? new ArrayList<>(next.subList(next.size() - limit, next.size())) : next;
    }

    /** A log of the item, ascending, without the slots that can no longer count in any window from {@code now} on. */
    static List<Long> live(Map<String, AttributeValue> item, String name, long now) {
        AttributeValue v = item.get(name);
        List<Long> log = new ArrayList<>();
        if (v == null || !v.hasL()) {
            return log;
        }
        for (AttributeValue n : v.l()) {
            long slot = Long.parseLong(n.n());
            if (slot + WINDOW_MS + MARGIN_MS > now) {
                log.add(slot);
            }
        }
        log.sort(null);
        return log;
    }

    /** Writes the logs if nobody wrote since {@code version} was read (null: there was no item); false if somebody did. */
    private boolean write(Long version, List<Long> all, List<Long> searches, long now) {
        Map<String, AttributeValue> item = new HashMap<>(key());
        item.put(VERSION, CallLedger.n(version == null ? 1 : version + 1));
        item.put(CallLedger.TTL_ATTRIBUTE, CallLedger.n(now / 1000 + KEEP.toSeconds()));
        putLog(item, ALL, all);
        putLog(item, SEARCHES, searches);
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(item)
                .overrideConfiguration(timeout());
        if (version == null) {
            put.conditionExpression("attribute_not_exists(#v)").expressionAttributeNames(Map.of("#v", VERSION));
        } else {
            put.conditionExpression("#v = :v").expressionAttributeNames(Map.of("#v", VERSION))
                    .expressionAttributeValues(Map.of(":v", CallLedger.n(version)));
        }
        try {
            dynamo.putItem(put.build());
            return true;
        } catch (ConditionalCheckFailedException raced) {
            return false;
        }
    }

    private static void putLog(Map<String, AttributeValue> item, String name, List<Long> log) {
        if (!log.isEmpty()) {
            item.put(name, AttributeValue.builder().l(log.stream().map(CallLedger::n).toList()).build());
        }
    }

    /** Sleeps a random moment before reading again, so contending instances fall out of step; false if past {@code latest}. */
    private boolean jitter(int attempt, long latest) {
        long pause = ThreadLocalRandom.current().nextLong(1, 1L + Math.min(200, 10L << Math.min(attempt, 5)));
        if (clock.millis() + pause > latest) {
            return false;
        }
        try {
            Thread.sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void warnUnpaced(SdkException e) {
        long now = clock.millis();
        long unpaced = unpacedSinceWarn.incrementAndGet();
        long last = lastWarnMs.get();
        if (now - last >= WARN_EVERY_MS && lastWarnMs.compareAndSet(last, now)) {
            unpacedSinceWarn.set(0);
            LOG.warnf("The Pipedrive rate limiter's DynamoDB item could not be used (%s); %d request(s) went out unpaced"
                    + " since the last warning. Pipedrive's own 429s are still waited out or parked", e.getMessage(),
                    unpaced);
        }
    }

    private static AwsRequestOverrideConfiguration timeout() {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(DYNAMO_TIMEOUT).build();
    }

    private static Map<String, AttributeValue> key() {
        return Map.of(CallLedger.PK, CallLedger.s(KEY), CallLedger.SK, CallLedger.s(SORT_KEY));
    }
}
