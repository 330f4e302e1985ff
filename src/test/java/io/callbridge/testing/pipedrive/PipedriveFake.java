package io.callbridge.testing.pipedrive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful, in-memory fake of the Pipedrive REST API subset Callbridge uses, served over real HTTP by the JDK's
 * {@link HttpServer} on 127.0.0.1. It mirrors the behaviour and the validation strictness of the acceptance
 * emulator ({@code /work/shared/acceptance/pipedrive_emulator.py}): API v2 persons/deals/activities, v1 users,
 * activityTypes and callLogs, token costs, the daily budget and the 2 s burst window (429 + {@code Retry-After}),
 * deprecated v1 endpoints answering 410, and a list of "violations" (misuse a real Pipedrive would punish or
 * silently ignore: {@code person_id} in a v2 activity, v1 {@code user_id}, {@code api_token} in the URL, an
 * unencoded {@code +} in a search term, deprecated endpoints).
 *
 * <p>Typical use in a test:
 * <pre>{@code
 * try (PipedriveFake fake = PipedriveFake.start("t0ken")) {
 *     fake.addUser(2001, "Priya Nair", "priya.nair@example.com");
 *     long person = fake.addPerson(null, "Anil Kumar", "+91 98450 12367");
 *     long deal = fake.addDeal(null, person, "Anil Kumar deal", "open", Instant.now());
 *     ... point the app at fake.baseUrl() ...
 *     assertEquals(1, fake.activities().size());
 *     assertEquals(List.of(), fake.violations());
 * }
 * }</pre>
 *
 * <p>Control routes (no auth) for scripts: {@code GET /__sandbox/state}, {@code GET /__sandbox/stats},
 * {@code GET /__sandbox/log?since=<seq>}, {@code POST /__sandbox/reset}, {@code POST /__sandbox/seed} (fixture JSON,
 * see {@link #seed(JsonNode)}), {@code POST /__sandbox/faults} (JSON fault or list), {@code POST /__sandbox/faults/clear},
 * {@code POST /__sandbox/config}. {@code /__control/...} is an alias (the Python emulator's prefix).
 *
 * <p>All public methods are thread-safe. Ids are allocated from a JVM-wide counter that starts high and is never
 * reset, so an id cached by the application in one test can never point at another object in the next one.
 */
public final class PipedriveFake implements AutoCloseable {

    public static final int DEFAULT_BURST_LIMIT = 1_000;
    public static final int DEFAULT_SEARCH_LIMIT = 1_000;
    public static final long DEFAULT_DAILY_BUDGET = 10_000_000L;

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String V2 = "/api/v2";
    private static final String ERROR_INFO = "Please check developers.pipedrive.com";
    private static final String BAD = "ERR_BAD_REQUEST";
    static final String CLOUDFLARE_HTML = "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
            + "<body><h1>Sorry, you have been blocked</h1><p>You are unable to access pipedrive.com</p>"
            + "<p>Cloudflare Ray ID: 7d1f00c0ffee0000</p></body></html>";
    private static final Set<String> OUTCOMES = Set.of("connected", "no_answer", "left_message", "left_voicemail",
            "wrong_number", "busy");
    private static final Pattern DEPRECATED_V1 = Pattern.compile("^/v1/(persons|deals|activities|itemSearch|searchResults|"
            + "organizations|pipelines|stages|products)(/.*)?$");
    private static final String OLD_TS = "2025-01-01 00:00:00";
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String DEFAULT_SEED = """
            {"users": [{"id": 1001, "name": "Callbridge Admin", "email": "admin@example.com", "is_admin": 1}],
             "activityTypes": [{"id": 1, "key_string": "call", "name": "Call"},
                               {"id": 2, "key_string": "meeting", "name": "Meeting"},
                               {"id": 3, "key_string": "task", "name": "Task"},
                               {"id": 4, "key_string": "deadline", "name": "Deadline"},
                               {"id": 5, "key_string": "email", "name": "Email"}],
             "pipelines": [{"id": 1, "name": "Sales pipeline"}],
             "stages": [{"id": 1, "pipeline_id": 1, "name": "Lead in", "order_nr": 1},
                        {"id": 2, "pipeline_id": 1, "name": "Contact made", "order_nr": 2},
                        {"id": 3, "pipeline_id": 1, "name": "Proposal made", "order_nr": 3}]}
            """;

    /** JVM-wide id counter: never reused across resets or fake instances. */
    private static final AtomicLong NEXT_ID = new AtomicLong(
            1_000_000L + (System.currentTimeMillis() / 1000 % 100_000) * 10);
    private static final AtomicInteger THREADS = new AtomicInteger();

    // ------------------------------------------------------------------ snapshot types

    /** A user as stored; {@code json} is the full record as Pipedrive would return it. */
    public record User(long id, String name, String email, boolean active, boolean deleted, Map<String, Object> json) {
    }

    /** A person; {@code phones}/{@code emails} are the stored values exactly as typed. {@code seeded} = not created through the API. */
    public record Person(long id, String name, List<String> phones, List<String> emails, Long ownerId, Long orgId,
                         boolean deleted, String addTime, String updateTime, boolean seeded, Map<String, Object> json) {
    }

    public record Deal(long id, String title, Long personId, Long ownerId, String status, Long pipelineId, Long stageId,
                       boolean deleted, boolean archived, String addTime, String updateTime, boolean seeded,
                       Map<String, Object> json) {
    }

    /** An activity; {@code personId} is the primary participant; {@code participants} are maps {person_id, primary, primary_flag}. */
    public record Activity(long id, String subject, String type, Long ownerId, Long dealId, Long personId, String leadId,
                           String dueDate, String dueTime, String duration, boolean done, String note, boolean deleted,
                           List<Map<String, Object>> participants, String addTime, String updateTime, boolean seeded,
                           Map<String, Object> json) {
    }

    /**
     * One HTTP request as the fake saw it. {@code status} is {@link #DROPPED} (0) when the connection was closed
     * without an answer; {@code cost} is the token cost charged; {@code body} is the parsed JSON body (a text node if
     * it was not JSON, null if empty); {@code fault} is the label of the injected fault, if any.
     */
    public record RecordedRequest(long seq, String method, String path, Map<String, String> query, String route,
                                  int status, int cost, boolean wrote, String fault, List<String> violations,
                                  List<String> warnings, JsonNode body, long durationMs) {
        public static final int DROPPED = 0;

        public boolean dropped() {
            return status == DROPPED;
        }

        /** Body field as text, or null. */
        public String bodyField(String name) {
            JsonNode v = body == null ? null : body.get(name);
            return v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
        }

        @Override
        public String toString() {
            return "#" + seq + " " + method + " " + path + (query.isEmpty() ? "" : " " + query) + " -> "
                    + (dropped() ? "dropped" : status) + " (cost " + cost + (fault != null ? ", fault " + fault : "")
                    + (violations.isEmpty() ? "" : ", violations " + violations) + ")";
        }
    }

    public record Violation(long seq, String request, String message) {
        @Override
        public String toString() {
            return "#" + seq + " " + request + ": " + message;
        }
    }

    /** A registered fault: see how often it fired, or remove it. */
    public final class InjectedFault {
        private final int id;
        private final FakeFault spec;
        private int hits;
        private int skipLeft;

        private InjectedFault(int id, FakeFault spec) {
            this.id = id;
            this.spec = spec;
            this.skipLeft = spec.skip();
        }

        public int id() {
            return id;
        }

        public FakeFault spec() {
            return spec;
        }

        public int hits() {
            synchronized (lock) {
                return hits;
            }
        }

        public void remove() {
            synchronized (lock) {
                faults.remove(this);
            }
        }

        @Override
        public String toString() {
            return "fault#" + id + " " + spec.method() + " " + spec.pathRegex() + " " + spec.label() + " hits=" + hits();
        }
    }

    // ------------------------------------------------------------------ config and state

    private static final class Config {
        Long tokenUserId;
        long windowMs = 2000;
        int burstLimit = DEFAULT_BURST_LIMIT;
        int searchLimit = DEFAULT_SEARCH_LIMIT;
        long dailyBudget = DEFAULT_DAILY_BUDGET;
        boolean rateLimiting = true;
        Integer openDealsLimit;
        long latencyMs;
        long jitterMs;
        long indexDelayMs;

        Config copy() {
            Config c = new Config();
            c.tokenUserId = tokenUserId;
            c.windowMs = windowMs;
            c.burstLimit = burstLimit;
            c.searchLimit = searchLimit;
            c.dailyBudget = dailyBudget;
            c.rateLimiting = rateLimiting;
            c.openDealsLimit = openDealsLimit;
            c.latencyMs = latencyMs;
            c.jitterMs = jitterMs;
            c.indexDelayMs = indexDelayMs;
            return c;
        }

        ObjectNode toJson() {
            ObjectNode o = NODES.objectNode();
            o.put("token_user_id", tokenUserId);
            o.put("window_s", windowMs / 1000.0);
            o.put("burst_limit", burstLimit);
            o.put("search_limit", searchLimit);
            o.put("daily_budget", dailyBudget);
            o.put("rate_limiting", rateLimiting);
            o.put("open_deals_limit", openDealsLimit);
            o.put("latency_ms", latencyMs);
            o.put("jitter_ms", jitterMs);
            o.put("index_delay_ms", indexDelayMs);
            return o;
        }
    }

    private final Object lock = new Object();
    private final String token;
    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Route> routes = new ArrayList<>();

    private Config baseConfig = new Config();
    private Config config = baseConfig.copy();
    private JsonNode baseSeed;
    private final Map<Long, ObjectNode> users = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> persons = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> deals = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> activities = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> activityTypes = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> pipelines = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> stages = new LinkedHashMap<>();
    private final Map<String, ObjectNode> callLogs = new LinkedHashMap<>();
    private final Map<Long, Long> createdNanos = new LinkedHashMap<>();
    private final Set<Long> seededPersons = new HashSet<>();
    private final Set<Long> seededDeals = new HashSet<>();
    private final Set<Long> seededActivities = new HashSet<>();
    private final List<InjectedFault> faults = new ArrayList<>();
    private final List<RecordedRequest> log = new ArrayList<>();
    private final Deque<Long> window = new ArrayDeque<>();
    private final Deque<Long> searchWindow = new ArrayDeque<>();
    private long dailyUsed;
    private LocalDate day = LocalDate.now(ZoneOffset.UTC);
    private long seq;
    private int faultSeq;
    private long generation;
    private volatile Consumer<String> writeListener;
    private volatile Consumer<RecordedRequest> requestListener;

    private PipedriveFake(int port, String token) throws IOException {
        this.token = token;
        buildRoutes();
        reset();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pipedrive-fake-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a fake on a free port of 127.0.0.1 accepting this API token. */
    public static PipedriveFake start(String token) {
        return start(0, token);
    }

    /** Starts a fake on 127.0.0.1:{@code port} (0 = a free port) accepting this API token. */
    public static PipedriveFake start(int port, String token) {
        try {
            return new PipedriveFake(port, token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Pipedrive fake on port " + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>} (no trailing slash). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String token() {
        return token;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * Clears all data, faults, the request log, the rate-limit windows and the daily budget; restores the config
     * (limits, latency, open-deals limit, token user) to its defaults and re-applies the default seed (user 1001
     * "Callbridge Admin" admin@example.com, activity types call/meeting/task/deadline/email = ids 1..5, pipeline 1
     * with stages 1..3) plus the base seed, if one was set with {@link #setBaseSeed(JsonNode)}.
     */
    public void reset() {
        reset(false);
    }

    private void reset(boolean keepConfig) {
        synchronized (lock) {
            generation++;
            if (!keepConfig) {
                config = baseConfig.copy();
            }
            for (Map<?, ?> m : List.of(users, persons, deals, activities, activityTypes, pipelines, stages, callLogs,
                    createdNanos)) {
                m.clear();
            }
            seededPersons.clear();
            seededDeals.clear();
            seededActivities.clear();
            faults.clear();
            log.clear();
            window.clear();
            searchWindow.clear();
            dailyUsed = 0;
            day = LocalDate.now(ZoneOffset.UTC);
            seedLocked(parse(DEFAULT_SEED));
            if (baseSeed != null) {
                seedLocked(baseSeed);
            }
        }
    }

    // ------------------------------------------------------------------ seeding API

    /**
     * Adds a fixture in the acceptance emulator's format: {@code {"users":[{id,name,email,active_flag,is_deleted,is_admin}],
     * "activityTypes":[{id,key_string,name,active_flag}], "pipelines":[..], "stages":[..],
     * "persons":[{id?, name, phones:["+91 ..."] | [{value,label,primary}], emails:[..], owner_id, org_id, is_deleted}],
     * "deals":[{id?, title, person_id, owner_id, status, stage_id, pipeline_id, is_archived, is_deleted, add_time, update_time}],
     * "activities":[{id?, subject, type, deal_id, person_id | participants, owner_id, due_date, due_time, duration, done, note}],
     * "token_user_id": 1001}}. Ids are taken as given or allocated. Returns {@code {"users":[ids],"persons":[ids],...}}.
     */
    public JsonNode seed(JsonNode fixture) {
        synchronized (lock) {
            return seedLocked(fixture);
        }
    }

    public JsonNode seed(String fixtureJson) {
        return seed(parse(fixtureJson));
    }

    /** A fixture applied after the default seed on every {@link #reset()} (and now). Null removes it. */
    public void setBaseSeed(JsonNode fixture) {
        synchronized (lock) {
            baseSeed = fixture == null ? null : fixture.deepCopy();
        }
        reset(true);
    }

    /** Adds (or replaces) an active user. */
    public long addUser(long id, String name, String email) {
        return addUser(id, name, email, true);
    }

    public long addUser(long id, String name, String email, boolean active) {
        ObjectNode u = NODES.objectNode().put("id", id).put("name", name).put("email", email).put("active_flag", active);
        synchronized (lock) {
            userFrom(u);
        }
        return id;
    }

    /** The user the API token belongs to ({@code is_you}, default owner). Default: the lowest user id. */
    public void setTokenUser(long userId) {
        synchronized (lock) {
            config.tokenUserId = userId;
        }
    }

    /** Adds a seeded person owned by the token user; {@code id} null = allocate. Phones are stored exactly as given. */
    public long addPerson(Long id, String name, String... phones) {
        return addPerson(id, name, null, List.of(phones), List.of());
    }

    public long addPerson(Long id, String name, Long ownerId, List<String> phones, List<String> emails) {
        ObjectNode p = NODES.objectNode().put("name", name).put("owner_id", ownerId);
        ArrayNode ph = p.putArray("phones");
        phones.forEach(ph::add);
        ArrayNode em = p.putArray("emails");
        emails.forEach(em::add);
        synchronized (lock) {
            return personFrom(seedPerson(p), id, true).get("id").asLong();
        }
    }

    /** Adds a seeded deal owned by the token user; status open|won|lost; {@code updateTime} null = now. */
    public long addDeal(Long id, long personId, String title, String status, Instant updateTime) {
        return addDeal(id, personId, null, title, status, updateTime);
    }

    public long addDeal(Long id, long personId, Long ownerId, String title, String status, Instant updateTime) {
        if (!Set.of("open", "won", "lost").contains(status)) {
            throw new IllegalArgumentException("status must be open, won or lost: " + status);
        }
        ObjectNode d = NODES.objectNode().put("title", title).put("person_id", personId).put("owner_id", ownerId)
                .put("status", status);
        if (updateTime != null) {
            d.put("update_time", RFC3339.format(updateTime)).put("add_time", RFC3339.format(updateTime));
        }
        synchronized (lock) {
            return dealFrom(d, id, true).get("id").asLong();
        }
    }

    /** Marks a deal archived: it disappears from {@code GET /api/v2/deals} (but {@code GET /deals/{id}} still finds it). */
    public void archiveDeal(long dealId) {
        synchronized (lock) {
            ObjectNode d = require(deals, dealId, "deal");
            d.put("is_archived", true).put("archive_time", now());
        }
    }

    /** Marks a deal deleted (listed only with {@code status=deleted}). */
    public void deleteDeal(long dealId) {
        synchronized (lock) {
            require(deals, dealId, "deal").put("is_deleted", true).put("update_time", now());
        }
    }

    /** Marks a person deleted (as after a merge): not searchable, not usable as participant/person_id. */
    public void deletePerson(long personId) {
        synchronized (lock) {
            require(persons, personId, "person").put("is_deleted", true).put("update_time", now());
        }
    }

    /** Replaces a person's phones (as a user editing the person in Pipedrive would); searches see it at once. */
    public void setPersonPhones(long personId, String... phones) {
        ArrayNode values = NODES.arrayNode();
        List.of(phones).forEach(values::add);
        synchronized (lock) {
            require(persons, personId, "person").put("update_time", now()).set("phones", contacts(values, "mobile"));
        }
    }

    /**
     * Merges one person into another as Pipedrive does: the survivor gets the merged person's phones, and the merged
     * person is gone (its id answers 404).
     */
    public void mergePersons(long mergedId, long survivorId) {
        synchronized (lock) {
            ObjectNode merged = require(persons, mergedId, "person");
            ObjectNode survivor = require(persons, survivorId, "person");
            ArrayNode phones = ((ArrayNode) survivor.get("phones")).deepCopy();
            merged.get("phones").forEach(ph -> phones.add(((ObjectNode) ph.deepCopy()).put("primary", false)));
            survivor.set("phones", phones);
            survivor.put("update_time", now());
            deals.values().stream().filter(d -> Long.valueOf(mergedId).equals(lng(d, "person_id")))
                    .forEach(d -> d.put("person_id", survivorId));
            persons.remove(mergedId);
        }
    }

    /** Sets a deal's status (open, won or lost), as a salesperson closing or reopening it would. */
    public void setDealStatus(long dealId, String status) {
        if (!Set.of("open", "won", "lost").contains(status)) {
            throw new IllegalArgumentException("status must be open, won or lost: " + status);
        }
        synchronized (lock) {
            require(deals, dealId, "deal").put("status", status).put("update_time", now());
        }
    }

    /** Deactivates (or re-activates) a user: an inactive owner_id is a 400. */
    public void setUserActive(long userId, boolean active) {
        synchronized (lock) {
            require(users, userId, "user").put("active_flag", active);
        }
    }

    /** Deactivates (or re-activates) an activity type by key, e.g. {@code "call"}. */
    public void setActivityTypeActive(String key, boolean active) {
        synchronized (lock) {
            activityTypes.values().stream().filter(t -> key.equals(t.path("key_string").asText()))
                    .forEach(t -> t.put("active_flag", active));
        }
    }

    // ------------------------------------------------------------------ config API

    /** Enables rate limiting with these limits: requests per window (default 2 s), searches per window, daily token budget. */
    public void setLimits(int burstPerWindow, int searchPerWindow, long dailyBudget) {
        synchronized (lock) {
            config.burstLimit = burstPerWindow;
            config.searchLimit = searchPerWindow;
            config.dailyBudget = dailyBudget;
            config.rateLimiting = true;
        }
    }

    public void setRateLimitWindow(Duration window) {
        synchronized (lock) {
            config.windowMs = Math.max(1, window.toMillis());
        }
    }

    /** Disables or re-enables 429s (costs are still counted, headers still sent). */
    public void setRateLimiting(boolean enabled) {
        synchronized (lock) {
            config.rateLimiting = enabled;
        }
    }

    /** Open-deals cap of the plan: creating an open deal beyond it answers 403 feature_capping_deals_limit. Null = none. */
    public void setOpenDealsLimit(Integer limit) {
        synchronized (lock) {
            config.openDealsLimit = limit;
        }
    }

    /** Added to every API request before it is handled. */
    public void setLatency(Duration latency) {
        setLatency(latency, Duration.ZERO);
    }

    public void setLatency(Duration fixed, Duration jitter) {
        synchronized (lock) {
            config.latencyMs = fixed.toMillis();
            config.jitterMs = jitter.toMillis();
        }
    }

    /** A person created through the API becomes searchable only after this delay (Pipedrive indexes asynchronously). */
    public void setIndexDelay(Duration delay) {
        synchronized (lock) {
            config.indexDelayMs = delay.toMillis();
        }
    }

    /** Makes the current config (limits, latency, token user, ...) the one {@link #reset()} restores. */
    public void setCurrentConfigAsDefault() {
        synchronized (lock) {
            baseConfig = config.copy();
        }
    }

    /** Called (outside the fake's lock) with one readable line per write, e.g. {@code created deal #12 'x' for person #3}. */
    public void setWriteListener(Consumer<String> listener) {
        this.writeListener = listener;
    }

    /** Called (outside the fake's lock) after every API request is recorded. */
    public void setRequestListener(Consumer<RecordedRequest> listener) {
        this.requestListener = listener;
    }

    // ------------------------------------------------------------------ faults API

    public InjectedFault fault(FakeFault fault) {
        synchronized (lock) {
            InjectedFault f = new InjectedFault(++faultSeq, fault);
            faults.add(f);
            return f;
        }
    }

    public void clearFaults() {
        synchronized (lock) {
            faults.clear();
        }
    }

    public List<InjectedFault> faults() {
        synchronized (lock) {
            return List.copyOf(faults);
        }
    }

    // ------------------------------------------------------------------ inspection API

    public List<User> users() {
        synchronized (lock) {
            return users.values().stream().map(PipedriveFake::toUser).toList();
        }
    }

    public List<Person> persons() {
        synchronized (lock) {
            return persons.values().stream().map(this::toPerson).toList();
        }
    }

    /** Persons created through the API (not seeded). */
    public List<Person> newPersons() {
        return persons().stream().filter(p -> !p.seeded()).toList();
    }

    public Optional<Person> person(long id) {
        synchronized (lock) {
            return Optional.ofNullable(persons.get(id)).map(this::toPerson);
        }
    }

    public List<Deal> deals() {
        synchronized (lock) {
            return deals.values().stream().map(this::toDeal).toList();
        }
    }

    /** Deals created through the API (not seeded). */
    public List<Deal> newDeals() {
        return deals().stream().filter(d -> !d.seeded()).toList();
    }

    public Optional<Deal> deal(long id) {
        synchronized (lock) {
            return Optional.ofNullable(deals.get(id)).map(this::toDeal);
        }
    }

    /** All activities, including deleted ones ({@link Activity#deleted()}). */
    public List<Activity> activities() {
        synchronized (lock) {
            return activities.values().stream().map(this::toActivity).toList();
        }
    }

    /** Activities created through the API or by a call log (not seeded). */
    public List<Activity> newActivities() {
        return activities().stream().filter(a -> !a.seeded()).toList();
    }

    public Optional<Activity> activity(long id) {
        synchronized (lock) {
            return Optional.ofNullable(activities.get(id)).map(this::toActivity);
        }
    }

    public List<Map<String, Object>> callLogs() {
        synchronized (lock) {
            return callLogs.values().stream().map(PipedriveFake::toMap).toList();
        }
    }

    /** Every API request since the last reset, oldest first (control routes are not recorded). */
    public List<RecordedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(log);
        }
    }

    /** Requests with this method ({@code "*"} = any) whose path contains a match of {@code pathRegex}. */
    public List<RecordedRequest> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return requests().stream()
                .filter(r -> ("*".equals(method) || r.method().equalsIgnoreCase(method)) && p.matcher(r.path()).find())
                .toList();
    }

    /** Sum of the token costs charged since the last reset. */
    public long tokensSpent() {
        synchronized (lock) {
            return log.stream().mapToLong(RecordedRequest::cost).sum();
        }
    }

    /** Number of requests that changed data (including those answered with an error by a createThen fault). */
    public long writes() {
        synchronized (lock) {
            return log.stream().filter(RecordedRequest::wrote).count();
        }
    }

    public List<Violation> violations() {
        synchronized (lock) {
            List<Violation> out = new ArrayList<>();
            for (RecordedRequest r : log) {
                for (String v : r.violations()) {
                    out.add(new Violation(r.seq(), r.method() + " " + r.path(), v));
                }
            }
            return List.copyOf(out);
        }
    }

    /** Tokens counted against the daily budget since the last reset. */
    public long dailyTokensUsed() {
        synchronized (lock) {
            return dailyUsed;
        }
    }

    /** Same JSON as {@code GET /__sandbox/stats}. */
    public JsonNode stats() {
        List<RecordedRequest> entries = requests();
        ObjectNode byEp = NODES.objectNode();
        Map<String, Integer> statuses = new TreeMap<>();
        ArrayNode violationsJson = NODES.arrayNode();
        ArrayNode warnings = NODES.arrayNode();
        long cost = 0;
        long writes = 0;
        long faulted = 0;
        for (RecordedRequest e : entries) {
            String st = e.dropped() ? "dropped" : String.valueOf(e.status());
            ObjectNode ep = (ObjectNode) byEp.get(e.route());
            if (ep == null) {
                ep = byEp.putObject(e.route()).put("count", 0).put("cost", 0);
                ep.putObject("statuses");
            }
            ep.put("count", ep.get("count").asLong() + 1);
            ep.put("cost", ep.get("cost").asLong() + e.cost());
            ObjectNode eps = (ObjectNode) ep.get("statuses");
            eps.put(st, eps.path(st).asLong() + 1);
            statuses.merge(st, 1, Integer::sum);
            cost += e.cost();
            writes += e.wrote() ? 1 : 0;
            faulted += e.fault() != null ? 1 : 0;
            for (String v : e.violations()) {
                violationsJson.addObject().put("seq", e.seq()).put("request", e.method() + " " + e.path()).put("violation", v);
            }
            for (String w : e.warnings()) {
                warnings.addObject().put("seq", e.seq()).put("request", e.method() + " " + e.path()).put("warning", w);
            }
        }
        ObjectNode out = NODES.objectNode();
        out.put("requests", entries.size());
        out.put("token_cost", cost);
        out.put("writes", writes);
        out.put("rate_limited", statuses.getOrDefault("429", 0));
        out.put("faults_injected", faulted);
        ObjectNode sc = out.putObject("status_counts");
        statuses.forEach(sc::put);
        out.set("by_endpoint", byEp);
        out.put("violation_count", violationsJson.size());
        out.set("violations", violationsJson);
        out.set("warnings", warnings);
        synchronized (lock) {
            out.put("daily_used", dailyUsed);
        }
        return out;
    }

    /** Same JSON as {@code GET /__sandbox/state}. */
    public JsonNode state() {
        synchronized (lock) {
            ObjectNode s = NODES.objectNode();
            s.set("users", arrayOf(users.values()));
            s.set("persons", arrayOf(persons.values()));
            s.set("deals", arrayOf(deals.values()));
            s.set("activities", arrayOf(activities.values()));
            s.set("activityTypes", arrayOf(activityTypes.values()));
            s.set("callLogs", arrayOf(callLogs.values()));
            s.set("pipelines", arrayOf(pipelines.values()));
            s.set("stages", arrayOf(stages.values()));
            ObjectNode c = config.toJson();
            c.put("token_user_id", tokenUserId());
            s.set("config", c);
            s.put("daily_used", dailyUsed);
            ArrayNode fs = s.putArray("faults");
            for (InjectedFault f : faults) {
                fs.add(faultJson(f));
            }
            return s;
        }
    }

    // ------------------------------------------------------------------ HTTP plumbing

    private enum Kind { READ, WRITE, SEARCH }

    @FunctionalInterface
    private interface Handler {
        Object handle(Req req, Map<String, String> q, ObjectNode body, String id);
    }

    private record Route(String method, Pattern rx, String name, Handler handler, int cost, Kind kind) {
    }

    private record RouteMatch(Route route, String id) {
    }

    /** Handler result with additional_data. */
    private record Result(JsonNode data, JsonNode extra) {
    }

    private static final class Req {
        final String method;
        final String path;
        final Map<String, String> query;
        final Headers headers;
        final byte[] raw;
        final String route;
        boolean wrote;
        final List<String> violations = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        String writeNote;

        Req(String method, String path, Map<String, String> query, Headers headers, byte[] raw, String route) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.raw = raw;
            this.route = route;
        }
    }

    private static final class Resp {
        Integer status;
        Object payload; // JsonNode or String
        Map<String, String> headers = new LinkedHashMap<>();
        String ctype = "application/json";
        int cost;

        Resp(Integer status, Object payload, Map<String, String> headers, int cost) {
            this.status = status;
            this.payload = payload;
            if (headers != null) {
                this.headers.putAll(headers);
            }
            this.cost = cost;
        }
    }

    /** A Pipedrive error answer. */
    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String error;
        final String code;
        final Map<String, Object> extra = new LinkedHashMap<>();
        Map<String, String> headers = Map.of();
        int cost;

        ApiError(int status, String error, String code) {
            super(error, null, false, false);
            this.status = status;
            this.error = error;
            this.code = code;
        }

        ApiError with(String key, Object value) {
            extra.put(key, value);
            return this;
        }
    }

    private static ApiError bad(String msg) {
        return new ApiError(400, msg, BAD);
    }

    private static ApiError bad(String msg, int status, String code) {
        return new ApiError(status, msg, code);
    }

    private void handle(HttpExchange ex) {
        try {
            dispatch(ex);
        } catch (Throwable t) {
            System.err.println("PipedriveFake: internal error on " + ex.getRequestMethod() + " " + ex.getRequestURI()
                    + ": " + t);
            t.printStackTrace();
            try {
                send(ex, 500, errorEnvelope("Pipedrive fake internal error: " + t, null), Map.of(), "application/json");
            } catch (IOException | RuntimeException ignored) {
                // headers may already be sent
            }
        } finally {
            ex.close();
        }
    }

    private void dispatch(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        URI uri = ex.getRequestURI();
        String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String rawQuery = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        Map<String, String> q = parseQuery(rawQuery);
        byte[] raw = ex.getRequestBody().readAllBytes();
        for (String prefix : List.of("/__sandbox", "/__control")) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                control(ex, method, path.substring(prefix.length()), q, raw);
                return;
            }
        }
        String norm = path.startsWith("/api/v1/") ? "/v1/" + path.substring("/api/v1/".length()) : path;
        RouteMatch found = routeFor(method, norm);
        Req req = new Req(method, path, q, ex.getRequestHeaders(), raw,
                method + " " + (found != null ? found.route().name() : norm));
        InjectedFault fault;
        long delay;
        long gen;
        synchronized (lock) {
            gen = generation;
            fault = takeFault(method, norm, rawQuery);
            delay = config.latencyMs + (config.jitterMs > 0 ? ThreadLocalRandom.current().nextLong(config.jitterMs + 1) : 0);
        }
        FakeFault.Mode mode = fault == null ? null : fault.spec.mode();
        if (mode == FakeFault.Mode.DELAY) {
            delay += fault.spec.delayMs();
        }
        sleep(delay);
        synchronized (lock) {
            if (gen != generation) {
                // the fake was reset while this request waited (latency/delay fault): do not let it touch or
                // pollute the new state and log
                send(ex, 503, errorEnvelope("Pipedrive fake was reset while this request was pending", null), Map.of(),
                        "application/json");
                return;
            }
        }
        if (mode == FakeFault.Mode.DROP) {
            finish(ex, req, new Resp(null, null, null, 0), fault, t0);
            return;
        }
        Resp resp;
        try {
            if (mode == FakeFault.Mode.STATUS) {
                resp = faultResponse(fault.spec, fault.spec.status());
                int st = resp.status;
                resp.cost = found != null && st != 401 && st != 429 ? found.route().cost() : 0;
            } else {
                resp = api(req, norm, found);
            }
        } catch (ApiError e) {
            resp = errorResponse(e);
        }
        if (mode == FakeFault.Mode.CREATE_THEN && resp.status < 300) {
            Resp f = fault.spec.status() == 400 && fault.spec.body() == null
                    ? new Resp(400, errorEnvelope("Validation failed: duration: This value is not valid", BAD), null, 0)
                    : faultResponse(fault.spec, fault.spec.status());
            resp.headers.putAll(f.headers);
            resp.status = f.status;
            resp.payload = f.payload;
            resp.ctype = f.ctype;
        }
        if (mode == FakeFault.Mode.DROP_AFTER) {
            resp.status = null;
        }
        finish(ex, req, resp, fault, t0);
    }

    private Resp errorResponse(ApiError e) {
        Object payload;
        if (e.status == 429) {
            ObjectNode o = NODES.objectNode().put("success", false).put("error", "Rate limit exceeded").put("errorCode", 429);
            payload = o;
        } else {
            ObjectNode o = errorEnvelope(e.error, e.code);
            e.extra.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
            payload = o;
        }
        return new Resp(e.status, payload, e.headers, e.cost);
    }

    private static ObjectNode errorEnvelope(String error, String code) {
        ObjectNode o = NODES.objectNode().put("success", false).put("error", error).put("error_info", ERROR_INFO);
        o.putNull("data");
        o.putNull("additional_data");
        if (code != null) {
            o.put("code", code);
        }
        return o;
    }

    private Resp faultResponse(FakeFault f, int status) {
        Map<String, String> headers = new LinkedHashMap<>(f.headers());
        Object body;
        String msg = switch (status) {
            case 500 -> "Internal server error";
            case 502 -> "Bad gateway";
            case 503 -> "Service temporarily unavailable";
            case 403 -> "Forbidden";
            default -> "Error";
        };
        if (status == 429) {
            if (headers.keySet().stream().noneMatch("Retry-After"::equalsIgnoreCase)) {
                headers.put("Retry-After", String.valueOf(f.retryAfterSeconds() != null ? f.retryAfterSeconds() : 2));
            }
            body = NODES.objectNode().put("success", false).put("error", "Rate limit exceeded").put("errorCode", 429);
        } else {
            body = errorEnvelope(msg, null);
        }
        String ctype = f.contentType() != null ? f.contentType()
                : status == 403 || status == 502 ? "text/html; charset=UTF-8" : "application/json";
        if (f.body() != null) {
            body = f.body();
        } else if (ctype.contains("html")) {
            body = status == 403 ? CLOUDFLARE_HTML : "<html><body><h1>" + status + " " + msg + "</h1></body></html>";
        }
        Resp r = new Resp(status, body, headers, 0);
        r.ctype = ctype;
        return r;
    }

    private Resp api(Req req, String norm, RouteMatch found) {
        String tok = req.headers.getFirst("x-api-token");
        if (req.query.containsKey("api_token")) {
            req.violations.add("legacy api_token query parameter (token in the URL leaks into logs); use the x-api-token header");
            if (tok == null || tok.isEmpty()) {
                tok = req.query.get("api_token");
            }
        }
        if (!token.equals(tok)) {
            throw new ApiError(401, "unauthorized access", null).with("errorCode", 401);
        }
        if (DEPRECATED_V1.matcher(norm).matches()) {
            req.violations.add("deprecated/out-of-support v1 endpoint " + req.method + " " + req.path);
            throw bad("This endpoint is deprecated and out of support. Use the API v2 equivalent.", 410, "ERR_GONE");
        }
        if (found == null) {
            throw bad("Unknown method " + req.method + " " + req.path, 404, "ERR_NOT_FOUND");
        }
        Route route = found.route();
        Map<String, String> headers = rateCheck(route.cost(), route.kind());
        JsonNode data;
        JsonNode extra;
        try {
            ObjectNode body = null;
            if (Set.of("POST", "PATCH", "PUT").contains(req.method) && !route.name().endsWith("/recordings")) {
                body = parseBody(req, route.name().startsWith(V2));
            }
            synchronized (lock) {
                Object result = route.handler().handle(req, req.query, body, found.id());
                if (result instanceof Result r) {
                    data = r.data() == null ? NODES.nullNode() : r.data().deepCopy();
                    extra = r.extra() == null ? null : r.extra().deepCopy();
                } else {
                    data = result == null ? NODES.nullNode() : ((JsonNode) result).deepCopy();
                    extra = null;
                }
                req.wrote = route.kind() == Kind.WRITE;
                if (req.wrote) {
                    req.writeNote = describeWrite(route, data, body);
                }
            }
        } catch (ApiError e) {
            e.headers = headers;
            e.cost = route.cost();
            throw e;
        }
        ObjectNode payload = NODES.objectNode().put("success", true);
        payload.set("data", data);
        if (extra != null) {
            payload.set("additional_data", extra);
        }
        return new Resp(200, payload, headers, route.cost());
    }

    private ObjectNode parseBody(Req req, boolean v2) {
        String ctype = Optional.ofNullable(req.headers.getFirst("Content-Type")).orElse("").toLowerCase(Locale.ROOT);
        if (req.raw.length == 0) {
            return NODES.objectNode();
        }
        if (ctype.contains("json") || (ctype.isEmpty() && (req.raw[0] == '{' || req.raw[0] == '['))) {
            JsonNode body;
            try {
                body = JSON.readTree(req.raw);
            } catch (IOException e) {
                throw bad("Invalid JSON in request body");
            }
            if (body == null || !body.isObject()) {
                throw bad("Request body must be a JSON object");
            }
            return (ObjectNode) body;
        }
        if (v2) {
            throw bad("Unsupported media type: API v2 accepts application/json only", 415, null);
        }
        if (ctype.contains("x-www-form-urlencoded")) {
            ObjectNode o = NODES.objectNode();
            parseQuery(new String(req.raw, StandardCharsets.UTF_8)).forEach(o::put);
            return o;
        }
        throw bad("Unsupported media type", 415, null);
    }

    private Map<String, String> rateCheck(int cost, Kind kind) {
        synchronized (lock) {
            long now = System.nanoTime();
            Config c = config;
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            if (!today.equals(day)) { // the daily budget resets at the server's (UTC) midnight
                day = today;
                dailyUsed = 0;
            }
            long windowNanos = c.windowMs * 1_000_000L;
            for (Deque<Long> w : List.of(window, searchWindow)) {
                while (!w.isEmpty() && now - w.peekFirst() >= windowNanos) {
                    w.pollFirst();
                }
            }
            long left = Math.max(0, c.dailyBudget - dailyUsed);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-ratelimit-limit", String.valueOf(c.burstLimit));
            headers.put("x-ratelimit-reset", String.valueOf(resetIn(window, now, c)));
            headers.put("x-daily-ratelimit-token-limit", String.valueOf(c.dailyBudget));
            if (c.rateLimiting) {
                if (left < cost) {
                    throw limited(headers, 0, 86_400 - Instant.now().getEpochSecond() % 86_400);
                }
                if (window.size() >= c.burstLimit) {
                    throw limited(headers, left, resetIn(window, now, c));
                }
                if (kind == Kind.SEARCH && searchWindow.size() >= c.searchLimit) {
                    throw limited(headers, left, resetIn(searchWindow, now, c));
                }
            }
            window.addLast(now);
            if (kind == Kind.SEARCH) {
                searchWindow.addLast(now);
            }
            dailyUsed += cost;
            headers.put("x-ratelimit-remaining", String.valueOf(Math.max(0, c.burstLimit - window.size())));
            headers.put("x-daily-ratelimit-token-remaining", String.valueOf(Math.max(0, c.dailyBudget - dailyUsed)));
            return headers;
        }
    }

    private static long resetIn(Deque<Long> w, long now, Config c) {
        if (w.isEmpty()) {
            return (long) Math.ceil(c.windowMs / 1000.0);
        }
        double leftS = (c.windowMs * 1_000_000L - (now - w.peekFirst())) / 1e9;
        return Math.max(1, (long) Math.ceil(leftS));
    }

    private static ApiError limited(Map<String, String> headers, long dailyLeft, long retryAfter) {
        ApiError e = new ApiError(429, "Rate limit exceeded", null).with("errorCode", 429);
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("x-ratelimit-remaining", "0");
        h.put("Retry-After", String.valueOf(retryAfter));
        h.put("x-daily-ratelimit-token-remaining", String.valueOf(dailyLeft));
        e.headers = h;
        return e;
    }

    private void finish(HttpExchange ex, Req req, Resp resp, InjectedFault fault, long t0) throws IOException {
        RecordedRequest rec;
        synchronized (lock) {
            seq++;
            Config c = config;
            if (resp.status != null && resp.headers.keySet().stream().noneMatch("x-ratelimit-limit"::equalsIgnoreCase)) {
                resp.headers.put("x-ratelimit-limit", String.valueOf(c.burstLimit));
                resp.headers.put("x-ratelimit-reset", String.valueOf((long) Math.ceil(c.windowMs / 1000.0)));
                resp.headers.put("x-ratelimit-remaining", String.valueOf(Math.max(0, c.burstLimit - window.size())));
                resp.headers.put("x-daily-ratelimit-token-remaining", String.valueOf(Math.max(0, c.dailyBudget - dailyUsed)));
            }
            JsonNode bodyLog = null;
            if (req.raw.length > 0) {
                try {
                    bodyLog = JSON.readTree(req.raw);
                } catch (IOException e) {
                    String s = new String(req.raw, StandardCharsets.UTF_8);
                    bodyLog = TextNode.valueOf(s.length() > 2000 ? s.substring(0, 2000) : s);
                }
            }
            rec = new RecordedRequest(seq, req.method, req.path, Collections.unmodifiableMap(new LinkedHashMap<>(req.query)),
                    req.route, resp.status == null ? RecordedRequest.DROPPED : resp.status, resp.cost, req.wrote,
                    fault == null ? null : fault.spec.label(), List.copyOf(req.violations), List.copyOf(req.warnings),
                    bodyLog, (System.nanoTime() - t0) / 1_000_000);
            log.add(rec);
        }
        Consumer<String> wl = writeListener;
        if (wl != null && req.writeNote != null) {
            String suffix = fault == null ? ""
                    : fault.spec.mode() == FakeFault.Mode.CREATE_THEN ? " (then answered " + resp.status + ": injected fault)"
                    : fault.spec.mode() == FakeFault.Mode.DROP_AFTER ? " (then dropped the connection: injected fault)" : "";
            notifyQuietly(wl, req.writeNote + suffix);
        }
        Consumer<RecordedRequest> rl = requestListener;
        if (rl != null) {
            notifyQuietly(rl, rec);
        }
        if (resp.status == null) {
            // closing the exchange before any response header was sent closes the TCP connection: no answer at all
            ex.close();
        } else {
            send(ex, resp.status, resp.payload, resp.headers, resp.ctype);
        }
    }

    private static <T> void notifyQuietly(Consumer<T> listener, T value) {
        try {
            listener.accept(value);
        } catch (RuntimeException e) {
            System.err.println("PipedriveFake: listener failed: " + e);
        }
    }

    private static void send(HttpExchange ex, int status, Object payload, Map<String, String> headers, String ctype)
            throws IOException {
        byte[] data;
        if (payload instanceof String s) {
            data = s.getBytes(StandardCharsets.UTF_8);
        } else {
            data = JSON.writeValueAsBytes(payload);
        }
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", ctype);
        headers.forEach(h::set);
        try {
            ex.sendResponseHeaders(status, data.length == 0 ? -1 : data.length);
            if (data.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(data);
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    private void control(HttpExchange ex, String method, String op, Map<String, String> q, byte[] raw) throws IOException {
        try {
            JsonNode body = raw.length == 0 ? NODES.objectNode() : JSON.readTree(raw);
            if (method.equals("GET")) {
                switch (op) {
                    case "", "/health" -> {
                        send(ex, 200, NODES.objectNode().put("ok", true), Map.of(), "application/json");
                        return;
                    }
                    case "/state" -> {
                        send(ex, 200, state(), Map.of(), "application/json");
                        return;
                    }
                    case "/stats" -> {
                        send(ex, 200, stats(), Map.of(), "application/json");
                        return;
                    }
                    case "/log" -> {
                        long since = Long.parseLong(q.getOrDefault("since", "0"));
                        ArrayNode a = NODES.arrayNode();
                        requests().stream().filter(r -> r.seq() > since).forEach(r -> a.add(requestJson(r)));
                        send(ex, 200, a, Map.of(), "application/json");
                        return;
                    }
                    default -> {
                    }
                }
            } else if (method.equals("POST")) {
                switch (op) {
                    case "/reset" -> {
                        reset(body.path("keep_config").asBoolean(false));
                        send(ex, 200, NODES.objectNode().put("ok", true), Map.of(), "application/json");
                        return;
                    }
                    case "/seed" -> {
                        ObjectNode o = NODES.objectNode().put("ok", true);
                        o.set("ids", seed(body));
                        send(ex, 200, o, Map.of(), "application/json");
                        return;
                    }
                    case "/faults" -> {
                        ArrayNode added = NODES.arrayNode();
                        for (JsonNode f : body.isArray() ? body : NODES.arrayNode().add(body)) {
                            added.add(faultJson(fault(faultFromJson(f))));
                        }
                        ObjectNode o = NODES.objectNode().put("ok", true);
                        o.set("faults", added);
                        send(ex, 200, o, Map.of(), "application/json");
                        return;
                    }
                    case "/faults/clear" -> {
                        clearFaults();
                        send(ex, 200, NODES.objectNode().put("ok", true), Map.of(), "application/json");
                        return;
                    }
                    case "/config" -> {
                        applyConfig(body);
                        ObjectNode o = NODES.objectNode().put("ok", true);
                        synchronized (lock) {
                            o.set("config", config.toJson());
                        }
                        send(ex, 200, o, Map.of(), "application/json");
                        return;
                    }
                    default -> {
                    }
                }
            }
            send(ex, 404, NODES.objectNode().put("ok", false).put("error", "unknown control endpoint " + method + " /__sandbox" + op),
                    Map.of(), "application/json");
        } catch (RuntimeException | IOException e) {
            send(ex, 400, NODES.objectNode().put("ok", false).put("error", String.valueOf(e.getMessage())), Map.of(),
                    "application/json");
        }
    }

    private void applyConfig(JsonNode body) {
        Set<String> known = Set.of("burst_limit", "search_limit", "daily_budget", "window_s", "open_deals_limit",
                "latency_ms", "jitter_ms", "index_delay_ms", "token_user_id", "rate_limiting");
        List<String> unknown = new ArrayList<>();
        body.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown config keys " + unknown);
        }
        synchronized (lock) {
            Config c = config;
            if (body.has("burst_limit")) c.burstLimit = body.get("burst_limit").asInt();
            if (body.has("search_limit")) c.searchLimit = body.get("search_limit").asInt();
            if (body.has("daily_budget")) c.dailyBudget = body.get("daily_budget").asLong();
            if (body.has("window_s")) c.windowMs = Math.max(1, Math.round(body.get("window_s").asDouble() * 1000));
            if (body.has("open_deals_limit")) c.openDealsLimit = body.get("open_deals_limit").isNull() ? null : body.get("open_deals_limit").asInt();
            if (body.has("latency_ms")) c.latencyMs = body.get("latency_ms").asLong();
            if (body.has("jitter_ms")) c.jitterMs = body.get("jitter_ms").asLong();
            if (body.has("index_delay_ms")) c.indexDelayMs = body.get("index_delay_ms").asLong();
            if (body.has("token_user_id")) c.tokenUserId = body.get("token_user_id").isNull() ? null : body.get("token_user_id").asLong();
            if (body.has("rate_limiting")) c.rateLimiting = body.get("rate_limiting").asBoolean();
        }
    }

    private static FakeFault faultFromJson(JsonNode f) {
        FakeFault ff = FakeFault.on(f.path("method").asText("*"), f.path("path").asText(".*"));
        if (f.hasNonNull("query")) {
            ff = ff.query(f.get("query").asText());
        }
        int status = f.path("status").asInt(500);
        String mode = f.path("mode").asText("status");
        ff = switch (mode) {
            case "status" -> ff.status(status);
            case "create_then", "create_then_400" -> ff.createThen(f.has("status") ? status : 400);
            case "drop" -> ff.drop();
            case "drop_after" -> ff.dropAfter();
            case "delay" -> ff.delay(f.has("delay_ms") ? f.get("delay_ms").asLong() : f.path("latency_ms").asLong(0));
            default -> throw new IllegalArgumentException("unknown fault mode '" + mode
                    + "'; use one of status, create_then, drop, drop_after, delay");
        };
        if (f.has("times")) {
            ff = ff.times(f.get("times").isNull() ? FakeFault.UNLIMITED : f.get("times").asInt());
        }
        if (f.has("skip")) {
            ff = ff.skip(f.get("skip").asInt());
        }
        if (f.hasNonNull("retry_after")) {
            ff = ff.retryAfter(f.get("retry_after").asInt());
        }
        if (f.hasNonNull("body")) {
            ff = ff.body(f.get("body").isTextual() ? f.get("body").asText() : f.get("body").toString());
        }
        if (f.hasNonNull("content_type")) {
            ff = ff.contentType(f.get("content_type").asText());
        }
        if (f.has("headers")) {
            JsonNode hs = f.get("headers");
            for (java.util.Iterator<String> it = hs.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                ff = ff.header(name, hs.get(name).asText());
            }
        }
        return ff;
    }

    private ObjectNode faultJson(InjectedFault f) {
        FakeFault s = f.spec;
        ObjectNode o = NODES.objectNode().put("id", f.id).put("method", s.method()).put("path", s.pathRegex())
                .put("query", s.queryRegex()).put("mode", s.mode().name().toLowerCase(Locale.ROOT)).put("status", s.status())
                .put("times", s.times() < 0 ? null : s.times()).put("skip", s.skip()).put("retry_after", s.retryAfterSeconds())
                .put("delay_ms", s.delayMs()).put("hits", f.hits);
        return o;
    }

    private static ObjectNode requestJson(RecordedRequest r) {
        ObjectNode o = NODES.objectNode().put("seq", r.seq()).put("method", r.method()).put("path", r.path());
        o.set("query", JSON.valueToTree(r.query()));
        o.put("route", r.route());
        if (r.dropped()) {
            o.put("status", "dropped");
        } else {
            o.put("status", r.status());
        }
        o.put("cost", r.cost()).put("duration_ms", r.durationMs()).put("wrote", r.wrote()).put("fault", r.fault());
        o.set("violations", JSON.valueToTree(r.violations()));
        o.set("warnings", JSON.valueToTree(r.warnings()));
        o.set("body", r.body());
        return o;
    }

    private InjectedFault takeFault(String method, String path, String query) {
        for (InjectedFault f : faults) {
            FakeFault s = f.spec;
            if (!(s.method().equals("*") || s.method().equals(method)) || !Pattern.compile(s.pathRegex()).matcher(path).find()) {
                continue;
            }
            if (s.queryRegex() != null && !Pattern.compile(s.queryRegex()).matcher(query).find()) {
                continue;
            }
            if (s.times() >= 0 && s.times() <= f.hits) {
                continue;
            }
            if (f.skipLeft > 0) {
                f.skipLeft--;
                continue;
            }
            f.hits++;
            return f;
        }
        return null;
    }

    private RouteMatch routeFor(String method, String path) {
        for (Route r : routes) {
            Matcher m = r.rx().matcher(path);
            if (m.matches() && r.method().equals(method)) {
                return new RouteMatch(r, m.groupCount() > 0 ? m.group(1) : null);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ routes

    private void r(String method, String pattern, Handler fn, int cost, Kind kind) {
        Pattern rx = Pattern.compile("^" + pattern.replace("{id}", "([^/]+)") + "$");
        routes.add(new Route(method, rx, pattern, fn, cost, kind));
    }

    private void buildRoutes() {
        r("GET", V2 + "/persons/search", (req, q, b, i) -> searchPersons(req, q, 500), 20, Kind.SEARCH);
        r("GET", V2 + "/itemSearch", this::itemSearch, 20, Kind.SEARCH);
        r("GET", V2 + "/persons", (req, q, b, i) -> listRows(q,
                persons.values().stream().filter(p -> !isTrue(p, "is_deleted")).toList(),
                List.of("owner_id", "org_id"), List.of("id", "update_time", "add_time")), 10, Kind.READ);
        r("POST", V2 + "/persons", this::personCreate, 5, Kind.WRITE);
        r("GET", V2 + "/persons/{id}", this::personGet, 1, Kind.READ);
        r("PATCH", V2 + "/persons/{id}", this::personPatch, 5, Kind.WRITE);
        r("GET", V2 + "/deals/archived", (req, q, b, i) -> dealRows(q, true), 20, Kind.READ);
        r("GET", V2 + "/deals", (req, q, b, i) -> dealRows(q, false), 10, Kind.READ);
        r("POST", V2 + "/deals", this::dealCreate, 5, Kind.WRITE);
        r("GET", V2 + "/deals/{id}", (req, q, b, i) -> get(deals, i, "Deal", false), 1, Kind.READ);
        r("GET", V2 + "/activities", this::activitiesList, 10, Kind.READ);
        r("POST", V2 + "/activities", (req, q, b, i) -> activityFrom(validateActivity(req, b), null, false), 5, Kind.WRITE);
        r("GET", V2 + "/activities/{id}", (req, q, b, i) -> get(activities, i, "Activity", true), 1, Kind.READ);
        r("PATCH", V2 + "/activities/{id}", this::activityPatch, 5, Kind.WRITE);
        r("DELETE", V2 + "/activities/{id}", this::activityDelete, 3, Kind.WRITE);
        r("GET", V2 + "/pipelines", (req, q, b, i) -> new Result(arrayOf(pipelines.values()), nextCursor(null)), 5, Kind.READ);
        r("GET", V2 + "/stages", (req, q, b, i) -> {
            Long pid = qInt(q, "pipeline_id");
            return new Result(arrayOf(stages.values().stream()
                    .filter(s -> pid == null || pid.equals(lng(s, "pipeline_id"))).toList()), nextCursor(null));
        }, 5, Kind.READ);
        r("GET", "/v1/users", this::usersList, 20, Kind.READ);
        r("GET", "/v1/users/me", this::userMe, 2, Kind.READ);
        r("GET", "/v1/users/find", this::userFind, 40, Kind.READ);
        r("GET", "/v1/users/{id}", (req, q, b, i) -> get(users, i, "User", false), 2, Kind.READ);
        r("GET", "/v1/activityTypes", (req, q, b, i) -> arrayOf(activityTypes.values().stream()
                .sorted(Comparator.comparingLong(t -> t.path("order_nr").asLong())).toList()), 20, Kind.READ);
        r("POST", "/v1/callLogs", this::callLogCreate, 10, Kind.WRITE);
        r("GET", "/v1/callLogs/{id}", (req, q, b, i) -> getCallLog(i), 2, Kind.READ);
        r("POST", "/v1/callLogs/{id}/recordings", this::recording, 10, Kind.WRITE);
    }

    // ------------------------------------------------------------------ generic helpers

    private static ObjectNode get(Map<Long, ObjectNode> table, String rid, String what, boolean live) {
        ObjectNode o = rid != null && rid.matches("\\d{1,18}") ? table.get(Long.parseLong(rid)) : null;
        if (o == null || (live && isTrue(o, "is_deleted"))) {
            throw bad(what + " not found", 404, "ERR_NOT_FOUND");
        }
        return o;
    }

    private ObjectNode getCallLog(String id) {
        ObjectNode o = callLogs.get(id);
        if (o == null) {
            throw bad("Call log not found", 404, "ERR_NOT_FOUND");
        }
        return o;
    }

    private void checkUser(Long uid) {
        if (uid == null) {
            return;
        }
        ObjectNode u = users.get(uid);
        if (u == null || isTrue(u, "is_deleted") || !isTrue(u, "active_flag")) {
            throw bad("owner_id: User " + uid + " not found or inactive");
        }
    }

    private static void flagV1Fields(Req req, ObjectNode body) {
        if (body.has("user_id")) {
            req.violations.add("v1 field 'user_id' sent to API v2 (ignored: owner silently dropped)");
            body.remove("user_id");
        }
    }

    private Long tokenUserId() {
        Long uid = config.tokenUserId;
        if (uid != null && users.containsKey(uid)) {
            return uid;
        }
        return users.keySet().stream().min(Long::compare).orElse(null);
    }

    private static long newId(Long wanted) {
        if (wanted == null) {
            return NEXT_ID.getAndIncrement();
        }
        NEXT_ID.updateAndGet(n -> Math.max(n, wanted + 1));
        return wanted;
    }

    private static String now() {
        return RFC3339.format(Instant.now());
    }

    /** Strict v2 typing: no coercion from strings, and booleans are not integers. */
    private enum T { INT, BOOL, STR }

    private static JsonNode typed(JsonNode body, String name, T t) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        boolean ok = switch (t) {
            case INT -> v.isIntegralNumber();
            case BOOL -> v.isBoolean();
            case STR -> v.isTextual();
        };
        if (!ok) {
            throw bad(name + ": must be " + switch (t) {
                case INT -> "an integer";
                case BOOL -> "a boolean (true/false)";
                case STR -> "a string";
            });
        }
        return v;
    }

    private static Long typedInt(JsonNode body, String name) {
        JsonNode v = typed(body, name, T.INT);
        return v == null ? null : v.asLong();
    }

    private static Long qInt(Map<String, String> q, String name) {
        String s = q.get(name);
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (!s.matches("\\d{1,18}")) {
            throw bad(name + ": must be an integer");
        }
        return Long.parseLong(s);
    }

    private static Boolean qBool(Map<String, String> q, String name, Boolean dflt) {
        String s = Optional.ofNullable(q.get(name)).orElse("").toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return dflt;
        }
        if (!Set.of("true", "1", "false", "0").contains(s)) {
            throw bad(name + ": must be a boolean");
        }
        return s.equals("true") || s.equals("1");
    }

    private static JsonNode nextCursor(String c) {
        return NODES.objectNode().put("next_cursor", c);
    }

    private static Result paginate(Map<String, String> q, List<? extends JsonNode> rows, int dflt, int maximum,
                                   java.util.function.Function<List<JsonNode>, JsonNode> wrap) {
        Long lim = qInt(q, "limit");
        long limit = lim == null || lim == 0 ? dflt : lim;
        if (limit > maximum) {
            throw bad("limit: must be at most " + maximum);
        }
        int offset = 0;
        String cursor = q.get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                offset = JSON.readTree(Base64.getUrlDecoder().decode(cursor)).get("o").asInt();
            } catch (Exception e) {
                throw bad("cursor: invalid cursor");
            }
        }
        offset = Math.max(0, Math.min(offset, rows.size()));
        int end = (int) Math.min(rows.size(), offset + limit);
        String next = null;
        if (offset + limit < rows.size()) {
            next = Base64.getUrlEncoder().encodeToString(("{\"o\": " + (offset + limit) + "}").getBytes(StandardCharsets.UTF_8));
        }
        return new Result(wrap.apply(new ArrayList<>(rows.subList(offset, end))), nextCursor(next));
    }

    private static double parseRfc3339(String s, String name) {
        try {
            String v = s.replace("Z", "+00:00").replace(' ', 'T');
            try {
                return OffsetDateTime.parse(v).toInstant().toEpochMilli() / 1000.0;
            } catch (DateTimeParseException e) {
                try {
                    return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC).toEpochMilli() / 1000.0;
                } catch (DateTimeParseException e2) {
                    return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli() / 1000.0;
                }
            }
        } catch (DateTimeParseException | NullPointerException e) {
            throw bad(name + ": invalid RFC3339 date-time '" + s + "'");
        }
    }

    /** Common v2 list filtering: integer equality filters, ids, updated_since/until, sort, cursor pagination. */
    private static Result listRows(Map<String, String> q, List<ObjectNode> input, List<String> intFilters, List<String> sorts) {
        List<ObjectNode> rows = new ArrayList<>(input);
        for (String f : intFilters) {
            Long v = qInt(q, f);
            if (v != null) {
                rows.removeIf(r -> !v.equals(lng(r, f)));
            }
        }
        String idsQ = q.get("ids");
        if (idsQ != null && !idsQ.isEmpty()) {
            Set<Long> ids = new HashSet<>();
            for (String s : idsQ.split(",")) {
                if (s.strip().matches("\\d{1,18}")) {
                    ids.add(Long.parseLong(s.strip()));
                }
            }
            rows.removeIf(r -> !ids.contains(r.get("id").asLong()));
        }
        for (String f : List.of("updated_since", "updated_until")) {
            String s = q.get(f);
            if (s != null && !s.isEmpty()) {
                double t = parseRfc3339(s, f);
                boolean since = f.equals("updated_since");
                rows.removeIf(r -> {
                    double u = parseRfc3339(r.path("update_time").asText(), "update_time");
                    return since ? !(u >= t) : !(u < t);
                });
            }
        }
        String key = Optional.ofNullable(q.get("sort_by")).filter(s -> !s.isEmpty()).orElse("id");
        String direction = Optional.ofNullable(q.get("sort_direction")).filter(s -> !s.isEmpty()).orElse("asc")
                .toLowerCase(Locale.ROOT);
        if (!sorts.contains(key) || !(direction.equals("asc") || direction.equals("desc"))) {
            throw bad("sort_by must be one of " + String.join(", ", sorts) + "; sort_direction must be asc or desc");
        }
        Comparator<ObjectNode> byId = Comparator.comparingLong(r -> r.get("id").asLong());
        Comparator<ObjectNode> cmp = key.equals("id") ? byId
                : Comparator.<ObjectNode, String>comparing(r -> {
                    JsonNode v = r.get(key);
                    return v == null || v.isNull() ? "" : v.asText();
                }).thenComparing(byId);
        rows.sort(direction.equals("desc") ? cmp.reversed() : cmp);
        return paginate(q, rows, 100, 500, PipedriveFake::arrayOfNodes);
    }

    // ------------------------------------------------------------------ seeding internals

    private JsonNode seedLocked(JsonNode fx) {
        ObjectNode ids = NODES.objectNode();
        for (JsonNode u : fx.path("users")) {
            arr(ids, "users").add(userFrom((ObjectNode) u).get("id").asLong());
        }
        for (JsonNode t : fx.path("activityTypes")) {
            long tid = newId(lng(t, "id"));
            String key = t.path("key_string").asText();
            ObjectNode o = NODES.objectNode().put("id", tid).put("order_nr", t.has("order_nr") ? t.get("order_nr").asLong() : tid)
                    .put("key_string", key).put("name", t.path("name").asText(key)).put("icon_key", t.path("icon_key").asText(key))
                    .put("active_flag", t.path("active_flag").asBoolean(true)).putNull("color")
                    .put("is_custom_flag", t.path("is_custom_flag").asBoolean(false)).put("add_time", OLD_TS).put("update_time", OLD_TS);
            activityTypes.put(tid, o);
            arr(ids, "activityTypes").add(tid);
        }
        String ts = now();
        for (JsonNode p : fx.path("pipelines")) {
            long pid = newId(lng(p, "id"));
            pipelines.put(pid, NODES.objectNode().put("id", pid).put("name", p.path("name").asText("Pipeline"))
                    .put("order_nr", pid).put("is_deleted", false).put("add_time", ts).put("update_time", ts));
        }
        for (JsonNode s : fx.path("stages")) {
            long sid = newId(lng(s, "id"));
            stages.put(sid, NODES.objectNode().put("id", sid).put("pipeline_id", s.path("pipeline_id").asLong(1))
                    .put("name", s.path("name").asText("Stage")).put("order_nr", s.has("order_nr") ? s.get("order_nr").asLong() : sid)
                    .put("is_deleted", false).put("add_time", ts).put("update_time", ts));
        }
        for (JsonNode p : fx.path("persons")) {
            arr(ids, "persons").add(personFrom(seedPerson((ObjectNode) p), lng(p, "id"), true).get("id").asLong());
        }
        for (JsonNode d : fx.path("deals")) {
            arr(ids, "deals").add(dealFrom((ObjectNode) d, lng(d, "id"), true).get("id").asLong());
        }
        for (JsonNode a : fx.path("activities")) {
            arr(ids, "activities").add(activityFrom((ObjectNode) a, lng(a, "id"), true).get("id").asLong());
        }
        if (fx.hasNonNull("token_user_id")) {
            config.tokenUserId = fx.get("token_user_id").asLong();
        }
        return ids;
    }

    private ObjectNode userFrom(ObjectNode u) {
        long uid = newId(lng(u, "id"));
        ObjectNode o = NODES.objectNode().put("id", uid).put("name", u.path("name").asText("User " + uid))
                .put("email", u.path("email").asText("")).put("active_flag", u.path("active_flag").asBoolean(true))
                .put("is_deleted", u.path("is_deleted").asBoolean(false)).put("is_admin", u.path("is_admin").asInt(0))
                .put("role_id", 1).put("timezone_name", "Asia/Kolkata").put("timezone_offset", "+05:30").put("locale", "en_IN");
        o.set("phone", u.hasNonNull("phone") ? u.get("phone") : NODES.nullNode());
        o.put("created", OLD_TS).put("modified", OLD_TS).put("default_currency", "INR").putNull("icon_url");
        users.put(uid, o);
        return o;
    }

    private static ObjectNode seedPerson(ObjectNode p) {
        ObjectNode c = p.deepCopy();
        c.set("phones", contacts(p.has("phones") ? p.get("phones") : p.get("phone"), "mobile"));
        c.set("emails", contacts(p.has("emails") ? p.get("emails") : p.get("email"), "work"));
        return c;
    }

    private static ArrayNode contacts(JsonNode v, String label) {
        ArrayNode out = NODES.arrayNode();
        if (v == null || v.isNull()) {
            return out;
        }
        List<JsonNode> items = new ArrayList<>();
        if (v.isTextual() || v.isObject()) {
            items.add(v);
        } else {
            v.forEach(items::add);
        }
        for (int i = 0; i < items.size(); i++) {
            JsonNode c = items.get(i);
            ObjectNode o = NODES.objectNode();
            if (c.isTextual()) {
                o.put("value", c.asText()).put("label", label).put("primary", i == 0);
            } else {
                o.set("value", c.has("value") ? c.get("value") : TextNode.valueOf(""));
                o.set("label", c.has("label") ? c.get("label") : TextNode.valueOf(label));
                o.set("primary", c.has("primary") ? c.get("primary") : NODES.booleanNode(i == 0));
            }
            out.add(o);
        }
        return out;
    }

    private ObjectNode personFrom(ObjectNode p, Long wantedId, boolean seeded) {
        String ts = now();
        long pid = newId(wantedId);
        String name = p.path("name").isTextual() ? p.get("name").asText() : "";
        String[] parts = name.split(" ", -1);
        String first = parts[0].isEmpty() ? null : parts[0];
        String last = String.join(" ", java.util.Arrays.asList(parts).subList(1, parts.length));
        ObjectNode o = NODES.objectNode().put("id", pid).put("name", name).put("first_name", first)
                .put("last_name", last.isEmpty() ? null : last);
        Long owner = lng(p, "owner_id");
        o.put("owner_id", owner == null || owner == 0 ? tokenUserId() : owner);
        o.put("org_id", lng(p, "org_id"));
        o.put("add_time", seeded && p.hasNonNull("add_time") ? p.get("add_time").asText() : ts);
        o.put("update_time", seeded && p.hasNonNull("update_time") ? p.get("update_time").asText() : ts);
        o.set("emails", p.has("emails") ? p.get("emails") : NODES.arrayNode());
        o.set("phones", p.has("phones") ? p.get("phones") : NODES.arrayNode());
        o.put("is_deleted", seeded && isTrue(p, "is_deleted"));
        o.set("visible_to", p.hasNonNull("visible_to") ? p.get("visible_to") : NODES.numberNode(3));
        o.putArray("label_ids");
        o.putNull("picture_id");
        o.putObject("custom_fields");
        persons.put(pid, o);
        createdNanos.put(pid, seeded ? Long.MIN_VALUE : System.nanoTime());
        if (seeded) {
            seededPersons.add(pid);
        } else {
            seededPersons.remove(pid);
        }
        return o;
    }

    private ObjectNode dealFrom(ObjectNode d, Long wantedId, boolean seeded) {
        String ts = now();
        long did = newId(wantedId);
        String status = d.hasNonNull("status") ? d.get("status").asText() : "open";
        ObjectNode o = NODES.objectNode().put("id", did).put("title", d.hasNonNull("title") ? d.get("title").asText() : "Deal " + did)
                .put("creator_user_id", tokenUserId());
        Long owner = lng(d, "owner_id");
        o.put("owner_id", owner == null || owner == 0 ? tokenUserId() : owner);
        o.put("person_id", lng(d, "person_id")).put("org_id", lng(d, "org_id"))
                .put("pipeline_id", d.has("pipeline_id") ? lng(d, "pipeline_id") : Long.valueOf(1))
                .put("stage_id", d.has("stage_id") ? lng(d, "stage_id") : Long.valueOf(1));
        o.set("value", d.has("value") ? d.get("value") : NODES.numberNode(0));
        o.put("currency", d.path("currency").asText("INR")).put("status", status)
                .put("add_time", seeded && d.hasNonNull("add_time") ? d.get("add_time").asText() : ts)
                .put("update_time", seeded && d.hasNonNull("update_time") ? d.get("update_time").asText() : ts)
                .put("is_deleted", seeded && isTrue(d, "is_deleted")).put("is_archived", seeded && isTrue(d, "is_archived"));
        o.set("archive_time", seeded && d.has("archive_time") ? d.get("archive_time") : NODES.nullNode());
        o.set("visible_to", d.hasNonNull("visible_to") ? d.get("visible_to") : NODES.numberNode(3));
        o.put("close_time", status.equals("open") ? null : ts).put("won_time", status.equals("won") ? ts : null)
                .put("lost_time", status.equals("lost") ? ts : null);
        o.set("expected_close_date", d.has("expected_close_date") ? d.get("expected_close_date") : NODES.nullNode());
        o.putArray("label_ids");
        o.put("origin", "API");
        o.putObject("custom_fields");
        deals.put(did, o);
        if (seeded) {
            seededDeals.add(did);
        } else {
            seededDeals.remove(did);
        }
        return o;
    }

    // ------------------------------------------------------------------ users

    private Object usersList(Req req, Map<String, String> q, ObjectNode b, String i) {
        Long me = tokenUserId();
        ArrayNode a = NODES.arrayNode();
        for (ObjectNode u : users.values()) {
            a.add(u.deepCopy().put("is_you", Long.valueOf(u.get("id").asLong()).equals(me)));
        }
        ObjectNode extra = NODES.objectNode();
        extra.putObject("pagination").put("start", 0).put("limit", 500).put("more_items_in_collection", false);
        return new Result(a, extra);
    }

    private Object userMe(Req req, Map<String, String> q, ObjectNode b, String i) {
        Long me = tokenUserId();
        if (me == null) {
            throw bad("User not found", 404, "ERR_NOT_FOUND");
        }
        return users.get(me).deepCopy().put("is_you", true).put("company_id", 7001)
                .put("company_name", "Example Traders Pvt Ltd").put("company_domain", "example-traders")
                .put("company_country", "IN");
    }

    private Object userFind(Req req, Map<String, String> q, ObjectNode b, String i) {
        String term = Optional.ofNullable(q.get("term")).orElse("").strip().toLowerCase(Locale.ROOT);
        if (term.isEmpty()) {
            throw bad("term: is required", 400, null);
        }
        String field = Boolean.TRUE.equals(qBool(q, "search_by_email", false)) ? "email" : "name";
        List<ObjectNode> hits = users.values().stream()
                .filter(u -> u.path(field).asText().toLowerCase(Locale.ROOT).contains(term)).toList();
        return hits.isEmpty() ? null : arrayOf(hits);
    }

    // ------------------------------------------------------------------ persons

    private ArrayNode contactsIn(ObjectNode body, String name) {
        JsonNode v = body.get(name);
        if (v != null && !v.isNull()) {
            boolean ok = v.isArray();
            if (ok) {
                for (JsonNode c : v) {
                    ok &= c.isObject() && c.has("value") && c.get("value").isTextual();
                }
            }
            if (!ok) {
                throw bad(name + ": must be an array of objects with a string 'value'");
            }
        }
        return contacts(v == null || v.isNull() ? NODES.arrayNode() : v, "work");
    }

    private Object personCreate(Req req, Map<String, String> q, ObjectNode body, String i) {
        JsonNode name = typed(body, "name", T.STR);
        if (name == null || name.asText().isEmpty()) {
            throw bad("name: is required");
        }
        flagV1Fields(req, body);
        checkUser(typedInt(body, "owner_id"));
        ObjectNode p = NODES.objectNode().put("name", name.asText());
        p.set("owner_id", body.get("owner_id"));
        p.set("org_id", body.get("org_id"));
        if (body.has("visible_to")) {
            p.set("visible_to", body.get("visible_to"));
        }
        p.set("phones", contactsIn(body, "phones"));
        p.set("emails", contactsIn(body, "emails"));
        return personFrom(p, null, false);
    }

    private Object personGet(Req req, Map<String, String> q, ObjectNode b, String pid) {
        ObjectNode p = get(persons, pid, "Person", false).deepCopy();
        if (Optional.ofNullable(q.get("include_fields")).orElse("").contains("open_deals_count")) {
            long id = p.get("id").asLong();
            p.put("open_deals_count", deals.values().stream().filter(d -> Long.valueOf(id).equals(lng(d, "person_id"))
                    && "open".equals(d.path("status").asText()) && !isTrue(d, "is_deleted") && !isTrue(d, "is_archived")).count());
        }
        return p;
    }

    private Object personPatch(Req req, Map<String, String> q, ObjectNode body, String pid) {
        ObjectNode p = get(persons, pid, "Person", true);
        flagV1Fields(req, body);
        checkUser(typedInt(body, "owner_id"));
        if (body.has("name")) {
            JsonNode n = typed(body, "name", T.STR);
            if (n == null || n.asText().isEmpty()) {
                throw bad("name: must not be empty");
            }
        }
        for (String k : List.of("phones", "emails")) {
            if (body.has(k)) {
                p.set(k, contactsIn(body, k));
            }
        }
        for (String k : List.of("name", "owner_id", "org_id", "visible_to")) {
            if (body.has(k)) {
                p.set(k, body.get(k));
            }
        }
        p.put("update_time", now());
        return p;
    }

    private Object searchPersons(Req req, Map<String, String> q, int maximum) {
        String term = Optional.ofNullable(q.get("term")).orElse("");
        if (!term.isEmpty() && Character.isWhitespace(term.charAt(0)) && !digits(term).isEmpty()) {
            req.violations.add("search term '" + term + "' starts with a space: unencoded '+' in the query string?");
        }
        boolean exact = Boolean.TRUE.equals(qBool(q, "exact_match", false));
        if (term.length() < (exact ? 1 : 2)) {
            throw bad("term: is required and must be at least 2 characters long (1 with exact_match)");
        }
        List<String> fields = new ArrayList<>();
        for (String f : Optional.ofNullable(q.get("fields")).filter(s -> !s.isEmpty())
                .orElse("custom_fields,email,notes,phone,name").split(",")) {
            fields.add(f.strip());
        }
        long delayNanos = config.indexDelayMs * 1_000_000L;
        long nowN = System.nanoTime();
        Long org = qInt(q, "organization_id");
        String tl = term.toLowerCase(Locale.ROOT);
        String td = digits(term);
        List<Map.Entry<Double, ObjectNode>> hits = new ArrayList<>();
        for (ObjectNode p : persons.values().stream().sorted(Comparator.comparingLong(p -> p.get("id").asLong())).toList()) {
            long created = createdNanos.getOrDefault(p.get("id").asLong(), Long.MIN_VALUE);
            if (isTrue(p, "is_deleted") || (created != Long.MIN_VALUE && nowN - created < delayNanos)
                    || (org != null && !org.equals(lng(p, "org_id")))) {
                continue;
            }
            double score = 0;
            Map<String, List<String>> byField = new LinkedHashMap<>();
            byField.put("phone", values(p.get("phones")));
            byField.put("email", values(p.get("emails")));
            byField.put("name", List.of(p.path("name").asText()));
            for (Map.Entry<String, List<String>> e : byField.entrySet()) {
                if (!fields.contains(e.getKey())) {
                    continue;
                }
                for (String v : e.getValue()) {
                    String vl = v.toLowerCase(Locale.ROOT);
                    if (vl.equals(tl)) { // exact: full, case-insensitive equality of the stored string
                        score = 1.0;
                    } else if (!exact && ((e.getKey().equals("phone") && !td.isEmpty() && digits(v).contains(td))
                            || vl.contains(tl))) {
                        score = Math.max(score, 0.5); // loose: digits of the term are a substring of the stored digits
                    }
                }
            }
            if (score > 0) {
                hits.add(Map.entry(score, p));
            }
        }
        hits.sort((a, b) -> Double.compare(b.getKey(), a.getKey()));
        List<ObjectNode> items = new ArrayList<>();
        for (Map.Entry<Double, ObjectNode> h : hits) {
            ObjectNode p = h.getValue();
            ObjectNode it = NODES.objectNode().put("result_score", h.getKey());
            ObjectNode item = it.putObject("item").put("id", p.get("id").asLong()).put("type", "person")
                    .put("name", p.path("name").asText());
            ArrayNode ph = item.putArray("phones");
            values(p.get("phones")).forEach(ph::add);
            ArrayNode em = item.putArray("emails");
            values(p.get("emails")).forEach(em::add);
            item.set("visible_to", p.get("visible_to"));
            item.putObject("owner").put("id", lng(p, "owner_id"));
            Long orgId = lng(p, "org_id");
            if (orgId != null) {
                item.putObject("organization").put("id", orgId).putNull("name");
            } else {
                item.putNull("organization");
            }
            item.putArray("custom_fields");
            item.putArray("notes");
            items.add(it);
        }
        return paginate(q, items, 100, maximum, page -> {
            ObjectNode o = NODES.objectNode();
            o.set("items", arrayOfNodes(page));
            return o;
        });
    }

    private Object itemSearch(Req req, Map<String, String> q, ObjectNode b, String i) {
        List<String> types = List.of(Optional.ofNullable(q.get("item_types")).filter(s -> !s.isEmpty()).orElse("person").split(","));
        if (!types.contains("person")) {
            ObjectNode o = NODES.objectNode();
            o.putArray("items");
            return new Result(o, nextCursor(null));
        }
        return searchPersons(req, q, 100);
    }

    // ------------------------------------------------------------------ deals

    private Object dealCreate(Req req, Map<String, String> q, ObjectNode body, String i) {
        JsonNode title = typed(body, "title", T.STR);
        if (title == null || title.asText().isEmpty()) {
            throw bad("title: is required");
        }
        flagV1Fields(req, body);
        for (String f : List.of("person_id", "owner_id", "pipeline_id", "stage_id", "org_id")) {
            typed(body, f, T.INT);
        }
        checkUser(lng(body, "owner_id"));
        Long pid = lng(body, "person_id");
        Long sid = lng(body, "stage_id");
        Long plid = lng(body, "pipeline_id");
        if (pid != null && (!persons.containsKey(pid) || isTrue(persons.get(pid), "is_deleted"))) {
            throw bad("person_id: Person " + pid + " not found");
        }
        if (sid != null) {
            if (!stages.containsKey(sid)) {
                throw bad("stage_id: Stage " + sid + " not found");
            }
            plid = lng(stages.get(sid), "pipeline_id");
        } else if (plid != null) {
            if (!pipelines.containsKey(plid)) {
                throw bad("pipeline_id: Pipeline " + plid + " not found");
            }
            Long pl = plid;
            sid = stages.values().stream().filter(s -> pl.equals(lng(s, "pipeline_id")))
                    .min(Comparator.comparingLong(s -> s.path("order_nr").asLong())).map(s -> s.get("id").asLong())
                    .orElseThrow(() -> bad("pipeline_id: Pipeline " + pl + " has no stages"));
        }
        JsonNode st = body.get("status");
        String status = st == null ? "open" : st.isTextual() ? st.asText() : null;
        if (status == null || !Set.of("open", "won", "lost").contains(status)) {
            throw bad("status: must be one of open, won, lost");
        }
        Integer limit = config.openDealsLimit;
        if (limit != null && status.equals("open") && deals.values().stream()
                .filter(d -> "open".equals(d.path("status").asText()) && !isTrue(d, "is_deleted")).count() >= limit) {
            throw bad("Open deals limit reached", 403, "feature_capping_deals_limit");
        }
        ObjectNode clean = body.deepCopy();
        clean.remove(List.of("is_deleted", "is_archived", "add_time", "update_time", "archive_time"));
        clean.put("stage_id", sid == null ? 1L : sid).put("pipeline_id", plid == null ? 1L : plid);
        return dealFrom(clean, null, false);
    }

    private Object dealRows(Map<String, String> q, boolean archived) {
        List<ObjectNode> rows = new ArrayList<>(deals.values().stream().filter(d -> isTrue(d, "is_archived") == archived).toList());
        List<String> statuses = new ArrayList<>();
        for (String s : Optional.ofNullable(q.get("status")).orElse("").split(",")) {
            if (!s.strip().isEmpty()) {
                statuses.add(s.strip());
            }
        }
        if (statuses.stream().anyMatch(s -> !Set.of("open", "won", "lost", "deleted").contains(s))) {
            throw bad("status: must be a comma separated list of open, won, lost, deleted");
        }
        if (!statuses.isEmpty()) {
            rows.removeIf(d -> !((isTrue(d, "is_deleted") && statuses.contains("deleted"))
                    || (!isTrue(d, "is_deleted") && statuses.contains(d.path("status").asText()))));
        } else {
            rows.removeIf(d -> isTrue(d, "is_deleted"));
        }
        return listRows(q, rows, List.of("person_id", "owner_id", "pipeline_id", "stage_id", "org_id"),
                List.of("id", "update_time", "add_time"));
    }

    // ------------------------------------------------------------------ activities

    private ObjectNode validateActivity(Req req, ObjectNode body) {
        if (body.has("person_id")) {
            req.violations.add("'person_id' sent in a v2 activity body (read-only field)");
            throw bad("'person_id' is a read-only field. Add a primary participant instead.");
        }
        flagV1Fields(req, body);
        ObjectNode out = NODES.objectNode();
        for (String f : List.of("subject", "lead_id", "note", "public_description")) {
            if (body.has(f)) {
                out.set(f, nullSafe(typed(body, f, T.STR)));
            }
        }
        for (String f : List.of("owner_id", "deal_id", "org_id", "project_id", "priority")) {
            if (body.has(f)) {
                out.set(f, nullSafe(typed(body, f, T.INT)));
            }
        }
        for (String f : List.of("done", "busy")) {
            if (body.has(f)) {
                out.set(f, nullSafe(typed(body, f, T.BOOL)));
            }
        }
        if (body.has("location")) {
            out.set("location", body.get("location"));
        }
        checkUser(lng(out, "owner_id"));
        Long dealId = lng(out, "deal_id");
        if (dealId != null && (!deals.containsKey(dealId) || isTrue(deals.get(dealId), "is_deleted"))) {
            throw bad("deal_id: Deal " + dealId + " not found");
        }
        if (body.has("type")) {
            JsonNode type = body.get("type");
            boolean ok = type.isTextual() && activityTypes.values().stream()
                    .anyMatch(t -> t.path("key_string").asText().equals(type.asText()) && isTrue(t, "active_flag"));
            if (!ok) {
                throw bad("type: activity type " + pyRepr(type) + " does not exist or is not active");
            }
            out.set("type", type);
        }
        JsonNode due = body.get("due_date");
        if (due != null && !due.isNull()) {
            String s = due.isTextual() ? due.asText() : due.toString();
            boolean ok = due.isTextual() && s.matches("\\d{4}-\\d{2}-\\d{2}");
            if (ok) {
                try {
                    LocalDate.parse(s);
                } catch (DateTimeParseException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw bad("due_date: This value is not valid (expected YYYY-MM-DD)");
            }
            out.set("due_date", due);
        }
        for (String[] fr : new String[][] {{"due_time", "([01]\\d|2[0-3]):[0-5]\\d"}, {"duration", "\\d{2}:[0-5]\\d"}}) {
            JsonNode v = body.get(fr[0]);
            if (v != null && !v.isNull()) {
                if (!v.isTextual() || !v.asText().matches(fr[1]) || (fr[0].equals("duration") && v.asText().equals("00:00"))) {
                    throw bad(fr[0] + ": This value is not valid");
                }
                out.set(fr[0], v);
            }
        }
        if (body.has("participants")) {
            JsonNode parts = body.get("participants");
            boolean ok = parts.isArray();
            if (ok) {
                for (JsonNode p : parts) {
                    ok &= p.isObject();
                }
            }
            if (!ok) {
                throw bad("participants: must be an array of objects");
            }
            ArrayNode list = out.putArray("participants");
            for (JsonNode p : parts) {
                Long pid = typedInt(p, "person_id");
                if (pid == null || !persons.containsKey(pid) || isTrue(persons.get(pid), "is_deleted")) {
                    throw bad("participants: person " + (pid == null ? "None" : pid) + " not found");
                }
                JsonNode pr = typed(p, "primary", T.BOOL);
                boolean primary = pr != null && pr.asBoolean();
                list.addObject().put("person_id", pid).put("primary", primary).put("primary_flag", primary);
            }
        }
        return out;
    }

    private static Long primary(JsonNode parts) {
        if (parts == null || !parts.isArray() || parts.isEmpty()) {
            return null;
        }
        for (JsonNode p : parts) {
            if (truthy(p.get("primary"))) {
                return lng(p, "person_id");
            }
        }
        return lng(parts.get(0), "person_id");
    }

    private ObjectNode activityFrom(ObjectNode a, Long wantedId, boolean seeded) {
        String ts = now();
        long aid = newId(wantedId);
        ArrayNode parts;
        if (a.has("participants") && truthy(a.get("participants"))) {
            parts = (ArrayNode) a.get("participants");
        } else {
            parts = NODES.arrayNode();
            Long pid = lng(a, "person_id");
            if (pid != null && pid != 0) {
                parts.addObject().put("person_id", pid).put("primary", true).put("primary_flag", true);
            }
        }
        String type = a.hasNonNull("type") ? a.get("type").asText() : "task";
        String typeName = activityTypes.values().stream().filter(t -> t.path("key_string").asText().equals(type))
                .map(t -> t.path("name").asText()).findFirst().orElse("Task");
        String subject = a.hasNonNull("subject") && !a.get("subject").asText().isEmpty() ? a.get("subject").asText() : typeName;
        Long owner = lng(a, "owner_id");
        boolean done = truthy(a.get("done"));
        ObjectNode o = NODES.objectNode().put("id", aid).put("subject", subject).put("type", type)
                .put("owner_id", owner == null || owner == 0 ? tokenUserId() : owner).put("creator_user_id", tokenUserId())
                .put("is_deleted", false).put("add_time", seeded && a.hasNonNull("add_time") ? a.get("add_time").asText() : ts)
                .put("update_time", seeded && a.hasNonNull("update_time") ? a.get("update_time").asText() : ts);
        o.put("deal_id", lng(a, "deal_id"));
        o.set("lead_id", nullSafe(a.get("lead_id")));
        o.put("person_id", primary(parts));
        o.put("org_id", lng(a, "org_id")).put("project_id", lng(a, "project_id"));
        for (String f : List.of("due_date", "due_time", "duration")) {
            o.set(f, nullSafe(a.get(f)));
        }
        o.set("busy", a.has("busy") ? nullSafe(a.get("busy")) : NODES.booleanNode(false));
        o.set("done", a.has("done") ? nullSafe(a.get("done")) : NODES.booleanNode(false));
        o.put("marked_as_done_time", done ? ts : null);
        o.set("location", nullSafe(a.get("location")));
        o.set("participants", parts);
        o.putArray("attendees");
        o.set("public_description", nullSafe(a.get("public_description")));
        o.set("priority", nullSafe(a.get("priority")));
        o.set("note", nullSafe(a.get("note")));
        activities.put(aid, o);
        if (seeded) {
            seededActivities.add(aid);
        } else {
            seededActivities.remove(aid);
        }
        return o;
    }

    private Object activityPatch(Req req, Map<String, String> q, ObjectNode body, String aid) {
        ObjectNode a = get(activities, aid, "Activity", true);
        ObjectNode upd = validateActivity(req, body);
        if (upd.has("participants")) {
            a.put("person_id", primary(upd.get("participants")));
        }
        if (truthy(upd.get("done")) && !truthy(a.get("done"))) {
            a.put("marked_as_done_time", now());
        }
        a.setAll(upd);
        a.put("update_time", now());
        return a;
    }

    private Object activityDelete(Req req, Map<String, String> q, ObjectNode body, String aid) {
        ObjectNode a = get(activities, aid, "Activity", true);
        a.put("is_deleted", true).put("update_time", now());
        return NODES.objectNode().put("id", a.get("id").asLong());
    }

    private Object activitiesList(Req req, Map<String, String> q, ObjectNode body, String i) {
        List<ObjectNode> rows = new ArrayList<>(activities.values().stream().filter(a -> !isTrue(a, "is_deleted")).toList());
        String lead = q.get("lead_id");
        if (lead != null && !lead.isEmpty()) {
            rows.removeIf(a -> !lead.equals(a.hasNonNull("lead_id") ? a.get("lead_id").asText() : null));
        }
        Boolean done = qBool(q, "done", null);
        if (done != null) {
            rows.removeIf(a -> truthy(a.get("done")) != done);
        }
        return listRows(q, rows, List.of("deal_id", "person_id", "owner_id", "org_id"),
                List.of("id", "update_time", "add_time", "due_date"));
    }

    // ------------------------------------------------------------------ call logs (v1, still supported)

    private Object callLogCreate(Req req, Map<String, String> q, ObjectNode body, String i) {
        List<String> missing = new ArrayList<>();
        for (String f : List.of("outcome", "to_phone_number", "start_time", "end_time")) {
            if (!truthy(body.get(f))) {
                missing.add("'" + f + "'");
            }
        }
        if (!missing.isEmpty() || !body.get("outcome").isTextual() || !OUTCOMES.contains(body.get("outcome").asText())) {
            throw bad("Missing required field(s) " + missing + " or outcome not one of "
                    + OUTCOMES.stream().sorted().map(s -> "'" + s + "'").toList(), 400, null);
        }
        LocalDateTime start = null;
        for (String f : List.of("start_time", "end_time")) {
            String s = scalarText(body.get(f));
            Matcher m = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2}) (\\d{1,2}):(\\d{1,2}):(\\d{1,2})").matcher(s);
            LocalDateTime t = null;
            if (m.matches()) {
                try {
                    t = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                            Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
                } catch (java.time.DateTimeException e) {
                    t = null;
                }
            }
            if (t == null) {
                throw bad("start_time/end_time: must be in format YYYY-MM-DD HH:MM:SS (UTC)", 400, null);
            }
            if (start == null) {
                start = t;
            }
        }
        if (truthy(body.get("deal_id")) && truthy(body.get("lead_id"))) {
            throw bad("Only one of deal_id or lead_id can be set", 400, null);
        }
        Map<String, Long> ids = new LinkedHashMap<>();
        for (String f : List.of("user_id", "person_id", "org_id", "deal_id", "activity_id", "duration")) {
            JsonNode v = body.get(f);
            if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
                String s = scalarText(v);
                if (!s.matches("\\d{1,18}")) {
                    throw bad(f + ": must be a non-negative integer", 400, null);
                }
                ids.put(f, Long.parseLong(s));
            }
        }
        checkUser(ids.get("user_id"));
        long personId = ids.getOrDefault("person_id", 0L);
        long dealId = ids.getOrDefault("deal_id", 0L);
        if ((personId != 0 && !persons.containsKey(personId))
                || (dealId != 0 && (!deals.containsKey(dealId) || isTrue(deals.get(dealId), "is_deleted")))) {
            throw bad("person_id/deal_id: Person or Deal not found", 400, null);
        }
        ObjectNode act;
        if (ids.containsKey("activity_id")) {
            act = get(activities, String.valueOf(ids.get("activity_id")), "Activity", true);
            if (!"call".equals(act.path("type").asText())) {
                throw bad("activity_id: activity must be of type call", 400, null);
            }
        } else { // a call log is an activity with telephony metadata: create the activity as Pipedrive does
            long secs = ids.getOrDefault("duration", 0L);
            long mins = (secs + 59) / 60;
            ObjectNode a = NODES.objectNode().put("type", "call")
                    .put("subject", truthy(body.get("subject")) ? scalarText(body.get("subject"))
                            : "Call to " + scalarText(body.get("to_phone_number")))
                    .put("owner_id", ids.get("user_id")).put("deal_id", ids.get("deal_id"))
                    .put("org_id", ids.get("org_id")).put("person_id", ids.get("person_id"))
                    .put("due_date", start.toLocalDate().toString())
                    .put("due_time", String.format("%02d:%02d", start.getHour(), start.getMinute()))
                    .put("duration", mins > 0 ? String.format("%02d:%02d", mins / 60, mins % 60) : null)
                    .put("done", true);
            a.set("lead_id", nullSafe(body.get("lead_id")));
            a.set("note", nullSafe(body.get("note")));
            act = activityFrom(a, null, false);
        }
        StringBuilder cid = new StringBuilder("CA");
        for (int k = 0; k < 28; k++) {
            cid.append("0123456789abcdef".charAt(ThreadLocalRandom.current().nextInt(16)));
        }
        ObjectNode log = NODES.objectNode().put("id", cid.toString()).put("activity_id", act.get("id").asLong());
        for (String f : List.of("person_id", "org_id", "deal_id", "lead_id", "subject")) {
            log.set(f, act.get(f));
        }
        log.put("duration", ids.containsKey("duration") ? String.valueOf(ids.get("duration")) : null)
                .put("outcome", body.get("outcome").asText());
        log.set("from_phone_number", nullSafe(body.get("from_phone_number")));
        log.set("to_phone_number", body.get("to_phone_number"));
        log.put("has_recording", false);
        log.set("start_time", body.get("start_time"));
        log.set("end_time", body.get("end_time"));
        log.set("user_id", act.get("owner_id"));
        log.put("company_id", 7001);
        log.set("note", nullSafe(body.get("note")));
        callLogs.put(cid.toString(), log);
        return log;
    }

    private Object recording(Req req, Map<String, String> q, ObjectNode body, String cid) {
        String ctype = Optional.ofNullable(req.headers.getFirst("Content-Type")).orElse("");
        if (!ctype.contains("multipart/form-data")) {
            throw bad("Request must be multipart/form-data with a 'file' part", 400, null);
        }
        String raw = new String(req.raw, StandardCharsets.ISO_8859_1);
        if (!Pattern.compile("Content-Disposition:[^\\r\\n]*name=\"file\"", Pattern.CASE_INSENSITIVE).matcher(raw).find()) {
            throw bad("file: is required", 400, null);
        }
        ObjectNode log = getCallLog(cid);
        if (isTrue(log, "has_recording")) {
            throw bad("A recording already exists for this call log", 409, null);
        }
        log.put("has_recording", true);
        return null;
    }

    // ------------------------------------------------------------------ write descriptions (sandbox log)

    private String describeWrite(Route route, JsonNode d, ObjectNode body) {
        String n = route.method() + " " + route.name();
        return switch (n) {
            case "POST /api/v2/persons" -> "created person #" + d.path("id").asLong() + " '" + d.path("name").asText() + "'"
                    + " (phones: " + String.join(", ", values(d.get("phones"))) + "; owner #" + d.path("owner_id").asText() + ")";
            case "PATCH /api/v2/persons/{id}" -> "updated person #" + d.path("id").asLong() + " '" + d.path("name").asText()
                    + "' (fields: " + fieldList(body) + ")";
            case "POST /api/v2/deals" -> "created deal #" + d.path("id").asLong() + " '" + d.path("title").asText() + "'"
                    + (d.hasNonNull("person_id") ? " for person #" + d.get("person_id").asLong() : " without a person")
                    + " (owner #" + d.path("owner_id").asText() + ", status " + d.path("status").asText()
                    + ", pipeline " + d.path("pipeline_id").asText() + " / stage " + d.path("stage_id").asText() + ")";
            case "POST /api/v2/activities" -> "created activity #" + d.path("id").asLong() + " '" + d.path("subject").asText() + "'"
                    + (d.hasNonNull("deal_id") ? " on deal #" + d.get("deal_id").asLong() : " (no deal)")
                    + " (type " + d.path("type").asText()
                    + (d.hasNonNull("person_id") ? ", person #" + d.get("person_id").asLong() : "")
                    + ", owner #" + d.path("owner_id").asText()
                    + (d.hasNonNull("due_date") ? ", due " + d.get("due_date").asText()
                    + (d.hasNonNull("due_time") ? " " + d.get("due_time").asText() + " UTC" : "") : "")
                    + (d.hasNonNull("duration") ? ", duration " + d.get("duration").asText() : "")
                    + (truthy(d.get("done")) ? ", done" : ", not done") + ")";
            case "PATCH /api/v2/activities/{id}" -> "updated activity #" + d.path("id").asLong() + " '" + d.path("subject").asText()
                    + "' (fields: " + fieldList(body) + ")";
            case "DELETE /api/v2/activities/{id}" -> "deleted activity #" + d.path("id").asLong();
            case "POST /v1/callLogs" -> "created call log " + d.path("id").asText() + " (activity #" + d.path("activity_id").asText()
                    + ", outcome " + d.path("outcome").asText() + ", to " + d.path("to_phone_number").asText()
                    + (d.hasNonNull("deal_id") ? ", deal #" + d.get("deal_id").asText() : "") + ")";
            case "POST /v1/callLogs/{id}/recordings" -> "attached a recording to a call log";
            default -> n;
        };
    }

    private static String fieldList(ObjectNode body) {
        List<String> f = new ArrayList<>();
        if (body != null) {
            body.fieldNames().forEachRemaining(f::add);
        }
        return String.join(", ", f);
    }

    // ------------------------------------------------------------------ JSON helpers and snapshots

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode require(Map<Long, ObjectNode> table, long id, String what) {
        ObjectNode o = table.get(id);
        if (o == null) {
            throw new IllegalArgumentException("no " + what + " #" + id);
        }
        return o;
    }

    private static ArrayNode arr(ObjectNode o, String name) {
        return o.has(name) ? (ArrayNode) o.get(name) : o.putArray(name);
    }

    private static JsonNode nullSafe(JsonNode v) {
        return v == null ? NODES.nullNode() : v;
    }

    private static Long lng(JsonNode n, String k) {
        JsonNode v = n == null ? null : n.get(k);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        if (v.isTextual() && v.asText().matches("\\d{1,18}")) {
            return Long.parseLong(v.asText());
        }
        return null;
    }

    private static String txt(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static boolean isTrue(JsonNode n, String k) {
        return truthy(n.get(k));
    }

    /** Python truthiness of a JSON value. */
    private static boolean truthy(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        if (v.isTextual()) {
            return !v.asText().isEmpty();
        }
        return v.size() > 0;
    }

    private static String scalarText(JsonNode v) {
        return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    private static String pyRepr(JsonNode v) {
        return v.isTextual() ? "'" + v.asText() + "'" : v.isNull() ? "None" : v.toString();
    }

    private static String digits(String s) {
        return s == null ? "" : s.replaceAll("\\D", "");
    }

    private static List<String> values(JsonNode contacts) {
        List<String> out = new ArrayList<>();
        if (contacts != null) {
            for (JsonNode c : contacts) {
                out.add(c.path("value").asText());
            }
        }
        return out;
    }

    private static ArrayNode arrayOf(java.util.Collection<ObjectNode> nodes) {
        ArrayNode a = NODES.arrayNode();
        nodes.forEach(n -> a.add(n.deepCopy()));
        return a;
    }

    private static ArrayNode arrayOfNodes(List<JsonNode> nodes) {
        ArrayNode a = NODES.arrayNode();
        nodes.forEach(n -> a.add(n.deepCopy()));
        return a;
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = decode(eq < 0 ? part : part.substring(0, eq));
            String v = eq < 0 ? "" : decode(part.substring(eq + 1));
            m.putIfAbsent(k, v);
        }
        return m;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8); // a raw '+' becomes a space, as in Pipedrive
        } catch (IllegalArgumentException e) {
            return s.replace('+', ' ');
        }
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> toMap(JsonNode n) {
        Map<String, Object> m = JSON.convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() { });
        return deepUnmodifiable(m);
    }

    @SuppressWarnings("unchecked")
    private static <V> V deepUnmodifiable(V v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> c = new LinkedHashMap<>();
            m.forEach((k, x) -> c.put(k, deepUnmodifiable(x)));
            return (V) Collections.unmodifiableMap(c);
        }
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(x -> c.add(deepUnmodifiable(x)));
            return (V) Collections.unmodifiableList(c);
        }
        return v;
    }

    private static User toUser(ObjectNode u) {
        return new User(u.get("id").asLong(), txt(u, "name"), txt(u, "email"), isTrue(u, "active_flag"),
                isTrue(u, "is_deleted"), toMap(u));
    }

    private Person toPerson(ObjectNode p) {
        long id = p.get("id").asLong();
        return new Person(id, txt(p, "name"), List.copyOf(values(p.get("phones"))), List.copyOf(values(p.get("emails"))),
                lng(p, "owner_id"), lng(p, "org_id"), isTrue(p, "is_deleted"), txt(p, "add_time"), txt(p, "update_time"),
                seededPersons.contains(id), toMap(p));
    }

    private Deal toDeal(ObjectNode d) {
        long id = d.get("id").asLong();
        return new Deal(id, txt(d, "title"), lng(d, "person_id"), lng(d, "owner_id"), txt(d, "status"),
                lng(d, "pipeline_id"), lng(d, "stage_id"), isTrue(d, "is_deleted"), isTrue(d, "is_archived"),
                txt(d, "add_time"), txt(d, "update_time"), seededDeals.contains(id), toMap(d));
    }

    @SuppressWarnings("unchecked")
    private Activity toActivity(ObjectNode a) {
        long id = a.get("id").asLong();
        Map<String, Object> json = toMap(a);
        List<Map<String, Object>> parts = (List<Map<String, Object>>) json.getOrDefault("participants", List.of());
        return new Activity(id, txt(a, "subject"), txt(a, "type"), lng(a, "owner_id"), lng(a, "deal_id"),
                lng(a, "person_id"), txt(a, "lead_id"), txt(a, "due_date"), txt(a, "due_time"), txt(a, "duration"),
                isTrue(a, "done"), txt(a, "note"), isTrue(a, "is_deleted"), parts == null ? List.of() : parts,
                txt(a, "add_time"), txt(a, "update_time"), seededActivities.contains(id), json);
    }

    @Override
    public String toString() {
        return "PipedriveFake[" + baseUrl() + "]";
    }
}
