package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Authenticated deliveries that could not be parsed, kept (body truncated, with the reason and time) until
 * their retention ends, so an admin can see what MyOperator really sent and replay it after a fix. Items live in
 * one partition ({@code pk = REJECTED}, {@code sk = <received at>#<id>}): newest first is one Query.
 */
@ApplicationScoped
public class RejectedDeliveries {
    static final String PARTITION = "REJECTED";
    /** Stored bytes of a body at most; the rest is cut (the length is kept). */
    public static final int MAX_STORED_BODY = 64 * 1024;

    /** One rejected delivery as stored. */
    public record Rejected(String id, Instant receivedAt, String contentType, int status, String reason, int bodyLength,
            String body) {
        /** Whether the kept body is the whole body MyOperator sent (only then can it be replayed). */
        public boolean complete() {
            return body != null && body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length == bodyLength;
        }
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    @Inject
    public RejectedDeliveries(DynamoDbClient dynamo, CallbridgeConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.retention = Duration.ofDays(config.rejectedRetentionDays());
    }

    public String keep(String contentType, byte[] body, int status, String reason, Instant now) {
        // sortable by time (newest first is a reverse Query) and unique
        String id = String.format("%013d-%s", now.toEpochMilli(), UUID.randomUUID().toString().substring(0, 8));
        int length = body == null ? 0 : body.length;
        String stored = body == null ? "" : new String(body, 0, Math.min(length, MAX_STORED_BODY), StandardCharsets.UTF_8);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CallLedger.PK, CallLedger.s(PARTITION));
        item.put(CallLedger.SK, CallLedger.s(id));
        item.put("id", CallLedger.s(id));
        item.put("receivedAt", CallLedger.s(now.toString()));
        item.put("contentType", CallLedger.s(contentType == null ? "" : contentType));
        item.put("status", CallLedger.n(status));
        item.put("reason", CallLedger.s(reason));
        item.put("bodyLength", CallLedger.n(length));
        item.put("body", CallLedger.s(stored));
        item.put(CallLedger.TTL_ATTRIBUTE, CallLedger.n(now.plus(retention).getEpochSecond()));
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
        return id;
    }

    /** One kept delivery by id, unless it expired. */
    public java.util.Optional<Rejected> find(String id, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(CallLedger.itemKey(PARTITION, id))).item();
        if (item == null || item.isEmpty() || CallLedger.num(item, CallLedger.TTL_ATTRIBUTE) < now.getEpochSecond()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(fromItem(item));
    }

    private static Rejected fromItem(Map<String, AttributeValue> item) {
        return new Rejected(CallLedger.str(item, "id"), Instant.parse(CallLedger.str(item, "receivedAt")),
                CallLedger.str(item, "contentType"), (int) CallLedger.num(item, "status"),
                CallLedger.str(item, "reason"), (int) CallLedger.num(item, "bodyLength"), CallLedger.str(item, "body"));
    }

    /** The newest rejected deliveries still within their retention. */
    public List<Rejected> newest(int limit, Instant now) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", CallLedger.PK))
                        .expressionAttributeValues(Map.of(":pk", CallLedger.s(PARTITION)))
                        .scanIndexForward(false)
                        .build())
                .items().stream()
                .filter(item -> CallLedger.num(item, CallLedger.TTL_ATTRIBUTE) >= now.getEpochSecond())
                .limit(limit)
                .map(RejectedDeliveries::fromItem)
                .toList();
    }
}
