package io.callbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.testing.ssm.SsmFake;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** SsmSecretsConfigSourceFactory against an SSM fake, inside a SmallRye config built as Quarkus builds it. */
class SsmSecretsConfigSourceTest {
    private static final String PATH = "/callbridge-test/";
    private static final Map<String, String> SECRETS = Map.of(
            "pipedrive-api-token", "ssm-pipedrive-token-0123456789",
            "webhook-token", "ssm-webhook-token-abcdef",
            "webhook-token-previous", "ssm-webhook-token-previous-xyz",
            "admin-token", "ssm-admin-token-ghijkl",
            "myoperator-api-token", "ssm-myoperator-token-mnopqr");

    private static SsmFake ssm;
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            if (record.getThrown() != null) {
                logged.add(chain(record.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void startFake() {
        ssm = SsmFake.start();
    }

    @AfterAll
    static void stopFake() {
        ssm.close();
    }

    @BeforeEach
    void captureLogs() {
        ssm.reset();
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void releaseLogs() {
        Logger.getLogger("").removeHandler(capture);
        String all = String.join("\n", logged);
        SECRETS.values().forEach(v -> assertFalse(all.contains(v), () -> "a secret value was logged: " + all));
    }

    private static void putAll() {
        SECRETS.forEach((name, value) -> ssm.put(PATH + name, value));
    }

    /** env: environment variables (ordinal 300) over the defaults here; application.properties-like values at 250. */
    private static SmallRyeConfig config(Map<String, String> env) {
        Map<String, String> environment = new HashMap<>(Map.of("AWS_REGION", "us-east-1",
                "CALLBRIDGE_SECRETS_SSM_PATH", PATH, "CALLBRIDGE_SECRETS_SSM_ENDPOINT", ssm.endpoint()));
        environment.putAll(env);
        environment.values().removeIf(String::isEmpty);
        return new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(environment, 300))
                .withSources(new PropertiesConfigSource(Map.of("callbridge.webhook-token", "properties-webhook-token",
                        "callbridge.myoperator-api-token", "properties-myoperator-token"), "application.properties", 250))
                .withSources(new SsmSecretsConfigSourceFactory(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key", "test-secret"))))
                .build();
    }

    private static String chain(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }

    /** The messages of the start-up failure, checked to hold no secret value. */
    private static String failure(Map<String, String> env) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> config(env));
        String all = chain(e);
        SECRETS.values().forEach(v -> assertFalse(all.contains(v), () -> "a secret value in the error: " + all));
        return all;
    }

    @Test
    void everySecretArrivesUnderItsPropertyAndWinsOverTheEnvironment() {
        putAll();
        SmallRyeConfig config = config(Map.of("CALLBRIDGE_WEBHOOK_TOKEN", "stale-env-webhook-token",
                "CALLBRIDGE_ADMIN_TOKEN", "stale-env-admin-token"));
        for (SsmSecretsConfigSourceFactory.Secret s : SsmSecretsConfigSourceFactory.SECRETS) {
            assertEquals(SECRETS.get(s.parameter()), config.getValue(s.property(), String.class), s.property());
        }
        assertEquals(SsmSecretsConfigSourceFactory.ORDINAL,
                config.getConfigValue("callbridge.webhook-token").getSourceOrdinal());

        assertEquals(1, ssm.requests().size(), "one GetParameters call for all secrets");
        SsmFake.Request request = ssm.requests().get(0);
        assertEquals("AmazonSSM.GetParameters", request.target());
        assertEquals("application/x-amz-json-1.1", request.contentType());
        assertTrue(request.authorization().startsWith("AWS4-HMAC-SHA256 Credential=test-key/"),
                request.authorization());
        assertTrue(request.authorization().contains("/us-east-1/ssm/aws4_request"), request.authorization());
        assertTrue(request.body().path("WithDecryption").asBoolean());
        List<String> names = new ArrayList<>();
        request.body().path("Names").forEach(n -> names.add(n.asText()));
        assertEquals(SsmSecretsConfigSourceFactory.SECRETS.stream().map(s -> PATH + s.parameter()).toList(), names);

        String log = String.join("\n", logged);
        assertTrue(log.contains(PATH + "webhook-token"), () -> "the loaded names are logged: " + log);
    }

    @Test
    void optionalSecretsMayBeMissing() {
        SsmSecretsConfigSourceFactory.SECRETS.stream().filter(SsmSecretsConfigSourceFactory.Secret::required)
                .forEach(s -> ssm.put(PATH + s.parameter(), SECRETS.get(s.parameter())));
        SmallRyeConfig config = config(Map.of());
        assertEquals(SECRETS.get("webhook-token"), config.getValue("callbridge.webhook-token", String.class));
        assertEquals(Optional.empty(), config.getOptionalValue("callbridge.webhook-token-previous", String.class));
        assertEquals("properties-myoperator-token", config.getValue("callbridge.myoperator-api-token", String.class),
                "an optional secret SSM does not have falls back to the other sources");
        String log = String.join("\n", logged);
        assertTrue(log.contains("optional, not present: [" + PATH + "webhook-token-previous"), log);
    }

    @Test
    void aMissingRequiredSecretStopsStartUpNamingTheParameter() {
        SECRETS.forEach((name, value) -> {
            if (!name.equals("admin-token") && !name.equals("pipedrive-api-token")) {
                ssm.put(PATH + name, value);
            }
        });
        String error = failure(Map.of());
        assertTrue(error.contains(PATH + "admin-token (callbridge.admin-token)"), error);
        assertTrue(error.contains(PATH + "pipedrive-api-token (callbridge.pipedrive-api-token)"), error);
        assertTrue(error.contains("aws ssm put-parameter --type SecureString"), error);
        assertFalse(error.contains(PATH + "webhook-token ("), error);
    }

    @Test
    void anSsmRefusalStopsStartUpWithTheAwsErrorAndNoValue() {
        putAll();
        ssm.fail(400, "{\"__type\":\"com.amazonaws.ssm#AccessDeniedException\",\"message\":\"User: arn:aws:sts::1:"
                + "assumed-role/x is not authorized to perform: ssm:GetParameters\"}");
        String error = failure(Map.of());
        assertTrue(error.contains("HTTP 400 AccessDeniedException"), error);
        assertTrue(error.contains(PATH + "webhook-token"), error);
        assertTrue(error.contains("ssm:GetParameters"), error);
        assertEquals(1, ssm.requests().size(), "a refusal is not retried");
    }

    @Test
    void anSsmOutageIsRetriedThenStopsStartUp() {
        putAll();
        ssm.fail(500, "{\"__type\":\"InternalServerError\",\"message\":\"try again\"}");
        String error = failure(Map.of());
        assertTrue(error.contains("HTTP 500 InternalServerError"), error);
        assertEquals(3, ssm.requests().size(), "a transient fault is tried three times");
    }

    @Test
    void nothingIsFetchedWithoutThePath() {
        putAll();
        SmallRyeConfig config = config(Map.of("CALLBRIDGE_SECRETS_SSM_PATH", "",
                "CALLBRIDGE_WEBHOOK_TOKEN", "env-webhook-token"));
        assertEquals("env-webhook-token", config.getValue("callbridge.webhook-token", String.class));
        assertEquals(List.of(), ssm.requests());
        config.getConfigSources().forEach(s -> assertFalse(
                s.getName().startsWith(SsmSecretsConfigSourceFactory.SOURCE_NAME), s.getName()));
    }

    @Test
    void aPathThatIsNoSsmPathIsRefused() {
        String error = failure(Map.of("CALLBRIDGE_SECRETS_SSM_PATH", "/callbridge"));
        assertTrue(error.contains("must start and end with '/'"), error);
        assertEquals(List.of(), ssm.requests());
    }

    @Test
    void theRegionIsRequired() {
        String error = failure(Map.of("AWS_REGION", ""));
        assertTrue(error.contains("AWS_REGION"), error);
        assertEquals(List.of(), ssm.requests());
    }

    @Test
    void theDefaultEndpointIsThePartitionsSsmEndpoint() {
        assertEquals("https://ssm.ap-south-1.amazonaws.com",
                SsmParameterClient.defaultEndpoint("ap-south-1").toString());
        assertEquals("https://ssm.cn-north-1.amazonaws.com.cn",
                SsmParameterClient.defaultEndpoint("cn-north-1").toString());
    }
}
