package io.callbridge.testing.ssm;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: an {@link SsmFake} holding the secrets under {@value #PATH}, with the application's
 * CALLBRIDGE_SECRETS_SSM_PATH and endpoint pointed at it (and credentials for the default chain to sign with).
 * Inject it as a field of type {@link SsmFake}.
 */
public class SsmFakeResource implements QuarkusTestResourceLifecycleManager {
    public static final String PATH = "/callbridge-it/";
    public static final String WEBHOOK_TOKEN = "ssm-it-webhook-token-0001";
    public static final String ADMIN_TOKEN = "ssm-it-admin-token-0002";

    private SsmFake fake;

    @Override
    public Map<String, String> start() {
        fake = SsmFake.start();
        // the same token as PipedriveFakeResource: whichever source wins, the Pipedrive fake accepts it
        fake.put(PATH + "pipedrive-api-token", "test-pipedrive-token").put(PATH + "webhook-token", WEBHOOK_TOKEN)
                .put(PATH + "admin-token", ADMIN_TOKEN);
        System.setProperty("aws.accessKeyId", "ssm-fake-key");
        System.setProperty("aws.secretAccessKey", "ssm-fake-secret");
        return Map.of("callbridge.secrets-ssm-path", PATH, "callbridge.secrets-ssm-endpoint", fake.endpoint(),
                "AWS_REGION", "us-east-1");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(fake, new TestInjector.MatchesType(SsmFake.class));
    }

    @Override
    public void stop() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (fake != null) {
            fake.close();
        }
    }
}
