package io.callbridge.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.callbridge.testing.ssm.SsmFake;
import io.callbridge.testing.ssm.SsmFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The application started with CALLBRIDGE_SECRETS_SSM_PATH: Quarkus runs SsmSecretsConfigSourceFactory at runtime,
 * the secrets from SSM win over application.properties' test values, and the routes use them.
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
@WithTestResource(SsmFakeResource.class)
class SsmSecretsStartUpTest {
    @Inject
    CallbridgeConfig config;

    SsmFake ssm;

    @Test
    void theSecretsComeFromSsmAtStartUp() {
        assertEquals(Optional.of(SsmFakeResource.WEBHOOK_TOKEN), config.webhookToken());
        assertEquals(Optional.of(SsmFakeResource.ADMIN_TOKEN), config.adminToken());
        assertEquals(Optional.of(SsmFakeResource.PATH), config.secretsSsmPath());
        assertTrue(ssm.requests().size() >= 1, "the application asked SSM");
        assertEquals("AmazonSSM.GetParameters", ssm.requests().get(0).target());
        assertEquals(1, ssm.requests().size(), "one GetParameters call at start-up: " + ssm.requests());
    }

    @Test
    void theAdminRoutesTakeTheAdminTokenFromSsm() {
        assertEquals(200, ExactlyOnceTest.admin("GET", "/admin/calls", SsmFakeResource.ADMIN_TOKEN).status());
        assertEquals(401, ExactlyOnceTest.admin("GET", "/admin/calls", "local-admin-token").status(),
                "application.properties' token is overridden by SSM's");
    }
}
