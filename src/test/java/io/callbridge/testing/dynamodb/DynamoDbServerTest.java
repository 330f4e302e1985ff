package io.callbridge.testing.dynamodb;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamoDbServerTest {

    static DynamoDbClient client(DynamoDbServer server) {
        return DynamoDbClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(server.region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    static void roundTrip(DynamoDbClient db, String table) {
        db.createTable(b -> b.tableName(table)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        assertEquals(TableStatus.ACTIVE, db.describeTable(b -> b.tableName(table)).table().tableStatus());

        PutItemRequest put = PutItemRequest.builder().tableName(table)
                .item(Map.of("pk", AttributeValue.fromS("call#123"), "state", AttributeValue.fromS("LOGGED"),
                        "attempts", AttributeValue.fromN("1")))
                .conditionExpression("attribute_not_exists(pk)")
                .build();
        db.putItem(put);
        assertThrows(ConditionalCheckFailedException.class, () -> db.putItem(put));

        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("call#123")))
                .consistentRead(true)).item();
        assertEquals("LOGGED", item.get("state").s());
        assertEquals("1", item.get("attempts").n());
        assertFalse(db.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("call#404")))).hasItem());
    }

    @Test
    void createTableConditionalPutAndGetThenStops() throws Exception {
        DynamoDbServer server = DynamoDbServer.start();
        try (server; DynamoDbClient db = client(server)) {
            assertTrue(Set.of("dynalite", "localstack").contains(server.kind()));
            assertEquals("us-east-1", server.region());
            assertTrue(server.isRunning());
            roundTrip(db, "callbridge-test-" + System.nanoTime());
        }
        assertFalse(server.isRunning());
        server.pid().ifPresent(pid -> assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "dynalite process " + pid + " is gone after close()"));
    }

    @Test
    void sharedServerIsReusedAndPublishedForTheTestResource() {
        DynamoDbServer a = DynamoDbServer.shared();
        assertTrue(a == DynamoDbServer.shared());
        Map<String, String> config = new DynamoDbTestResource().start();
        assertEquals(a.endpoint().toString(), config.get("quarkus.dynamodb.endpoint-override"));
        assertEquals("us-east-1", config.get("quarkus.dynamodb.aws.region"));
        assertEquals("static", config.get("quarkus.dynamodb.aws.credentials.type"));
        assertEquals("false", config.get("quarkus.dynamodb.devservices.enabled"));
        try (DynamoDbClient db = client(a)) {
            roundTrip(db, "callbridge-shared-" + System.nanoTime());
        }
        // left running on purpose: the JVM shutdown hook must stop it (checked with pgrep after the build)
    }
}
