package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Keeps a short-lived trace of webhook events Callbridge receives but does not act on (v2 call.initiated,
 * call.answered, dispositions ...), so "did MyOperator send it?" can be answered from the table.
 */
@ApplicationScoped
public class IgnoredEventLog {
    static final Duration KEEP = Duration.ofDays(30);

    private final DynamoDbClient dynamo;
    private final String table;

    @Inject
    public IgnoredEventLog(DynamoDbClient dynamo, CallbridgeConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    public void record(String eventId, String eventType, String sessionId, String reason, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CallLedger.PK, CallLedger.s("EVENT#" + eventId));
        item.put(CallLedger.SK, CallLedger.s("IGNORED"));
        item.put("eventType", CallLedger.s(eventType));
        if (sessionId != null) {
            item.put("sessionId", CallLedger.s(sessionId));
        }
        item.put("reason", CallLedger.s(reason));
        item.put("receivedAt", CallLedger.s(now.toString()));
        item.put(CallLedger.TTL_ATTRIBUTE, CallLedger.n(now.plus(KEEP).getEpochSecond()));
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
    }
}
