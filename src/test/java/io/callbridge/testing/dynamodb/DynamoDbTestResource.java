package io.callbridge.testing.dynamodb;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource pointing quarkus-amazon-dynamodb at a local DynamoDB API: one {@link DynamoDbServer}
 * (LocalStack with Docker, dynalite without) shared by every test class of the JVM and stopped at JVM exit.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(DynamoDbTestResource.class)   // or @WithTestResource(DynamoDbTestResource.class)
 * class StoreTest { ... }
 * }</pre>
 *
 * If system property {@value #ENDPOINT_PROPERTY} is already set (by an instance of this resource loaded by
 * another class loader, or by hand to use an external endpoint), that endpoint is used and nothing is started.
 */
public class DynamoDbTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String ENDPOINT_PROPERTY = "test.callbridge.dynamodb.endpoint";

    /** The endpoint of the shared server (starting it if needed). */
    public static synchronized String endpoint() {
        String external = System.getProperty(ENDPOINT_PROPERTY);
        if (external != null && !external.isBlank()) {
            return external;
        }
        return DynamoDbServer.shared().endpoint().toString();
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                "quarkus.dynamodb.endpoint-override", endpoint(),
                "quarkus.dynamodb.aws.region", DynamoDbServer.REGION,
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "test",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "test",
                "quarkus.dynamodb.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // shared across test classes: stopped by DynamoDbServer's shutdown hook
    }
}
