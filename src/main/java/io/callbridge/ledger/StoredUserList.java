package io.callbridge.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.pipedrive.PipedriveModels.User;
import io.callbridge.pipedrive.UserListCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Pipedrive's users list as last read, in one item ({@code pk = PIPEDRIVE#USERS}, {@code sk = LIST}): id, name,
 * e-mail and the active/deleted/token-user flags, as JSON. A company with more users than fit in one item (about
 * 3,000) simply does without the shared copy.
 */
@ApplicationScoped
public class StoredUserList implements UserListCache {
    private static final Logger LOG = Logger.getLogger(StoredUserList.class);
    static final int MAX_BYTES = 350_000;
    private static final TypeReference<List<User>> USERS = new TypeReference<>() {
    };

    private final DynamoDbClient dynamo;
    private final String table;
    private final ObjectMapper json;

    @Inject
    public StoredUserList(DynamoDbClient dynamo, CallbridgeConfig config, ObjectMapper json) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.json = json;
    }

    @Override
    public Optional<Snapshot> load() {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(key())
                    .build()).item();
            if (item == null || item.isEmpty() || CallLedger.str(item, "users") == null) {
                return Optional.empty();
            }
            return Optional.of(new Snapshot(json.readValue(CallLedger.str(item, "users"), USERS),
                    Instant.parse(CallLedger.str(item, "readAt"))));
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warnf("Stored Pipedrive users could not be read (%s); reading them from Pipedrive", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void store(Snapshot snapshot) {
        try {
            String users = json.writeValueAsString(snapshot.users());
            if (users.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
                LOG.infof("Pipedrive's users list is too large to share between instances (%d users)",
                        snapshot.users().size());
                return;
            }
            Map<String, AttributeValue> item = new HashMap<>(key());
            item.put("users", CallLedger.s(users));
            item.put("readAt", CallLedger.s(snapshot.readAt().toString()));
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
        } catch (SdkException | JsonProcessingException e) {
            LOG.warnf("Pipedrive users could not be stored for other instances (%s)", e.getMessage());
        }
    }

    private static Map<String, AttributeValue> key() {
        return CallLedger.itemKey("PIPEDRIVE#USERS", "LIST");
    }
}
