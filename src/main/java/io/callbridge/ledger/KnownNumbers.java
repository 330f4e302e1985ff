package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Which Pipedrive person a customer number belonged to the last time Pipedrive was searched for it
 * ({@code pk = PHONE#<e164>}, {@code sk = PERSON}), and the open deal the last call was logged on.
 *
 * <p>A hint, never the truth: a caller re-reads the person (1 token instead of a 20-token search) and checks the
 * number is still theirs before using it. Only numbers that exactly one person had are remembered. An entry is
 * trusted for {@code callbridge.number-cache-days} after the search that found it; re-verifying does not extend
 * that, so every number is searched again now and then (a number that became shared in the meantime is noticed).
 * Expired entries count as absent before DynamoDB's lazy TTL deletion removes them. Reading or writing an entry
 * never fails a call: without the hint the number is simply searched.
 */
@ApplicationScoped
public class KnownNumbers {
    private static final Logger LOG = Logger.getLogger(KnownNumbers.class);
    static final String SK = "PERSON";

    /** A remembered number: its person, the open deal last used (may be null), and when Pipedrive was searched. */
    public record KnownNumber(long personId, Long dealId, Instant searchedAt) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration trustFor;

    @Inject
    public KnownNumbers(DynamoDbClient dynamo, CallbridgeConfig config) {
        this(dynamo, config.table(), Duration.ofDays(config.numberCacheDays()));
    }

    KnownNumbers(DynamoDbClient dynamo, String table, Duration trustFor) {
        this.dynamo = dynamo;
        this.table = table;
        this.trustFor = trustFor;
    }

    public boolean enabled() {
        return !trustFor.isZero();
    }

    /** The remembered person of this number, unless there is none or the entry is older than the trust period. */
    public Optional<KnownNumber> find(String e164, Instant now) {
        if (!enabled()) {
            return Optional.empty();
        }
        try {
            Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                    .key(key(e164)).build()).item();
            if (item == null || item.isEmpty() || CallLedger.str(item, "searchedAt") == null) {
                return Optional.empty();
            }
            Instant searchedAt = Instant.parse(CallLedger.str(item, "searchedAt"));
            if (!searchedAt.plus(trustFor).isAfter(now)) {
                return Optional.empty();
            }
            return Optional.of(new KnownNumber(CallLedger.num(item, "personId"), CallLedger.optNum(item, "dealId"),
                    searchedAt));
        } catch (SdkException | IllegalArgumentException | java.time.DateTimeException e) {
            LOG.warnf("Remembered person of a number could not be read (%s); searching Pipedrive instead", e.getMessage());
            return Optional.empty();
        }
    }

    /** Remembers the number's person (and open deal) as of a search at {@code searchedAt}. */
    public void remember(String e164, KnownNumber known) {
        if (!enabled()) {
            return;
        }
        Map<String, AttributeValue> item = new HashMap<>(key(e164));
        item.put("personId", CallLedger.n(known.personId()));
        if (known.dealId() != null) {
            item.put("dealId", CallLedger.n(known.dealId()));
        }
        item.put("searchedAt", CallLedger.s(known.searchedAt().toString()));
        item.put(CallLedger.TTL_ATTRIBUTE, CallLedger.n(known.searchedAt().plus(trustFor).getEpochSecond()));
        try {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
        } catch (SdkException e) {
            LOG.warnf("Person of a number could not be remembered (%s); the next call searches again", e.getMessage());
        }
    }

    /** Forgets the number (its person vanished or no longer has it). */
    public void forget(String e164) {
        if (!enabled()) {
            return;
        }
        try {
            dynamo.deleteItem(DeleteItemRequest.builder().tableName(table).key(key(e164)).build());
        } catch (SdkException e) {
            LOG.warnf("Remembered person of a number could not be forgotten (%s); it is checked before every use",
                    e.getMessage());
        }
    }

    private static Map<String, AttributeValue> key(String e164) {
        return CallLedger.itemKey(NumberLocks.NUMBER_PARTITION + e164, SK);
    }
}
