package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.pipedrive.RequestPacer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Pipedrive's rate limits, shared by every instance through one DynamoDB item ({@code pk = RATE#pipedrive},
 * {@code sk = LIMIT}) that holds the next free request slot ({@code nextSlotAt}, epoch ms).
 *
 * <p>Requests are spaced evenly: with a limit of L requests per rolling window of {@link #WINDOW_MS} (plus
 * {@link #MARGIN_MS}), each request takes the grid one spacing {@code (window + margin) / L} long, so any window holds
 * at most L of them. A search takes {@code ceil(L / search limit)} spacings, so searches alone stay under their own
 * limit (10 per 2 s) on the same single timeline. Evenly spaced requests use the full rate but never burst; a call's
 * few requests rarely wait, since each Pipedrive request takes longer than one spacing anyway.
 *
 * <p>A slot costs at most two atomic conditional updates and no read, so contention between instances costs nothing
 * extra (a read-then-write scheme retries under contention and collapses at a few dozen concurrent instances):
 * first "the grid is free now: take now" ({@code nextSlotAt <= now}); failing that, "take the next free slot, if it is
 * no later than the caller can wait" ({@code nextSlotAt <= latest}, the old value returned). A slot further away than
 * the caller can wait is not taken (the caller parks the call; a third request reads how far away it was).
 *
 * <p>Only UpdateItem and GetItem with conditions: no transactions, no reliance on TTL expiry (a stale slot in the past
 * simply means "free now"). When DynamoDB fails (throttling of the hot item, an outage, a timeout), the request goes
 * out unpaced and a WARN says so: the limiter is a courtesy towards Pipedrive, whose own 429s the gateway still waits
 * out or parks; holding calls back because the limiter's item cannot be used would delay every call for nothing.
 */
@ApplicationScoped
public class SharedRequestPacer implements RequestPacer {
    private static final Logger LOG = Logger.getLogger(SharedRequestPacer.class);

    /** Pipedrive's rolling window (API reference, "Rate limiting"). */
    public static final long WINDOW_MS = 2000;
    /**
     * Added to the window: Pipedrive counts a request when it arrives, so the spread of the time from slot to arrival
     * (a new TLS connection against a warm one, clock differences between instances) must not squeeze more than the
     * limit into one window.
     */
    public static final long MARGIN_MS = 250;
    static final String KEY = "RATE#pipedrive";
    static final String SORT_KEY = "LIMIT";
    static final String NEXT = "nextSlotAt";
    /** Each DynamoDB call of the limiter gives up after this (it then paces nothing, see above). */
    static final Duration DYNAMO_TIMEOUT = Duration.ofSeconds(1);
    /** The item lives on while in use; TTL may remove it a day after the last request. */
    static final Duration KEEP = Duration.ofDays(1);
    static final long WARN_EVERY_MS = 60_000;

    private final DynamoDbClient dynamo;
    private final String table;
    /** Grid spacing (ms) of one request, and how many of them a search and any other request take (0: not paced). */
    private final long spacingMs;
    private final int searchSpacings;
    private final int otherSpacings;
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
        this.clock = clock;
        int burst = Math.max(0, burstLimit);
        int search = Math.max(0, searchLimit);
        if (burst > 0) {
            spacingMs = ceilDiv(WINDOW_MS + MARGIN_MS, burst);
            otherSpacings = 1;
            searchSpacings = search > 0 ? (int) Math.max(1, ceilDiv(burst, search)) : 1;
        } else if (search > 0) {
            spacingMs = ceilDiv(WINDOW_MS + MARGIN_MS, search);
            otherSpacings = 0;
            searchSpacings = 1;
        } else {
            spacingMs = 0;
            otherSpacings = 0;
            searchSpacings = 0;
        }
    }

    @Override
    public Slot reserve(boolean search, long maxWaitMs) {
        int spacings = search ? searchSpacings : otherSpacings;
        if (spacings == 0) {
            return Slot.grantedIn(0);
        }
        long span = spacings * spacingMs;
        long now = clock.millis();
        long latest = now + Math.max(0, maxWaitMs);
        try {
            if (take(span, now, "attribute_not_exists(#next) OR #next <= :at", now) != null) {
                return Slot.grantedIn(0);
            }
            Long slot = take(span, latest, "#next <= :at", null);
            if (slot != null) {
                return Slot.grantedIn(slot - clock.millis());
            }
            return Slot.refusedFor(nextFree() - clock.millis());
        } catch (SdkException e) {
            warnUnpaced(e);
            return Slot.grantedIn(0);
        }
    }

    /**
     * Moves the next free slot on by {@code span} if {@code condition} holds for {@code :at}: from {@code from} when
     * given (the slot taken is {@code from}), else from where it was (the slot taken is its old value). Null when the
     * condition failed and nothing was taken.
     */
    private Long take(long span, long at, String condition, Long from) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":at", CallLedger.n(at), ":span", CallLedger.n(span),
                ":ttl", CallLedger.n(clock.instant().plus(KEEP).getEpochSecond())));
        String set;
        if (from != null) {
            set = "SET #next = :from + :span, #ttl = :ttl";
            values.put(":from", CallLedger.n(from));
        } else {
            set = "SET #next = #next + :span, #ttl = :ttl";
        }
        try {
            UpdateItemResponse r = dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(key())
                    .updateExpression(set).conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#next", NEXT, "#ttl", CallLedger.TTL_ATTRIBUTE))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.UPDATED_OLD)
                    .overrideConfiguration(timeout()).build());
            return from != null ? from : CallLedger.optNum(r.attributes(), NEXT);
        } catch (ConditionalCheckFailedException taken) {
            return null;
        }
    }

    /** When the next slot is free (a consistent read; only to tell a refused caller how long to wait). */
    private long nextFree() {
        Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(key())
                .consistentRead(true).overrideConfiguration(timeout()).build()).item();
        Long next = item == null ? null : CallLedger.optNum(item, NEXT);
        return next == null ? clock.millis() + WINDOW_MS : next;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
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
        return CallLedger.itemKey(KEY, SORT_KEY);
    }
}
