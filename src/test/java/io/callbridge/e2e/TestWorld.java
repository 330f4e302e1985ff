package io.callbridge.e2e;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.processing.OwnerResolver;
import io.callbridge.testing.pipedrive.PipedriveFake;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Resets the world between tests: an empty call ledger and a Pipedrive fake with the company's users.
 * The users match the agents of the sample events (Priya, Arjun, Rohan, Kavya) plus the admin who is both the
 * token's user and the configured default owner.
 */
@ApplicationScoped
public class TestWorld {
    public static final long ADMIN = 1001;
    public static final long PRIYA = 2001;
    public static final long ARJUN = 2002;
    public static final long ROHAN = 2003;
    public static final long KAVYA = 2004;

    @Inject
    DynamoDbClient dynamo;

    @Inject
    CallbridgeConfig config;

    @Inject
    OwnerResolver owners;

    public void reset(PipedriveFake pipedrive) {
        clearLedger();
        pipedrive.reset();
        pipedrive.addUser(ADMIN, "Callbridge Admin", "admin@example.com");
        pipedrive.addUser(PRIYA, "Priya Nair", "priya.nair@example.com");
        pipedrive.addUser(ARJUN, "Arjun Mehta", "arjun.mehta@example.com");
        pipedrive.addUser(ROHAN, "Rohan Das", "rohan.das@example.com");
        pipedrive.addUser(KAVYA, "Kavya Rao", "Kavya.Rao@Example.com ");
        pipedrive.setTokenUser(ADMIN);
    }

    public void clearLedger() {
        Map<String, AttributeValue> start = null;
        do {
            ScanResponse page = dynamo.scan(ScanRequest.builder().tableName(config.table()).exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : page.items()) {
                dynamo.deleteItem(b -> b.tableName(config.table()).key(Map.of("pk", item.get("pk"), "sk", item.get("sk"))));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        owners.forget(); // the user mapping lives in the table too: drop the warm cache of it
    }

    public static Instant days(int ago) {
        return Instant.parse("2025-12-31T09:00:00Z").minusSeconds(86_400L * ago);
    }
}
