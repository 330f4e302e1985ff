package io.callbridge.ledger;

import io.callbridge.config.CallbridgeConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Creates the ledger table at start-up when {@code CALLBRIDGE_CREATE_TABLE=true} (local runs, tests).
 * In AWS the SAM template owns the table (with TTL on {@code expiresAt}) and this does nothing.
 */
@ApplicationScoped
public class LedgerTable {
    private static final Logger LOG = Logger.getLogger(LedgerTable.class);

    @Inject
    DynamoDbClient dynamo;

    @Inject
    CallbridgeConfig config;

    void onStart(@Observes StartupEvent event) {
        if (config.createTable()) {
            createIfMissing();
        }
    }

    public void createIfMissing() {
        try {
            dynamo.describeTable(b -> b.tableName(config.table()));
            return;
        } catch (ResourceNotFoundException missing) {
            // create it below
        }
        try {
            dynamo.createTable(CreateTableRequest.builder()
                    .tableName(config.table())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(CallLedger.PK).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(CallLedger.SK).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(CallLedger.QUEUE).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(CallLedger.DUE_AT).attributeType(ScalarAttributeType.N).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName(CallLedger.PK).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(CallLedger.SK).keyType(KeyType.RANGE).build())
                    .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                            .indexName(CallLedger.QUEUE_INDEX)
                            .keySchema(
                                    KeySchemaElement.builder().attributeName(CallLedger.QUEUE).keyType(KeyType.HASH).build(),
                                    KeySchemaElement.builder().attributeName(CallLedger.DUE_AT).keyType(KeyType.RANGE).build())
                            .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                            .build())
                    .build());
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(config.table()));
            LOG.infof("Created DynamoDB table %s", config.table());
        } catch (ResourceInUseException raced) {
            // another instance created it at the same moment
        }
    }
}
