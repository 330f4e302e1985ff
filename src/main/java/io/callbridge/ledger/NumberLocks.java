package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A short lease per customer number ({@code pk = PHONE#<e164>}, {@code sk = LOCK}), held while a call creates a
 * person or a deal for that number, so two calls from one new number at the same moment give one person and one
 * deal. The item also remembers what the last holder created: Pipedrive's search may not show a person created a
 * second ago, the memo does.
 */
@ApplicationScoped
public class NumberLocks {
    static final Duration KEEP = Duration.ofDays(2);
    /** Partition key prefix of a customer number's items (this lock, and {@link KnownNumbers}' remembered person). */
    static final String NUMBER_PARTITION = "PHONE#";

    /** What earlier holders created for the number, and when. */
    public record Memo(Long personId, Long dealId, Instant updatedAt) {
        static final Memo EMPTY = new Memo(null, null, null);

        public boolean freshAt(Instant now, Duration maxAge) {
            return updatedAt != null && updatedAt.plus(maxAge).isAfter(now);
        }
    }

    private final DynamoDbClient dynamo;
    private final String table;

    @Inject
    public NumberLocks(DynamoDbClient dynamo, CallbridgeConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    /** Holds the number for {@code lease} unless someone else holds it; empty when they do. */
    public Optional<Memo> tryLock(String e164, String me, Instant now, Duration lease) {
        try {
            UpdateItemResponse r = dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(key(e164))
                    .updateExpression("SET #owner = :me, #until = :until, #ttl = :ttl")
                    .conditionExpression("attribute_not_exists(#pk) OR #until < :now OR #owner = :me")
                    .expressionAttributeNames(Map.of("#owner", "lockOwner", "#until", "lockedUntil",
                            "#ttl", CallLedger.TTL_ATTRIBUTE, "#pk", CallLedger.PK))
                    .expressionAttributeValues(Map.of(":me", CallLedger.s(me),
                            ":until", CallLedger.n(now.plus(lease).toEpochMilli()),
                            ":now", CallLedger.n(now.toEpochMilli()),
                            ":ttl", CallLedger.n(now.plus(KEEP).getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW)
                    .build());
            Map<String, AttributeValue> item = r.attributes();
            String updated = CallLedger.str(item, "memoAt");
            return Optional.of(updated == null ? Memo.EMPTY
                    : new Memo(CallLedger.optNum(item, "personId"), CallLedger.optNum(item, "dealId"), Instant.parse(updated)));
        } catch (ConditionalCheckFailedException held) {
            return Optional.empty();
        }
    }

    /** Releases the number, remembering what this holder created (null ids leave the memo as it was). */
    public void unlock(String e164, String me, Long personId, Long dealId, Instant now) {
        StringBuilder set = new StringBuilder("SET #until = :zero");
        Map<String, String> names = new HashMap<>(Map.of("#until", "lockedUntil", "#owner", "lockOwner"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":zero", CallLedger.n(0), ":me", CallLedger.s(me)));
        if (personId != null || dealId != null) {
            set.append(", memoAt = :at");
            values.put(":at", CallLedger.s(now.toString()));
        }
        if (personId != null) {
            set.append(", personId = :p");
            values.put(":p", CallLedger.n(personId));
        }
        if (dealId != null) {
            set.append(", dealId = :d");
            values.put(":d", CallLedger.n(dealId));
        }
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(key(e164))
                    .updateExpression(set.toString())
                    .conditionExpression("#owner = :me")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .build());
        } catch (ConditionalCheckFailedException lost) {
            // our lease ran out and another call holds the number now; it re-reads Pipedrive itself
        }
    }

    /**
     * Drops the memo if it still names {@code personId} or {@code dealId}: Pipedrive said that object is gone (deleted
     * or merged away), so no later call may adopt it. A memo naming other objects, or the lock itself, is left alone.
     */
    public void forgetMemoOf(String e164, Long personId, Long dealId) {
        if (personId == null && dealId == null) {
            return;
        }
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder condition = new StringBuilder("attribute_exists(memoAt) AND (");
        if (personId != null) {
            condition.append("personId = :p");
            values.put(":p", CallLedger.n(personId));
        }
        if (dealId != null) {
            condition.append(personId != null ? " OR " : "").append("dealId = :d");
            values.put(":d", CallLedger.n(dealId));
        }
        condition.append(')');
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(key(e164))
                    .updateExpression("REMOVE memoAt, personId, dealId")
                    .conditionExpression(condition.toString())
                    .expressionAttributeValues(values)
                    .build());
        } catch (ConditionalCheckFailedException other) {
            // no memo, or one about other objects: nothing of the vanished ones to forget
        }
    }

    private static Map<String, AttributeValue> key(String e164) {
        return CallLedger.itemKey(NUMBER_PARTITION + e164, "LOCK");
    }
}
