package io.callbridge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Posts raw API Gateway (HTTP API v2) events, such as the files of {@code events/}, to the Lambda mock event
 * server, so they travel through the real Lambda handler exactly as in AWS.
 */
public final class LambdaEvents {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What the handler answered: the API Gateway response fields. */
    public record Reply(int status, JsonNode body, JsonNode headers) {
        public String field(String name) {
            JsonNode v = body.get(name);
            return v == null || v.isNull() ? null : v.asText();
        }

        public Long id(String name) {
            JsonNode v = body.get(name);
            return v == null || v.isNull() ? null : v.asLong();
        }
    }

    private LambdaEvents() {
    }

    public static ObjectNode load(String fileName) {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(Path.of("events", fileName)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Reply post(String fileName) {
        return post(load(fileName));
    }

    public static Reply post(ObjectNode event, Consumer<ObjectNode> change) {
        change.accept(event);
        return post(event);
    }

    public static Reply post(String fileName, Consumer<ObjectNode> change) {
        ObjectNode event = load(fileName);
        change.accept(event);
        return post(event);
    }

    public static Reply post(ObjectNode event) {
        int port = ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/_lambda_"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event))).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode reply = JSON.readTree(r.body());
            String body = reply.path("body").asText("");
            return new Reply(reply.path("statusCode").asInt(), body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body),
                    reply.path("headers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sets the webhook token header of an event (null removes it). */
    public static Consumer<ObjectNode> token(String token) {
        return e -> {
            ObjectNode headers = (ObjectNode) e.get("headers");
            if (token == null) {
                headers.remove("x-webhook-token");
            } else {
                headers.put("x-webhook-token", token);
            }
        };
    }

    /** Replaces the raw body and content type of an event. */
    public static Consumer<ObjectNode> body(String contentType, String body) {
        return e -> {
            ((ObjectNode) e.get("headers")).put("content-type", contentType);
            e.put("body", body);
        };
    }
}
