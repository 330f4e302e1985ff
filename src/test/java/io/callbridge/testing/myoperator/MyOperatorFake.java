package io.callbridge.testing.myoperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A stateful HTTP fake of MyOperator's users API ({@code GET <path>?token=...&page=n}): a users list served in
 * pages ({@code next_page}), the token checked the way MyOperator does it (HTTP 200 with {@code "status": "error"}),
 * and faults: a page answering an HTTP error, or HTTP 200 with {@code "status": "error"}.
 */
public final class MyOperatorFake implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String token;
    private final List<ObjectNode> users = new ArrayList<>();
    private final Map<Integer, Integer> failingPages = new HashMap<>();
    private String path = "/user";
    private int pageSize = 100;
    private int requests;

    private MyOperatorFake(HttpServer server, String token) {
        this.server = server;
        this.token = token;
    }

    public static MyOperatorFake start(String token) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            MyOperatorFake fake = new MyOperatorFake(server, token);
            server.createContext("/", fake::handle);
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "myoperator-fake");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized void reset() {
        users.clear();
        failingPages.clear();
        path = "/user";
        pageSize = 100;
        requests = 0;
    }

    /** Adds (or replaces, by uuid) a user as MyOperator lists it. {@code email} null leaves the field out. */
    public synchronized void addUser(String uuid, String userId, String name, String email, String contact,
            boolean enabled) {
        removeUser(uuid);
        ObjectNode u = JSON.createObjectNode().put("uuid", uuid).put("user_id", userId).put("name", name)
                .put("contact_number", contact).put("alternate_number", "").put("is_enabled", enabled ? 1 : 0);
        if (email != null) {
            u.put("email", email);
        }
        users.add(u);
    }

    public synchronized void removeUser(String uuid) {
        users.removeIf(u -> uuid.equals(u.path("uuid").asText()));
    }

    public synchronized void setPageSize(int size) {
        pageSize = size;
    }

    /** Page {@code page} answers this HTTP status; 200 means HTTP 200 with {@code "status": "error"}. */
    public synchronized void failPage(int page, int httpStatus) {
        failingPages.put(page, httpStatus);
    }

    public synchronized void clearFaults() {
        failingPages.clear();
    }

    /** Requests served (any answer). */
    public synchronized int requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status;
        ObjectNode body;
        synchronized (this) {
            requests++;
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            int page = q.containsKey("page") ? Integer.parseInt(q.get("page")) : 1;
            if (!"GET".equals(exchange.getRequestMethod()) || !path.equals(exchange.getRequestURI().getPath())) {
                status = 404;
                body = JSON.createObjectNode().put("status", "error").put("message", "not found");
            } else if (!token.equals(q.get("token"))) {
                status = 200;
                body = JSON.createObjectNode().put("status", "error").put("code", 401).put("message", "Invalid token");
            } else if (failingPages.containsKey(page)) {
                status = failingPages.get(page);
                body = JSON.createObjectNode().put("status", "error").put("code", status == 200 ? 500 : status)
                        .put("message", "Something went wrong");
            } else {
                status = 200;
                int from = Math.min(users.size(), (page - 1) * pageSize);
                int to = Math.min(users.size(), from + pageSize);
                body = JSON.createObjectNode().put("status", "success").put("code", 200);
                ArrayNode data = body.putArray("data");
                users.subList(from, to).forEach(u -> data.add(u.deepCopy()));
                if (to < users.size()) {
                    body.put("next_page", page + 1);
                } else {
                    body.put("next_page", false);
                }
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (status == 429) {
            exchange.getResponseHeaders().set("Retry-After", "30");
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
