package io.callbridge.myoperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.call.PhoneNumbers;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.mapping.MyOperatorUser;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Every MyOperator user, read page by page from the API. All or nothing: an HTTP error, a {@code 200} with
 * {@code "status": "error"}, a page that fails midway or a list longer than {@value #MAX_PAGES} pages throws
 * {@link MyOperatorException}, so a partial list never reaches the mapping.
 */
@ApplicationScoped
public class MyOperatorDirectory {
    static final int MAX_PAGES = 100;
    private static final int MAX_MESSAGE = 200;

    private final Optional<String> token;
    private final URI usersUri;
    private final PhoneNumbers phones;
    private final ObjectMapper json;
    private volatile MyOperatorApi api;

    @Inject
    public MyOperatorDirectory(CallbridgeConfig config, PhoneNumbers phones, ObjectMapper json) {
        this(config.myoperatorApiToken(), config.myoperatorBaseUrl(), config.myoperatorUsersPath(), phones, json);
    }

    /** {@code token} empty: no API access (see {@link #configured()}). */
    public MyOperatorDirectory(Optional<String> token, String baseUrl, String usersPath, PhoneNumbers phones,
            ObjectMapper json) {
        this.token = token.map(String::trim).filter(t -> !t.isEmpty());
        String base = baseUrl.replaceAll("/+$", "");
        String path = usersPath.trim();
        this.usersUri = URI.create(base + (path.startsWith("/") ? path : "/" + path));
        this.phones = phones;
        this.json = json;
    }

    /** False on plans without API access (no token configured). */
    public boolean configured() {
        return token.isPresent();
    }

    public List<MyOperatorUser> users() {
        if (token.isEmpty()) {
            throw new MyOperatorException(0, "no CALLBRIDGE_MYOPERATOR_API_TOKEN configured");
        }
        List<MyOperatorUser> users = new ArrayList<>();
        int page = 1;
        for (int read = 1; ; read++) {
            if (read > MAX_PAGES) {
                throw new MyOperatorException(0, "MyOperator listed more than " + MAX_PAGES + " pages of users;"
                        + " the list was not used");
            }
            JsonNode answer = page(page);
            List<JsonNode> listed = usersOf(answer);
            for (JsonNode u : listed) {
                users.add(user(u));
            }
            Integer next = nextPage(answer, page);
            if (listed.isEmpty() || next == null) {
                return users;
            }
            page = next;
        }
    }

    private JsonNode page(int page) {
        Response response;
        try {
            response = api().users(token.get(), page);
        } catch (WebApplicationException e) {
            // the client's default mapper throws on 4xx/5xx; its message is not used (it may name the request)
            Response r = e.getResponse();
            int status = r == null ? 0 : r.getStatus();
            String retry = r == null ? null : r.getHeaderString("Retry-After");
            throw new MyOperatorException(status, "MyOperator answered " + status + " on page " + page
                    + (retry != null ? " (Retry-After " + safe(retry) + ")" : ""));
        } catch (ProcessingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MyOperatorException(0, "MyOperator is unreachable (page " + page + "): "
                    + cause.getClass().getSimpleName());
        }
        try (response) {
            String body = response.hasEntity() ? response.readEntity(String.class) : "";
            int status = response.getStatus();
            if (status >= 400) {
                String retry = response.getHeaderString("Retry-After");
                throw new MyOperatorException(status, "MyOperator answered " + status + " on page " + page
                        + (retry != null ? " (Retry-After " + safe(retry) + ")" : ""));
            }
            JsonNode node;
            try {
                node = json.readTree(body);
            } catch (Exception notJson) {
                node = null;
            }
            if (node == null || !node.isObject()) {
                throw new MyOperatorException(status, "MyOperator answered a non-JSON page " + page);
            }
            String s = node.path("status").asText("");
            if (s.equalsIgnoreCase("error") || s.equalsIgnoreCase("fail") || s.equalsIgnoreCase("failed")) {
                String message = node.path("message").asText(node.path("error").asText(node.path("code").asText("")));
                throw new MyOperatorException(status, "MyOperator answered status error on page " + page
                        + (message.isBlank() ? "" : ": " + safe(message)));
            }
            return node;
        }
    }

    /** {@code data} as a list, or {@code data.users} / {@code data.data} / {@code data.list} / {@code users}. */
    static List<JsonNode> usersOf(JsonNode answer) {
        JsonNode data = answer.path("data");
        for (JsonNode candidate : List.of(data, data.path("users"), data.path("data"), data.path("list"),
                answer.path("users"))) {
            if (candidate.isArray()) {
                List<JsonNode> list = new ArrayList<>();
                candidate.forEach(list::add);
                return list;
            }
        }
        return List.of();
    }

    /** The next page: a number, or true (= this + 1); null when absent, false, empty or not after this one. */
    static Integer nextPage(JsonNode answer, int page) {
        JsonNode next = answer.path("next_page");
        if (next.isMissingNode() || next.isNull()) {
            next = answer.path("data").path("next_page");
        }
        if (next.isBoolean()) {
            return next.booleanValue() ? page + 1 : null;
        }
        if (next.isNumber() || (next.isTextual() && next.asText().trim().matches("\\d+"))) {
            int n = next.isNumber() ? next.intValue() : Integer.parseInt(next.asText().trim());
            return n > page ? n : null;
        }
        if (next.isTextual() && next.asText().trim().equalsIgnoreCase("true")) {
            return page + 1;
        }
        return null;
    }

    private MyOperatorUser user(JsonNode u) {
        Set<String> numbers = new LinkedHashSet<>();
        for (String field : List.of("contact_number", "alternate_number", "phone", "mobile")) {
            String raw = text(u, field);
            if (raw != null) {
                numbers.add(phones.toE164(raw).orElse(raw));
            }
        }
        return new MyOperatorUser(text(u, "uuid"), text(u, "user_id"), text(u, "name"), text(u, "email"),
                List.copyOf(numbers), enabled(u.path("is_enabled")));
    }

    /** Absent means enabled; 0, false, "0", "no", "false", "disabled" mean disabled. */
    static boolean enabled(JsonNode flag) {
        if (flag.isMissingNode() || flag.isNull()) {
            return true;
        }
        if (flag.isBoolean()) {
            return flag.booleanValue();
        }
        if (flag.isNumber()) {
            return flag.intValue() != 0;
        }
        String s = flag.asText().trim().toLowerCase(Locale.ROOT);
        return !(s.equals("0") || s.equals("false") || s.equals("no") || s.equals("disabled"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText().trim();
        return s.isEmpty() ? null : s;
    }

    /** A message from MyOperator, shortened and without the token (should MyOperator echo it). */
    private String safe(String message) {
        String m = token.map(t -> message.replace(t, "***")).orElse(message);
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "…" : m;
    }

    private MyOperatorApi api() {
        MyOperatorApi a = api;
        if (a == null) {
            a = QuarkusRestClientBuilder.newBuilder().baseUri(usersUri)
                    .connectTimeout(3, TimeUnit.SECONDS).readTimeout(15, TimeUnit.SECONDS)
                    .build(MyOperatorApi.class);
            api = a;
        }
        return a;
    }
}
