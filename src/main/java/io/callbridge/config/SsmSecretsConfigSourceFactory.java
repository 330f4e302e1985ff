package io.callbridge.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * The secrets from SSM Parameter Store: when {@code CALLBRIDGE_SECRETS_SSM_PATH} (e.g. {@code /callbridge/}) is set,
 * one {@code GetParameters} call with decryption at start-up (a cold start in AWS) reads the SecureString parameters
 * {@code <path><name>} of {@link #SECRETS} and offers them as {@code callbridge.<name>}, with an ordinal
 * ({@value #ORDINAL}) above environment variables' (300), so a stale variable cannot shadow SSM. Without the path
 * nothing is fetched and the secrets come from the usual sources (local runs, tests).
 *
 * <p>Registered in {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}; not {@code @StaticInitSafe},
 * so Quarkus runs it for the runtime configuration only, never at build time. A required parameter that does not
 * exist, or an SSM call that fails, stops the start-up with a message naming the parameters; values are never
 * logged or put in a message.
 */
public class SsmSecretsConfigSourceFactory implements ConfigSourceFactory {
    /** {@code CALLBRIDGE_SECRETS_SSM_PATH}: where the parameters live, starting and ending with '/'. */
    public static final String PATH_PROPERTY = "callbridge.secrets-ssm-path";
    /** {@code CALLBRIDGE_SECRETS_SSM_ENDPOINT}: another SSM endpoint (tests, LocalStack). */
    public static final String ENDPOINT_PROPERTY = "callbridge.secrets-ssm-endpoint";
    /** Above environment variables (300), below system properties (400). */
    public static final int ORDINAL = 350;
    public static final String SOURCE_NAME = "SsmSecretsConfigSource";
    /** What an SSM path must look like: "/", or "/a/b/" (SSM's name characters). */
    public static final Pattern PATH = Pattern.compile("^/([A-Za-z0-9_.-]+/)*$");

    /** A secret: the parameter's name under the path, the property it becomes, whether start-up needs it. */
    public record Secret(String parameter, String property, boolean required) {
    }

    /** Every secret read from SSM; template.yaml grants ssm:GetParameters on exactly these (TemplateTest checks). */
    public static final List<Secret> SECRETS = List.of(
            new Secret("pipedrive-api-token", "callbridge.pipedrive-api-token", true),
            new Secret("webhook-token", "callbridge.webhook-token", true),
            new Secret("webhook-token-previous", "callbridge.webhook-token-previous", false),
            new Secret("admin-token", "callbridge.admin-token", true),
            new Secret("myoperator-api-token", "callbridge.myoperator-api-token", false));

    private static final Logger LOG = Logger.getLogger(SsmSecretsConfigSourceFactory.class);

    private final AwsCredentialsProvider credentials;

    /** The one the ServiceLoader uses: AWS's default credentials chain (in Lambda, the function's role). */
    public SsmSecretsConfigSourceFactory() {
        this(null);
    }

    SsmSecretsConfigSourceFactory(AwsCredentialsProvider credentials) {
        this.credentials = credentials;
    }

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String path = value(context, PATH_PROPERTY);
        if (path == null) {
            return List.of();
        }
        if (!PATH.matcher(path).matches()) {
            throw new IllegalStateException("CALLBRIDGE_SECRETS_SSM_PATH is '" + path + "', which is no SSM path:"
                    + " it must start and end with '/', e.g. /callbridge/");
        }
        String region = value(context, "AWS_REGION");
        if (region == null) {
            throw new IllegalStateException("CALLBRIDGE_SECRETS_SSM_PATH is set but AWS_REGION is not: cannot tell"
                    + " which region's SSM Parameter Store holds the secrets");
        }
        String endpoint = value(context, ENDPOINT_PROPERTY);
        List<String> names = SECRETS.stream().map(s -> path + s.parameter()).toList();
        Map<String, String> found;
        AwsCredentialsProvider provider = credentials;
        DefaultCredentialsProvider chain = null;
        if (provider == null) {
            chain = DefaultCredentialsProvider.builder().build();
            provider = chain;
        }
        SsmParameterClient client = new SsmParameterClient(endpoint == null ? null : URI.create(endpoint), region,
                provider);
        try {
            found = client.getParameters(names);
        } catch (SsmParameterClient.SsmException e) {
            throw new IllegalStateException("cannot read the secrets from SSM Parameter Store (GetParameters " + names
                    + " in " + region + "): " + e.getMessage() + ". The function's role needs ssm:GetParameters on"
                    + " them (and kms:Decrypt if they use a customer-managed KMS key)", e);
        } finally {
            if (chain != null) {
                chain.close();
            }
        }
        Map<String, String> properties = new LinkedHashMap<>();
        List<String> loaded = new ArrayList<>();
        List<String> absentOptional = new ArrayList<>();
        List<String> absentRequired = new ArrayList<>();
        for (Secret secret : SECRETS) {
            String name = path + secret.parameter();
            String value = found.get(name);
            if (value != null && !value.isEmpty()) {
                properties.put(secret.property(), value);
                loaded.add(name);
            } else if (secret.required()) {
                absentRequired.add(name + " (" + secret.property() + ")");
            } else {
                absentOptional.add(name);
            }
        }
        if (!absentRequired.isEmpty()) {
            throw new IllegalStateException("SSM Parameter Store in " + region + " has no parameter "
                    + String.join(", ", absentRequired) + ": create each with aws ssm put-parameter --type SecureString"
                    + " --name <name> --value ... (see the README, Deploying to AWS)");
        }
        LOG.infof("secrets loaded from SSM Parameter Store: %s%s", loaded,
                absentOptional.isEmpty() ? "" : "; optional, not present: " + absentOptional);
        return List.of(new MapBackedConfigSource(SOURCE_NAME + "[" + path + "]", properties, ORDINAL) {
        });
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null
                : value.getValue().trim();
    }
}
