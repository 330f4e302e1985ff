package io.callbridge.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.call.Call;
import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Events accepted while another delivery of the same call held it (e.g. a v2 call.summary arriving while the
 * call.end is still being written). Each is kept as its own item ({@code pk = CALL#<key>}, {@code sk = EVENT#<id>})
 * in the "pending" queue until the replay has merged it into the call: an accepted event is never dropped, and
 * the running delivery is never disturbed.
 */
@ApplicationScoped
public class PendingEvents {
    static final Duration KEEP = Duration.ofDays(30);

    /** A pending event and the call as that event described it. */
    public record Pending(String callKey, String eventId, Call call, Instant receivedAt) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final CallJson json;

    @Inject
    public PendingEvents(DynamoDbClient dynamo, CallbridgeConfig config, ObjectMapper json) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.json = new CallJson(json);
    }

    public void add(Call call, String eventId, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(call.callKey(), eventId));
        item.put("callKey", CallLedger.s(call.callKey()));
        item.put("eventId", CallLedger.s(eventId));
        item.put("call", CallLedger.s(json.write(call)));
        item.put("receivedAt", CallLedger.s(now.toString()));
        item.put(CallLedger.QUEUE, CallLedger.s(CallLedger.QUEUE_PENDING));
        item.put(CallLedger.DUE_AT, CallLedger.n(now.toEpochMilli()));
        item.put(CallLedger.TTL_ATTRIBUTE, CallLedger.n(now.plus(KEEP).getEpochSecond()));
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
    }

    public List<Pending> all(int limit) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(CallLedger.QUEUE_INDEX)
                        .keyConditionExpression("#q = :q")
                        .expressionAttributeNames(Map.of("#q", CallLedger.QUEUE))
                        .expressionAttributeValues(Map.of(":q", CallLedger.s(CallLedger.QUEUE_PENDING)))
                        .build())
                .items().stream()
                .limit(limit)
                .map(item -> new Pending(CallLedger.str(item, "callKey"), CallLedger.str(item, "eventId"),
                        json.read(CallLedger.str(item, "call")), Instant.parse(CallLedger.str(item, "receivedAt"))))
                .toList();
    }

    public void remove(String callKey, String eventId) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(callKey, eventId)));
    }

    private static Map<String, AttributeValue> key(String callKey, String eventId) {
        return CallLedger.itemKey("CALL#" + callKey, "EVENT#" + eventId);
    }


}
