package io.callbridge.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.call.Call;
import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * The call ledger in DynamoDB: one item per call ({@code pk = CALL#<call key>}, {@code sk = CALL}).
 * Only conditional single-item writes are used (no transactions, which dynalite and some tools lack), and an
 * item whose TTL has passed is treated as absent even before DynamoDB deletes it (TTL deletion is lazy).
 */
@ApplicationScoped
public class CallLedger {
    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String TTL_ATTRIBUTE = "expiresAt";
    /** Sparse index of unfinished work: only items with a {@code queue} attribute are in it. */
    public static final String QUEUE_INDEX = "queue-index";
    public static final String QUEUE = "queue";
    public static final String DUE_AT = "dueAt";
    public static final String QUEUE_PARKED = "parked";
    public static final String QUEUE_FAILED = "failed";
    public static final String QUEUE_PENDING = "pending";
    static final String CALL_SK = "CALL";

    private final DynamoDbClient dynamo;
    private final String table;
    private final CallJson json;

    @Inject
    public CallLedger(DynamoDbClient dynamo, CallbridgeConfig config, ObjectMapper json) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.json = new CallJson(json);
    }

    /** The call's record, read consistently; empty when there is none or it has expired. */
    public Optional<CallRecord> find(String callKey, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(key(callKey)).consistentRead(true).build()).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        CallRecord record = fromItem(callKey, item);
        return record.expiredAt(now) ? Optional.empty() : Optional.of(record);
    }

    /** Stores a new record unless a live one exists; false when another delivery got there first. */
    public boolean create(CallRecord record, Instant now) {
        record.version(1);
        try {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(toItem(record))
                    .conditionExpression("attribute_not_exists(#pk) OR #ttl < :now")
                    .expressionAttributeNames(Map.of("#pk", PK, "#ttl", TTL_ATTRIBUTE))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond())))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Replaces the record if nobody changed it since it was read at {@code record.version()}; on success the
     * record carries the new version. False when another delivery wrote in between (the caller lost the race).
     */
    public boolean replace(CallRecord record) {
        long expected = record.version();
        record.version(expected + 1);
        try {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(toItem(record))
                    .conditionExpression("#v = :expected")
                    .expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":expected", n(expected)))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            record.version(expected);
            return false;
        }
    }

    /**
     * Records of a queue ({@link #QUEUE_PARKED} or {@link #QUEUE_FAILED}) due at or before the given time, the most
     * overdue first. Reads the sparse queue index, so finished calls cost nothing here however many there are.
     */
    public List<CallRecord> queued(String queue, long dueAtOrBeforeMs, int limit) {
        // the SDK's paginator follows LastEvaluatedKey lazily: only the pages needed for `limit` are read
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(QUEUE_INDEX)
                        .keyConditionExpression("#q = :q AND #due <= :due")
                        .expressionAttributeNames(Map.of("#q", QUEUE, "#due", DUE_AT))
                        .expressionAttributeValues(Map.of(":q", s(queue), ":due", n(dueAtOrBeforeMs)))
                        .limit(Math.min(100, limit))
                        .build())
                .items().stream()
                .filter(item -> CALL_SK.equals(str(item, SK)))
                .limit(limit)
                .map(item -> fromItem(str(item, "callKey"), item))
                .toList();
    }

    static Map<String, AttributeValue> key(String callKey) {
        return itemKey("CALL#" + callKey, CALL_SK);
    }

    /** The key of an item of the table: its partition and sort key values. */
    static Map<String, AttributeValue> itemKey(String pk, String sk) {
        return Map.of(PK, s(pk), SK, s(sk));
    }

    Map<String, AttributeValue> toItem(CallRecord r) {
        Map<String, AttributeValue> item = new HashMap<>(key(r.callKey()));
        item.put("callKey", s(r.callKey()));
        item.put("state", s(r.state().name()));
        item.put("version", n(r.version()));
        item.put("leaseUntil", n(r.leaseUntilMs()));
        putIfPresent(item, "leaseOwner", r.leaseOwner());
        item.put("call", s(json.write(r.call())));
        item.put("direction", s(r.call().direction().name()));
        item.put("callStatus", s(r.call().status().name()));
        if (!r.eventIds().isEmpty()) {
            item.put("eventIds", AttributeValue.builder().ss(r.eventIds()).build());
        }
        putIfPresent(item, "planAction", r.planAction());
        putIfPresent(item, "planRule", r.planRule());
        putIfPresent(item, "personId", r.personId());
        putIfPresent(item, "dealId", r.dealId());
        putIfPresent(item, "activityId", r.activityId());
        putIfPresent(item, "ownerId", r.ownerId());
        putIfPresent(item, "ownerRule", r.ownerRule());
        putIfPresent(item, "writtenDigest", r.writtenDigest());
        putIfPresent(item, "personAttemptAt", r.personAttemptAtMs());
        putIfPresent(item, "dealAttemptAt", r.dealAttemptAtMs());
        putIfPresent(item, "activityAttemptAt", r.activityAttemptAtMs());
        item.put("attempts", n(r.attempts()));
        item.put("nextTryAt", n(r.nextTryAtMs()));
        String queue = r.state().queue();
        if (queue != null) {
            item.put(QUEUE, s(queue));
            item.put(DUE_AT, n(r.dueAtMs()));
        }
        putIfPresent(item, "lastError", r.lastError());
        putIfPresent(item, "createdAt", r.createdAt() == null ? null : r.createdAt().toString());
        putIfPresent(item, "updatedAt", r.updatedAt() == null ? null : r.updatedAt().toString());
        item.put(TTL_ATTRIBUTE, n(r.expiresAtEpochSecond()));
        return item;
    }

    CallRecord fromItem(String callKey, Map<String, AttributeValue> item) {
        CallRecord r = new CallRecord(callKey)
                .state(CallState.valueOf(str(item, "state")))
                .version(num(item, "version"))
                .lease(str(item, "leaseOwner"), num(item, "leaseUntil"))
                .call(json.read(str(item, "call")))
                .plan(str(item, "planAction"), str(item, "planRule"))
                .personId(optNum(item, "personId"))
                .dealId(optNum(item, "dealId"))
                .activityId(optNum(item, "activityId"))
                .owner(optNum(item, "ownerId"), str(item, "ownerRule"))
                .writtenDigest(str(item, "writtenDigest"))
                .personAttemptAtMs(optNum(item, "personAttemptAt"))
                .dealAttemptAtMs(optNum(item, "dealAttemptAt"))
                .activityAttemptAtMs(optNum(item, "activityAttemptAt"))
                .attempts((int) num(item, "attempts"))
                .nextTryAtMs(num(item, "nextTryAt"))
                .lastError(str(item, "lastError"))
                .createdAt(instant(str(item, "createdAt")))
                .updatedAt(instant(str(item, "updatedAt")))
                .expiresAtEpochSecond(num(item, TTL_ATTRIBUTE));
        AttributeValue events = item.get("eventIds");
        if (events != null && events.hasSs()) {
            r.eventIds().addAll(events.ss());
        }
        return r;
    }



    private static void putIfPresent(Map<String, AttributeValue> item, String name, Object value) {
        if (value instanceof String str) {
            item.put(name, s(str));
        } else if (value instanceof Number num) {
            item.put(name, n(num.longValue()));
        }
    }

    static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    static AttributeValue n(long v) {
        return AttributeValue.builder().n(Long.toString(v)).build();
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> item, String name) {
        Long v = optNum(item, name);
        return v == null ? 0 : v;
    }

    static Long optNum(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.parseLong(v.n());
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
