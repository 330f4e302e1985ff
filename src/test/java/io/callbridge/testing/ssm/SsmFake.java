package io.callbridge.testing.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SSM Parameter Store, as much of it as Callbridge uses: {@code POST /} with {@code X-Amz-Target:
 * AmazonSSM.GetParameters} (AWS JSON 1.1), answering {@code {"Parameters": [...], "InvalidParameters": [...]}}.
 * Records each request; {@link #fail(int, String)} makes it answer an error instead.
 */
public final class SsmFake implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received. */
    public record Request(String target, String contentType, String authorization, JsonNode body) {
    }

    private final HttpServer server;
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile int failStatus;
    private volatile String failBody;

    private SsmFake(HttpServer server) {
        this.server = server;
    }

    public static SsmFake start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            SsmFake fake = new SsmFake(server);
            server.createContext("/", fake::handle);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the SSM fake", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public SsmFake put(String name, String value) {
        parameters.put(name, value);
        return this;
    }

    /** Answer every request with this status and body (an AWS JSON error such as {"__type": ..., "message": ...}). */
    public SsmFake fail(int status, String body) {
        failStatus = status;
        failBody = body;
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void reset() {
        parameters.clear();
        requests.clear();
        failStatus = 0;
        failBody = null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] in = exchange.getRequestBody().readAllBytes();
            JsonNode body;
            try {
                body = JSON.readTree(in);
            } catch (IOException e) {
                body = JSON.createObjectNode();
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            requests.add(new Request(target, exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            if (failStatus != 0) {
                send(exchange, failStatus, failBody == null ? "" : failBody);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !"/".equals(exchange.getRequestURI().getPath())
                    || !"AmazonSSM.GetParameters".equals(target)) {
                send(exchange, 400, "{\"__type\":\"UnknownOperationException\",\"message\":\"" + target + "\"}");
                return;
            }
            if (!body.path("Names").isArray() || body.path("Names").size() < 1 || body.path("Names").size() > 10) {
                send(exchange, 400, "{\"__type\":\"ValidationException\",\"message\":\"Names: 1 to 10\"}");
                return;
            }
            boolean decrypt = body.path("WithDecryption").asBoolean(false);
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode found = answer.putArray("Parameters");
            ArrayNode invalid = answer.putArray("InvalidParameters");
            for (JsonNode name : body.path("Names")) {
                String value = parameters.get(name.asText());
                if (value == null) {
                    invalid.add(name.asText());
                } else {
                    found.addObject().put("Name", name.asText()).put("Type", "SecureString")
                            .put("Value", decrypt ? value : "AQICAHencrypted==").put("Version", 1)
                            .put("ARN", "arn:aws:ssm:us-east-1:123456789012:parameter" + name.asText());
                }
            }
            send(exchange, 200, JSON.writeValueAsString(answer));
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            exchange.getResponseBody().write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
