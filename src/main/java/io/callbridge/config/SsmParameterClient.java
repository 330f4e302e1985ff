package io.callbridge.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * One SSM Parameter Store call, {@code GetParameters} with decryption, in the AWS JSON 1.1 protocol, signed with
 * SigV4 by the SDK's signer and sent with the SDK's url-connection client. (The SDK's generated {@code SsmClient}
 * would do the same; its module is not available to this build, see the README.) Never logs or reports a value.
 */
final class SsmParameterClient {
    static final String TARGET = "AmazonSSM.GetParameters";
    static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    /** GetParameters takes at most this many names per call. */
    static final int MAX_NAMES = 10;
    private static final int ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String region;
    private final AwsCredentialsProvider credentials;

    SsmParameterClient(URI endpoint, String region, AwsCredentialsProvider credentials) {
        this.endpoint = endpoint != null ? endpoint : defaultEndpoint(region);
        this.region = region;
        this.credentials = credentials;
    }

    /** https://ssm.<region>.<partition domain>, e.g. https://ssm.ap-south-1.amazonaws.com. */
    static URI defaultEndpoint(String region) {
        RegionMetadata metadata = Region.of(region).metadata();
        String domain = metadata != null ? metadata.domain() : "amazonaws.com";
        return URI.create("https://ssm." + region + "." + domain);
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * The decrypted values of the named parameters that exist (name -> value); names SSM reports as invalid (not
     * found) are absent.
     *
     * @throws SsmException when SSM refuses the call or cannot be reached (after a few tries for transient faults)
     */
    Map<String, String> getParameters(List<String> names) {
        if (names.isEmpty() || names.size() > MAX_NAMES) {
            throw new IllegalArgumentException("GetParameters takes 1 to " + MAX_NAMES + " names, not " + names.size());
        }
        byte[] body = requestBody(names);
        SsmException last = null;
        try (SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(5)).build()) {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    return call(http, body);
                } catch (SsmException e) {
                    if (!e.transientFault()) {
                        throw e;
                    }
                    last = e;
                }
                sleep(200L * attempt);
            }
        }
        throw last;
    }

    private Map<String, String> call(SdkHttpClient http, byte[] body) {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .encodedPath("/").putHeader("Content-Type", CONTENT_TYPE).putHeader("X-Amz-Target", TARGET)
                .putHeader("Content-Length", Integer.toString(body.length)).build();
        SignedRequest signed;
        try {
            signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials.resolveCredentials()).request(request)
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ssm")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        } catch (RuntimeException e) {
            throw new SsmException("no AWS credentials to sign the SSM request (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", false, e);
        }
        int status;
        byte[] answer;
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null)).build()).call();
            status = response.httpResponse().statusCode();
            answer = response.responseBody().isPresent() ? readAll(response.responseBody().get()) : new byte[0];
        } catch (IOException e) {
            throw new SsmException("SSM at " + endpoint + " could not be reached (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", true, e);
        }
        JsonNode json;
        try {
            json = answer.length == 0 ? JSON.createObjectNode() : JSON.readTree(answer);
        } catch (IOException e) {
            throw new SsmException("SSM at " + endpoint + " answered HTTP " + status + " with a body that is not JSON",
                    status >= 500, null);
        }
        if (status / 100 != 2) {
            String type = json.path("__type").asText("");
            type = type.substring(type.lastIndexOf('#') + 1);
            String message = json.has("message") ? json.path("message").asText() : json.path("Message").asText("");
            if (message.length() > 300) {
                message = message.substring(0, 300) + "…";
            }
            boolean retry = status >= 500 || status == 429 || type.contains("Throttling");
            throw new SsmException("SSM at " + endpoint + " answered HTTP " + status
                    + (type.isEmpty() ? "" : " " + type) + (message.isEmpty() ? "" : ": " + message), retry, null);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode parameter : json.path("Parameters")) {
            if (parameter.hasNonNull("Name") && parameter.hasNonNull("Value")) {
                values.put(parameter.get("Name").asText(), parameter.get("Value").asText());
            }
        }
        return values;
    }

    private static byte[] requestBody(List<String> names) {
        ObjectNode body = JSON.createObjectNode();
        names.forEach(body.putArray("Names")::add);
        body.put("WithDecryption", true);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SsmException("interrupted while reading the secrets from SSM", false, e);
        }
    }

    /** SSM refused or could not be reached; the message names the status and AWS error code, never a value. */
    static final class SsmException extends RuntimeException {
        private final boolean transientFault;

        SsmException(String message, boolean transientFault, Throwable cause) {
            super(message, cause);
            this.transientFault = transientFault;
        }

        boolean transientFault() {
            return transientFault;
        }
    }
}
