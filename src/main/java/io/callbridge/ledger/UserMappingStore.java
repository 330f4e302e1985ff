package io.callbridge.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.mapping.SyncReport;
import io.callbridge.mapping.UserMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
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
 * The user mapping in the ledger's table, on one partition ({@code pk = MAPPING}): one item per MyOperator user
 * ({@code sk = USER#<key>}, the row as JSON and a version for conditional writes) and the last sync report
 * ({@code sk = REPORT}). The users of a company are a few hundred at most: one Query reads them all. Only
 * single-item conditional writes; no TTL (users that left are kept, marked inactive).
 */
@ApplicationScoped
public class UserMappingStore {
    static final String PARTITION = "MAPPING";
    static final String USER_PREFIX = "USER#";
    static final String REPORT_SK = "REPORT";

    /** A stored row and the version it was read at. */
    public record Stored(UserMapping row, long version) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final ObjectMapper json;

    @Inject
    public UserMappingStore(DynamoDbClient dynamo, CallbridgeConfig config, ObjectMapper json) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.json = json;
    }

    /** Every row, read consistently. */
    public List<Stored> all() {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("#pk = :pk AND begins_with(#sk, :user)")
                        .expressionAttributeNames(Map.of("#pk", CallLedger.PK, "#sk", CallLedger.SK))
                        .expressionAttributeValues(Map.of(":pk", CallLedger.s(PARTITION), ":user", CallLedger.s(USER_PREFIX)))
                        .build())
                .items().stream()
                .map(item -> new Stored(read(CallLedger.str(item, "row"), UserMapping.class), CallLedger.num(item, "version")))
                .toList();
    }

    /** One row, read consistently. */
    public Optional<Stored> find(String key) {
        Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(key(USER_PREFIX + key)).consistentRead(true).build()).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Stored(read(CallLedger.str(item, "row"), UserMapping.class), CallLedger.num(item, "version")));
    }

    /**
     * Writes a row if it is still at {@code readVersion} (0 = must not exist yet). False when someone else wrote it
     * in between (a webhook, another sync): the caller leaves it for the next run.
     */
    public boolean put(UserMapping row, long readVersion) {
        Map<String, AttributeValue> item = key(USER_PREFIX + row.key());
        item.put("row", CallLedger.s(write(row)));
        item.put("version", CallLedger.n(readVersion + 1));
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(item);
        if (readVersion == 0) {
            put.conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", CallLedger.PK));
        } else {
            put.conditionExpression("#v = :v").expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":v", CallLedger.n(readVersion)));
        }
        try {
            dynamo.putItem(put.build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    public Optional<SyncReport> lastReport() {
        Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(key(REPORT_SK)).consistentRead(true).build()).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(read(CallLedger.str(item, "report"), SyncReport.class));
    }

    public void saveReport(SyncReport report) {
        Map<String, AttributeValue> item = key(REPORT_SK);
        item.put("report", CallLedger.s(write(report)));
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
    }

    private static Map<String, AttributeValue> key(String sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(CallLedger.PK, CallLedger.s(PARTITION));
        key.put(CallLedger.SK, CallLedger.s(sk));
        return key;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
