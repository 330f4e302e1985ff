package io.callbridge.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.bench.BenchEvents.Phone;
import io.callbridge.bench.HandlerDriver.Delivery;
import io.callbridge.bench.HandlerDriver.Result;
import io.callbridge.bench.HandlerDriver.Run;
import io.callbridge.call.CallActivityText;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.PendingEvents;
import io.callbridge.testing.dynamodb.DynamoDbServer;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFake;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.callbridge.web.CallMetrics;
import io.callbridge.web.MetricsOutput;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The benchmark of issue 7 (not a test: the normal build never runs it; {@code ./mvnw -Pbench verify} does, see
 * docs/benchmarks.md). It runs the real Lambda handler in process against the Pipedrive fake (with latency) and
 * dynalite and prints, per scenario, Pipedrive requests and tokens per call, end-to-end latency, Callbridge's own
 * overhead (handler time minus the time inside Pipedrive and DynamoDB requests), throughput at several concurrencies;
 * then an exactly-once run under load; then JVM cold starts of the packaged jar; and memory. Targets are reported as
 * PASS/MISS, never failed on: the only assertion is that the benchmark itself worked.
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
@EnabledIfSystemProperty(named = "bench.enabled", matches = "true",
        disabledReason = "the benchmark runs with ./mvnw -Pbench verify")
class CallbridgeBenchmark {
    static final String WEBHOOK_TOKEN = "local-webhook-token";
    static final int TARGET_REPEAT_REQUESTS = 3;
    static final int TARGET_REPEAT_TOKENS = 16;
    static final int TARGET_FIRST_TIME_TOKENS = 35;
    static final double TARGET_OWN_P99_MS = 5.0;
    private static final Pattern CALL_ID_IN_NOTE = Pattern.compile(Pattern.quote(CallActivityText.CALL_ID_LABEL)
            + "([A-Za-z0-9._-]+)");
    private static final String USERS_SEED = """
            {"users": [{"id": 1001, "name": "Callbridge Admin", "email": "admin@example.com", "is_admin": 1},
                       {"id": 2001, "name": "Priya Nair", "email": "priya.nair@example.com"},
                       {"id": 2002, "name": "Arjun Mehta", "email": "arjun.mehta@example.com"},
                       {"id": 2003, "name": "Rohan Das", "email": "rohan.das@example.com"},
                       {"id": 2004, "name": "Kavya Rao", "email": "kavya.rao@example.com"}]}
            """;

    /** The situations a call can find in Pipedrive, as issue 7 lists them. */
    enum Scenario {
        REPEAT("repeat caller, open deal", "logged"),
        FIRST_TIME("first-time caller, open deal", "logged"),
        NEW_CALLER("new caller (incoming, unknown number)", "logged"),
        OUTGOING_NO_DEAL("outgoing, person without deal", "logged"),
        DUPLICATE("duplicate delivery", "duplicate");

        final String label;
        final String expected;

        Scenario(String label, String expected) {
            this.label = label;
            this.expected = expected;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One measured batch of a scenario at one concurrency, with what the fake counted meanwhile. */
    record Measured(Scenario scenario, Run run, long pipedriveRequests, long pipedriveTokens, long rateLimited,
                    Map<String, Long> routes, long fakeMillis) {
        double requestsPerCall() {
            return (double) pipedriveRequests / run.results().size();
        }

        double tokensPerCall() {
            return (double) pipedriveTokens / run.results().size();
        }

        Stats stats(Function<Result, Double> f) {
            return new Stats(run.results().stream().map(f).toList());
        }

        long unexpected() {
            return run.results().stream().filter(r -> !r.asExpected()).count();
        }

        long withoutLine() {
            return run.results().stream().filter(r -> r.line() == null).count();
        }
    }

    PipedriveFake pipedrive;

    MyOperatorFake myOperator;

    @Inject
    CallbridgeConfig config;

    @Inject
    CallMetrics metrics;

    @Inject
    CallLedger ledger;

    @Inject
    PendingEvents pending;

    BenchSettings settings;
    BenchEvents events;
    HandlerDriver driver;
    final StringBuilder report = new StringBuilder();
    final List<String> csv = new ArrayList<>();
    final long benchStarted = System.nanoTime();

    int warmUpRounds;
    int warmUpDeliveries;
    double warmUpJitShare;
    long warmStarted;
    final Map<Scenario, Long> jitDuringSequential = new LinkedHashMap<>();

    @Test
    void benchmark() throws Exception {
        settings = BenchSettings.fromSystemProperties();
        events = new BenchEvents();
        Files.createDirectories(settings.output());
        try (var old = Files.list(settings.output())) { // a previous run's cold-start logs would mislead
            for (Path f : old.filter(f -> f.getFileName().toString().startsWith("coldstart-")).toList()) {
                Files.delete(f);
            }
        }
        configurePipedriveFake();
        MetricsOutput.redirect(metrics, new PrintStream(OutputStream.nullOutputStream()), true); // built, not printed
        csv.add("phase,scenario,concurrency,wall_ms,pipedrive_ms,pipedrive_wait_ms,dynamo_ms,own_ms,pipedrive_requests,pipedrive_tokens,"
                + "dynamo_requests,status,answer,owner_rule,request_id,start_nanotime");
        try (DeliveryLines lines = new DeliveryLines()) {
            driver = new HandlerDriver(lines);
            header();
            warmStarted = System.nanoTime();
            warmUp();
            Machine.resetPeaks();
            long[] gcBefore = Machine.gc();

            Map<Scenario, Measured> sequential = new LinkedHashMap<>();
            Map<Scenario, Map<Integer, Measured>> load = new LinkedHashMap<>();
            // -Dbench.exactlyOnceOnly=true: only the exactly-once run, on a clean ledger (e.g. under a plan's limits,
            // where the scenario phases leave parked calls behind that the exactly-once replay would have to work off)
            for (Scenario s : Boolean.getBoolean("bench.exactlyOnceOnly") ? new Scenario[0] : Scenario.values()) {
                Map<Integer, Measured> levels = new TreeMap<>();
                for (int c : settings.concurrency()) {
                    Measured m = measure(s, c == 1 ? settings.samples() : settings.loadDeliveries(), c);
                    levels.put(c, m);
                    if (c == 1) {
                        sequential.put(s, m);
                    }
                }
                load.put(s, levels);
            }
            scenarioTable(sequential);
            throughputTable(load);
            ExactlyOnce once = exactlyOnce();
            long[] gcAfter = Machine.gc();
            memory(gcBefore, gcAfter);
            coldStarts();
            effectiveSettings();
            report.append("\nLoad average at the end (1/5/15 min): ").append(Machine.loadAverage()).append(".\n");
            report.append("\nBenchmark wall time: ").append(Math.round((System.nanoTime() - benchStarted) / 1e9))
                    .append(" s; per-call log lines without a request id (not matched to an invocation): ")
                    .append(lines.withoutRequestId()).append(".\n");
            String md = report.toString();
            Files.writeString(settings.output().resolve("results.md"), md);
            Files.write(settings.output().resolve("samples.csv"), csv);
            System.out.println("\n" + md);
            System.out.println("Written to " + settings.output().resolve("results.md") + " and samples.csv");
            assertTrue(once.answered() > 0, "the exactly-once run made no deliveries");
        } finally {
            MetricsOutput.restore(metrics, false);
        }
    }

    // ---------------------------------------------------------------- set-up

    void configurePipedriveFake() {
        pipedrive.reset();
        pipedrive.setLatency(Duration.ofMillis(settings.pipedriveLatencyMs()), Duration.ofMillis(settings.pipedriveJitterMs()));
        if (settings.pipedriveLimited()) {
            pipedrive.setLimits(settings.pipedriveBurstLimit() > 0 ? settings.pipedriveBurstLimit() : Integer.MAX_VALUE,
                    settings.pipedriveSearchLimit() > 0 ? settings.pipedriveSearchLimit() : Integer.MAX_VALUE,
                    PipedriveFake.DEFAULT_DAILY_BUDGET);
        } else {
            pipedrive.setRateLimiting(false);
        }
        pipedrive.setCurrentConfigAsDefault();
        pipedrive.setBaseSeed(parse(USERS_SEED));
    }

    /**
     * JIT warm-up with every scenario, with the scheduled user sync in the middle: as on a live system, the agents of
     * the sample events (Priya, Arjun) are mapped to their Pipedrive users.
     */
    void warmUp() {
        progress("warm-up: " + settings.warmup() + " deliveries");
        int perScenario = Math.max(1, settings.warmup() / (2 * Scenario.values().length));
        long jitAtStart = Machine.jitMillis();
        warmRound(perScenario);
        myOperator.reset();
        myOperator.addUser("7b2e9c1d0a3f9001", "101", "Priya Nair", "priya.nair@example.com", "+919886001122", true);
        myOperator.addUser("7b2e9c1d0a3f9002", "102", "Arjun Mehta", "arjun.mehta@example.com", "+919886003344", true);
        Result sync = driver.invoke(Delivery.of("sync", events.newRequestId("sync"), null,
                BenchEvents.load("internal/schedule-sync.json"), null));
        report.append("User sync (MyOperator users fake: Priya, Arjun) after the first half of the warm-up: HTTP ")
                .append(sync.status()).append(".\n\n");
        warmRound(perScenario);
        // "warm" means the JIT has settled, not a fixed count: more rounds until the compilers spend less than
        // bench.warmup.jitSettledPercent of a round's wall time compiling (or bench.warmup.maxRounds is reached)
        int rounds = 2; // the two halves above count as the first measure
        long jitBefore = jitAtStart;
        long roundStarted = warmStarted;
        double jitShare;
        while (true) {
            jitShare = 100.0 * (Machine.jitMillis() - jitBefore) / ((System.nanoTime() - roundStarted) / 1e6);
            if (jitShare < settings.warmupJitSettledPercent() || rounds >= settings.warmupMaxRounds()) {
                break;
            }
            progress(String.format(Locale.ROOT, "warm-up: %d rounds; the JIT compiled %.1f %% of the last one's time, one more round",
                    rounds, jitShare));
            jitBefore = Machine.jitMillis();
            roundStarted = System.nanoTime();
            warmRound(perScenario);
            rounds++;
        }
        warmUpRounds = rounds;
        warmUpDeliveries = rounds * perScenario * Scenario.values().length;
        warmUpJitShare = jitShare;
        progress(String.format(Locale.ROOT, "warm: %d rounds, %d deliveries; JIT busy %.1f %% of the last round",
                rounds, warmUpDeliveries, jitShare));
    }

    private void warmRound(int perScenario) {
        pipedrive.reset();
        List<Delivery> all = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            all.addAll(prepare(s, perScenario));
        }
        Collections.shuffle(all, new Random(1));
        Run run = driver.run(all, settings.warmupConcurrency());
        record("warmup", run);
    }

    // ---------------------------------------------------------------- scenarios

    /** Seeds Pipedrive and makes the set-up deliveries of {@code n} calls of a scenario; returns the ones to measure. */
    List<Delivery> prepare(Scenario s, int n) {
        List<Delivery> setup = new ArrayList<>();
        List<Delivery> measured = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Phone phone = events.newPhone();
            switch (s) {
                case REPEAT -> {
                    seedOpenDeal(phone);
                    setup.add(incoming(s, phone, "logged"));
                    measured.add(incoming(s, phone, s.expected));
                }
                case FIRST_TIME -> {
                    seedOpenDeal(phone);
                    measured.add(incoming(s, phone, s.expected));
                }
                case NEW_CALLER -> measured.add(incoming(s, phone, s.expected));
                case OUTGOING_NO_DEAL -> {
                    pipedrive.addPerson(null, "Bench Contact " + phone.national(), phone.display());
                    String rid = events.newRequestId(s.key());
                    String call = events.newCallId();
                    measured.add(Delivery.of(s.key(), rid, call, events.outgoing(call, phone, rid), s.expected));
                }
                case DUPLICATE -> {
                    seedOpenDeal(phone);
                    Delivery first = incoming(s, phone, "logged");
                    setup.add(first);
                    String rid = events.newRequestId(s.key());
                    measured.add(Delivery.of(s.key(), rid, first.callId(), BenchEvents.again(first.json(), rid), s.expected));
                }
            }
        }
        if (!setup.isEmpty()) {
            Run run = driver.run(setup, 8);
            long bad = run.results().stream().filter(r -> !r.asExpected()).count();
            if (bad > 0) {
                progress("WARNING: " + bad + " set-up deliveries of " + s.key() + " were not logged: "
                        + answers(run.results()));
            }
        }
        return measured;
    }

    private Delivery incoming(Scenario s, Phone phone, String expected) {
        String rid = events.newRequestId(s.key());
        String call = events.newCallId();
        return Delivery.of(s.key(), rid, call, events.incoming(call, phone, rid), expected);
    }

    private long seedOpenDeal(Phone phone) {
        long person = pipedrive.addPerson(null, "Bench Caller " + phone.national(), phone.display());
        pipedrive.addDeal(null, person, "Bench deal " + phone.national(), "open", Instant.now().minus(Duration.ofDays(3)));
        return person;
    }

    Measured measure(Scenario s, int n, int concurrency) {
        pipedrive.reset(); // bounded memory and a clean request count; ids are never reused, numbers never repeat
        List<Delivery> deliveries = prepare(s, n);
        int before = pipedrive.requests().size();
        long tokens = pipedrive.tokensSpent();
        long jit = Machine.jitMillis();
        Run run = driver.run(deliveries, concurrency);
        jit = Machine.jitMillis() - jit;
        if (concurrency == 1) {
            jitDuringSequential.put(s, jit);
        }
        List<PipedriveFake.RecordedRequest> made = pipedrive.requests();
        made = made.subList(before, made.size());
        Measured m = new Measured(s, run, made.size(), pipedrive.tokensSpent() - tokens,
                made.stream().filter(r -> r.status() == 429).count(),
                made.stream().collect(Collectors.groupingBy(PipedriveFake.RecordedRequest::route, TreeMap::new,
                        Collectors.counting())),
                made.stream().mapToLong(PipedriveFake.RecordedRequest::durationMs).sum());
        record("c" + concurrency, run);
        progress(String.format(Locale.ROOT, "%-40s c=%-3d %4d calls  %6.1f calls/s  p50 %6.1f ms  own p99 %5.2f ms  %.2f req %.1f tokens/call  JIT %d ms",
                s.label, concurrency, n, run.perSecond(), m.stats(Result::wallMillis).percentile(50),
                m.stats(Result::ownMillis).percentile(99), m.requestsPerCall(), m.tokensPerCall(), jit));
        return m;
    }

    // ---------------------------------------------------------------- exactly once under load

    record ExactlyOnce(int answered, long losses, long duplicateActivities) {
    }

    ExactlyOnce exactlyOnce() {
        int distinct = settings.exactlyOnceDistinct();
        int dups = settings.exactlyOnceDuplicates();
        int c = settings.exactlyOnceConcurrency();
        progress("exactly once: " + distinct + " distinct deliveries + " + dups + " duplicates at concurrency " + c);
        // calls the earlier phases parked (only with Pipedrive's rate limits on) are finished first, so that the
        // replay below works for this run alone
        long earlier = System.nanoTime();
        int parkedBefore = ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 10_000).size();
        int earlierRounds = settle(Duration.ofSeconds(settings.exactlyOnceSettleSeconds()));
        if (earlierRounds > 0) {
            int left = ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 10_000).size();
            report.append("\nBefore the exactly-once run, the earlier phases had left ").append(parkedBefore)
                    .append(" parked calls; ").append(earlierRounds).append(" replay round(s) in ")
                    .append(Math.round((System.nanoTime() - earlier) / 1e9)).append(" s left ").append(left)
                    .append(left > 0 ? " (their activities, created during the run below, count as unknown call ids)"
                            : "").append(".\n");
        }
        pipedrive.reset();
        List<Delivery> calls = new ArrayList<>();
        Set<String> newNumbers = new TreeSet<>();
        Map<String, Integer> mix = new LinkedHashMap<>();
        // 40 % first-time callers with an open deal, 20 % outgoing to a person without deal, 20 % two calls each from
        // known numbers with an open deal, 20 % two calls each from unknown numbers (racing for one person and deal)
        int pairs = distinct / 10;
        int outgoing = distinct / 5;
        int firstTime = distinct - 4 * pairs - outgoing;
        for (int i = 0; i < firstTime; i++) {
            Phone p = events.newPhone();
            seedOpenDeal(p);
            calls.add(incoming(Scenario.FIRST_TIME, p, null));
        }
        for (int i = 0; i < outgoing; i++) {
            Phone p = events.newPhone();
            pipedrive.addPerson(null, "Bench Contact " + p.national(), p.display());
            String rid = events.newRequestId("once");
            String call = events.newCallId();
            calls.add(Delivery.of("outgoing-no-deal", rid, call, events.outgoing(call, p, rid), null));
        }
        for (int i = 0; i < pairs; i++) {
            Phone p = events.newPhone();
            seedOpenDeal(p);
            calls.add(incoming(Scenario.REPEAT, p, null));
            calls.add(incoming(Scenario.REPEAT, p, null));
        }
        for (int i = 0; i < pairs; i++) {
            Phone p = events.newPhone();
            newNumbers.add(p.national());
            calls.add(incoming(Scenario.NEW_CALLER, p, null));
            calls.add(incoming(Scenario.NEW_CALLER, p, null));
        }
        mix.put("first-time caller, open deal", firstTime);
        mix.put("outgoing, person without deal", outgoing);
        mix.put("two calls from one known number", 2 * pairs);
        mix.put("two calls from one unknown number", 2 * pairs);
        Random random = new Random(7);
        List<Delivery> all = new ArrayList<>(calls);
        for (int i = 0; i < dups; i++) {
            Delivery original = calls.get(random.nextInt(calls.size()));
            String rid = events.newRequestId("once-dup");
            all.add(Delivery.of("duplicate", rid, original.callId(), BenchEvents.again(original.json(), rid), null));
        }
        Collections.shuffle(all, random);
        Run run = driver.run(all, c);
        record("exactly-once", run);
        Map<String, Long> answers = answers(run.results());
        long notOk = run.results().stream().filter(r -> r.status() >= 300 && r.status() != 202).count();

        // what the deliveries left for later (parked calls, events kept while another delivery wrote the call) is
        // finished by the replay, as in production: run it (ignoring back-off) until nothing is left
        Duration settleFor = Duration.ofSeconds(settings.exactlyOnceSettleSeconds());
        int rounds = settle(settleFor);
        boolean settled = !leftForReplay();

        Map<String, Integer> activitiesPerCall = new HashMap<>();
        for (PipedriveFake.Activity a : pipedrive.activities()) {
            if (a.deleted() || a.note() == null) {
                continue;
            }
            Matcher m = CALL_ID_IN_NOTE.matcher(a.note());
            if (m.find()) {
                activitiesPerCall.merge(m.group(1), 1, Integer::sum);
            }
        }
        Set<String> ids = calls.stream().map(Delivery::callId).collect(Collectors.toCollection(TreeSet::new));
        long losses = ids.stream().filter(id -> !activitiesPerCall.containsKey(id)).count();
        long extra = ids.stream().mapToLong(id -> Math.max(0, activitiesPerCall.getOrDefault(id, 0) - 1)).sum();
        long strays = activitiesPerCall.keySet().stream().filter(id -> !ids.contains(id)).count();
        Map<String, Long> personsPerNumber = pipedrive.newPersons().stream().filter(p -> !p.deleted())
                .flatMap(p -> p.phones().stream().map(ph -> ph.replaceAll("\\D", "")).distinct())
                .map(d -> d.length() > 10 ? d.substring(d.length() - 10) : d)
                .filter(newNumbers::contains)
                .collect(Collectors.groupingBy(d -> d, Collectors.counting()));
        long extraPersons = personsPerNumber.values().stream().mapToLong(n -> n - 1).sum();
        long missingPersons = newNumbers.size() - personsPerNumber.size();
        Map<Long, Long> newDealsPerPerson = pipedrive.newDeals().stream().filter(d -> !d.deleted() && d.personId() != null)
                .collect(Collectors.groupingBy(PipedriveFake.Deal::personId, Collectors.counting()));
        long extraDeals = newDealsPerPerson.values().stream().mapToLong(n -> n - 1).sum();

        report.append("\n## Exactly once under load\n\n");
        report.append(String.format(Locale.ROOT, "%d distinct deliveries + %d duplicates (repeats of random ones, same body, "
                + "new request id), shuffled, at concurrency %d: %.1f deliveries/s.%n%n", ids.size(), dups, c, run.perSecond()));
        report.append("Mix of the distinct calls: ").append(mix.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "))).append(".\n\n");
        report.append("| check | result | target |\n|---|---|---|\n");
        report.append("| answers | ").append(answers).append(" | all 2xx |\n");
        report.append("| answers other than 2xx | ").append(notOk).append(" | 0 ").append(passMiss(notOk == 0)).append(" |\n");
        report.append("| replay rounds to finish parked calls and kept events | ").append(rounds)
                .append(settled ? "" : " (still work left after " + settleFor.toSeconds() + " s)").append(" | |\n");
        report.append("| calls without an activity (losses) | ").append(losses).append(" | 0 ")
                .append(passMiss(losses == 0)).append(" |\n");
        report.append("| extra activities for one call (duplicates) | ").append(extra).append(" | 0 ")
                .append(passMiss(extra == 0)).append(" |\n");
        report.append("| activities of unknown call ids | ").append(strays).append(" | 0 |\n");
        report.append("| unknown numbers without a person / with more than one | ").append(missingPersons).append(" / ")
                .append(extraPersons).append(" | 0 / 0 ").append(passMiss(missingPersons == 0 && extraPersons == 0)).append(" |\n");
        report.append("| persons with more than one new deal | ").append(extraDeals).append(" | 0 ")
                .append(passMiss(extraDeals == 0)).append(" |\n");
        report.append("| Pipedrive requests / tokens (whole run, incl. replay) | ").append(pipedrive.requests().size())
                .append(" / ").append(pipedrive.tokensSpent()).append(" | |\n");
        progress("exactly once: losses " + losses + ", duplicates " + extra + ", answers " + answers);
        return new ExactlyOnce(run.results().size(), losses, extra);
    }

    /** Runs the admin replay (every parked call now, pending events merged) until nothing is left; returns the rounds. */
    private int settle(Duration atMost) {
        int rounds = 0;
        long start = System.nanoTime();
        if (leftForReplay()) {
            progress("replaying what the deliveries parked or kept (at most " + atMost.toSeconds() + " s)");
        }
        while (leftForReplay() && System.nanoTime() - start < atMost.toNanos()) {
            rounds++;
            driver.invoke(Delivery.of("replay", events.newRequestId("replay"), null,
                    BenchEvents.load("admin/replay-all.json"), null));
            if (leftForReplay()) {
                sleep(2000);
            }
        }
        return rounds;
    }

    private boolean leftForReplay() {
        return !ledger.queued(CallLedger.QUEUE_PARKED, Long.MAX_VALUE, 1).isEmpty() || !pending.all(1).isEmpty();
    }

    // ---------------------------------------------------------------- cold start

    void coldStarts() {
        report.append("\n## JVM cold start to the first handled event\n\n");
        if (settings.coldStarts() <= 0) {
            report.append("Skipped (bench.coldStarts=0).\n");
            return;
        }
        if (!Files.isRegularFile(settings.jar())) {
            report.append("Skipped: ").append(settings.jar()).append(" is missing (the bench profile packages the "
                    + "application before the benchmark runs: ./mvnw -Pbench verify).\n");
            return;
        }
        Config cfg = ConfigProvider.getConfig();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", cfg.getValue("quarkus.dynamodb.endpoint-override", String.class));
        env.put("AWS_REGION", DynamoDbServer.REGION);
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("CALLBRIDGE_TABLE", config.table());
        env.put("CALLBRIDGE_PIPEDRIVE_BASE_URL", pipedrive.baseUrl());
        env.put("CALLBRIDGE_PIPEDRIVE_API_TOKEN", PipedriveFakeResource.TOKEN);
        env.put("CALLBRIDGE_WEBHOOK_TOKEN", WEBHOOK_TOKEN);
        env.put("CALLBRIDGE_DEFAULT_OWNER_EMAIL", "admin@example.com");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "callbridge-bench");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/callbridge-bench");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "bench");
        List<ColdStart.Result> results = new ArrayList<>();
        for (int i = 1; i <= settings.coldStarts(); i++) {
            pipedrive.reset();
            List<ObjectNode> evs = new ArrayList<>();
            for (int k = 0; k <= settings.coldStartFollowUps(); k++) {
                Phone p = events.newPhone();
                seedOpenDeal(p);
                evs.add(events.incoming(events.newCallId(), p, events.newRequestId("cold")));
            }
            try {
                ColdStart.Result r = ColdStart.run(settings.jar(), settings.coldStartJvmArgList(), env, evs,
                        settings.output(), i);
                results.add(r);
                progress(String.format(Locale.ROOT, "cold start %d: first answer after %.0f ms (%s), %s", i,
                        r.firstResponseMs(), r.firstAnswer(), r.error() == null ? "ok" : r.error()));
            } catch (Exception e) {
                results.add(new ColdStart.Result(Double.NaN, Double.NaN, Double.NaN, 0, null, Double.NaN, 0, 0, 0, 0,
                        e.toString()));
            }
        }
        report.append("`java ").append(settings.coldStartJvmArgs()).append(" -cp ").append(settings.jar())
                .append(":<runtime client> ").append(MiniLambdaRuntime.class.getSimpleName())
                .append("` with `_HANDLER=").append(ColdStart.HANDLER)
                .append("` and `AWS_LAMBDA_RUNTIME_API` pointing at a minimal Lambda Runtime API in the benchmark; "
                        + "the first event is a first-time caller with an open deal, then ")
                .append(settings.coldStartFollowUps()).append(" more like it, one after the other.\n\n");
        report.append("| run | process start → first poll of the runtime API (JVM start, handler created: Quarkus boot) | first event handled | "
                + "process start → first response | answer | next events, median | peak RSS after 1st / all events | "
                + "peak heap (GC log) |\n|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (ColdStart.Result r : results) {
            if (r.error() != null) {
                report.append("| ").append(i++).append(" | failed: ").append(r.error()).append(" | | | | | | |\n");
                continue;
            }
            report.append(String.format(Locale.ROOT, "| %d | %.0f ms | %.0f ms | **%.0f ms** | %d %s | %.0f ms | %s / %s | %s |%n",
                    i++, r.firstPollMs(), r.firstEventMs(), r.firstResponseMs(), r.firstStatus(), r.firstAnswer(),
                    r.followUpMedianMs(), mib(r.rssAfterFirstKb()), mib(r.rssAfterAllKb()), mib(r.peakHeapKb())));
        }
        Stats first = new Stats(results.stream().map(ColdStart.Result::firstResponseMs).toList());
        if (first.count() > 0) {
            report.append(String.format(Locale.ROOT, "%nCold start to first handled event: median %.0f ms, max %.0f ms "
                    + "(%d runs).%n", first.percentile(50), first.max(), first.count()));
        }
    }

    // ---------------------------------------------------------------- report

    void header() {
        report.append("# Callbridge benchmark\n\n");
        report.append("Run ").append(DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)
                .toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))).append(".\n\n");
        report.append("| machine | |\n|---|---|\n");
        Machine.describe().forEach((k, v) -> report.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        report.append("| benchmark JVM | max heap ").append(mib(Machine.maxHeapKb())).append(", GC ")
                .append(Machine.gcNames()).append(" |\n");
        report.append("\nCommand: `").append(command()).append("`\n\n");
        report.append("Pipedrive fake: latency ").append(settings.pipedriveLatencyMs()).append(" ms + uniform jitter 0-")
                .append(settings.pipedriveJitterMs()).append(" ms per request; rate limits ")
                .append(settings.pipedriveLimited()
                        ? "on: " + settings.pipedriveBurstLimit() + " requests and " + settings.pipedriveSearchLimit()
                                + " searches per 2 s (0 = no limit)"
                        : "off (never answers 429)")
                .append(". DynamoDB: ").append(DynamoDbServer.shared().kind()).append(" at ")
                .append(DynamoDbServer.shared().endpoint()).append(".\n\n");
        report.append("Knobs: ").append(settings.asMap().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "))).append(".\n\n");
    }

    private String command() {
        StringBuilder sb = new StringBuilder();
        String port = System.getenv("CALLBRIDGE_TEST_LAMBDA_PORT");
        if (port != null) {
            sb.append("CALLBRIDGE_TEST_LAMBDA_PORT=").append(port).append(' ');
        }
        sb.append("./mvnw -B -ntp -Pbench verify");
        new TreeMap<>(System.getProperties()).forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("bench.") && !key.equals("bench.enabled")) {
                sb.append(" -D").append(key).append('=').append(v.toString().contains(" ") ? "'" + v + "'" : v);
            }
        });
        return sb.toString();
    }

    void scenarioTable(Map<Scenario, Measured> sequential) {
        if (sequential.isEmpty()) {
            report.append("No concurrency-1 run (bench.concurrency has no 1): no per-scenario table.\n");
            return;
        }
        report.append("## Per scenario, one invocation at a time (warm JVM)\n\n");
        report.append("Requests and tokens: counted by the Pipedrive fake during the measured deliveries, divided by their "
                + "number. Latency: the handler's wall time per invocation. Own overhead: that time minus the time inside "
                + "Pipedrive requests, waiting between Pipedrive retries (back-off, rate limit) and inside DynamoDB "
                + "requests (from the invocation's log line). Time in Pipedrive requests is "
                + "what the application waits for a request, retries included; in brackets the part the fake itself "
                + "took from reading the request to answering (its configured latency plus its own work); the rest is the "
                + "HTTP client, JSON and scheduling on both sides. Own time splits into the webhook resource method "
                + "(parsing, deciding, logging; the log line's `ownMillis`) and the rest: the Lambda HTTP adapter, Vert.x "
                + "and the REST layer around it.\n\n");
        report.append("| scenario | calls | Pipedrive requests / call | tokens / call | target | DynamoDB requests / call "
                + "| latency p50 / p95 / p99 (ms) | mean ms in Pipedrive requests (fake's own share) / between "
                + "Pipedrive retries / in DynamoDB / own (of it in the resource method) "
                + "| own overhead p50 / p95 / p99 (ms) | own p99 ≤ " + fmt1(TARGET_OWN_P99_MS)
                + " ms | answers |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<Double> allOwn = new ArrayList<>();
        for (Measured m : sequential.values()) {
            Stats wall = m.stats(Result::wallMillis);
            Stats own = m.stats(Result::ownMillis);
            m.run().results().forEach(r -> allOwn.add(r.ownMillis()));
            double ddb = m.run().results().stream().mapToInt(Result::dynamoRequests).average().orElse(0);
            report.append("| ").append(m.scenario().label).append(" | ").append(m.run().results().size())
                    .append(" | ").append(fmt2(m.requestsPerCall())).append(" | ").append(fmt1(m.tokensPerCall()))
                    .append(" | ").append(target(m)).append(" | ").append(fmt1(ddb))
                    .append(" | ").append(fmt1(wall.percentile(50))).append(" / ").append(fmt1(wall.percentile(95)))
                    .append(" / ").append(fmt1(wall.percentile(99)))
                    .append(" | ").append(fmt1(m.stats(Result::pipedriveMillis).mean())).append(" (")
                    .append(fmt1((double) m.fakeMillis() / m.run().results().size())).append(") / ")
                    .append(fmt1(m.stats(Result::pipedriveWaitMillis).mean())).append(" / ")
                    .append(fmt1(m.stats(Result::dynamoMillis).mean())).append(" / ").append(fmt1(own.mean()))
                    .append(" (").append(fmt1(m.stats(Result::ownInResourceMillis).mean())).append(")")
                    .append(" | ").append(fmt2(own.percentile(50))).append(" / ").append(fmt2(own.percentile(95)))
                    .append(" / ").append(fmt2(own.percentile(99)))
                    .append(" | ").append(passMiss(own.percentile(99) <= TARGET_OWN_P99_MS))
                    .append(" | ").append(answers(m.run().results())).append(" |\n");
        }
        Stats pooled = new Stats(allOwn);
        report.append(String.format(Locale.ROOT, "%nOwn overhead over all %d invocations above: p50 %.2f ms, p95 %.2f ms, "
                + "p99 %.2f ms, max %.2f ms — target p99 ≤ %.0f ms: %s.%n", pooled.count(), pooled.percentile(50),
                pooled.percentile(95), pooled.percentile(99), pooled.max(), TARGET_OWN_P99_MS,
                passMiss(pooled.percentile(99) <= TARGET_OWN_P99_MS)));
        report.append(String.format(Locale.ROOT, "%nWarm-up: %d rounds, %d deliveries of mixed scenarios at concurrency %d, until the JIT "
                + "compilers spent less than %.1f %% of a round compiling (last round: %.1f %%; at most %d rounds). "
                + "JIT compilation while the rows above were measured: %s ms.%n", warmUpRounds, warmUpDeliveries,
                settings.warmupConcurrency(),
                settings.warmupJitSettledPercent(), warmUpJitShare, settings.warmupMaxRounds(),
                jitDuringSequential.entrySet().stream().map(e -> e.getKey().label + " " + e.getValue())
                        .collect(Collectors.joining(", "))));
        report.append("\nPipedrive requests per call by endpoint, spread, and owner rules, per scenario:\n\n");
        for (Measured m : sequential.values()) {
            Map<String, Long> rules = m.run().results().stream().filter(r -> r.line() != null)
                    .collect(Collectors.groupingBy(r -> r.line().path("ownerRule").asText("-"), TreeMap::new,
                            Collectors.counting()));
            Stats req = m.stats(r -> (double) r.pipedriveRequests());
            int n = m.run().results().size();
            String routes = m.routes().entrySet().stream()
                    .map(e -> e.getKey() + " × " + fmt2((double) e.getValue() / n)).collect(Collectors.joining(", "));
            report.append("- ").append(m.scenario().label).append(": ").append(routes.isEmpty() ? "none" : routes)
                    .append("; requests per call min ").append(fmt0(req.percentile(0)))
                    .append(", max ").append(fmt0(req.max())).append("; owner rules ").append(rules)
                    .append(m.rateLimited() > 0 ? "; 429 answers " + m.rateLimited() : "").append('\n');
        }
    }

    private String target(Measured m) {
        return switch (m.scenario()) {
            case REPEAT -> "≤ " + TARGET_REPEAT_REQUESTS + " requests, ≤ " + TARGET_REPEAT_TOKENS + " tokens "
                    + passMiss(m.requestsPerCall() <= TARGET_REPEAT_REQUESTS && m.tokensPerCall() <= TARGET_REPEAT_TOKENS);
            case FIRST_TIME -> "≤ " + TARGET_FIRST_TIME_TOKENS + " tokens " + passMiss(m.tokensPerCall() <= TARGET_FIRST_TIME_TOKENS);
            default -> "";
        };
    }

    void throughputTable(Map<Scenario, Map<Integer, Measured>> load) {
        report.append("\n## Throughput by concurrency\n\n");
        report.append("N threads call the handler at once (on AWS: N instances sharing DynamoDB and Pipedrive; each "
                + "instance handles one invocation at a time). Everything — the application, the Pipedrive fake, dynalite "
                + "and the load generator — shares this machine's CPUs, so contention shows in latency and own overhead.\n\n");
        report.append("| scenario | concurrency | calls | calls / s | latency p50 / p99 (ms) | own overhead p50 / p99 (ms) "
                + "| Pipedrive requests / tokens per call | 429s | unexpected answers |\n|---|---|---|---|---|---|---|---|---|\n");
        load.forEach((s, levels) -> levels.forEach((c, m) -> {
            Stats wall = m.stats(Result::wallMillis);
            Stats own = m.stats(Result::ownMillis);
            report.append("| ").append(s.label).append(" | ").append(c).append(" | ").append(m.run().results().size())
                    .append(" | ").append(fmt1(m.run().perSecond()))
                    .append(" | ").append(fmt1(wall.percentile(50))).append(" / ").append(fmt1(wall.percentile(99)))
                    .append(" | ").append(fmt2(own.percentile(50))).append(" / ").append(fmt2(own.percentile(99)))
                    .append(" | ").append(fmt2(m.requestsPerCall())).append(" / ").append(fmt1(m.tokensPerCall()))
                    .append(" | ").append(m.rateLimited()).append(" | ").append(m.unexpected())
                    .append(m.unexpected() > 0 ? " " + answers(m.run().results()) : "").append(" |\n");
        }));
    }

    void memory(long[] gcBefore, long[] gcAfter) {
        report.append("\n## Memory of the benchmark JVM\n\n");
        report.append("From the end of the warm-up to the end of the exactly-once run (the JVM also holds the Pipedrive "
                + "fake, its request log and the load generator, so this is an upper bound for the application; the "
                + "cold-start table shows the application alone):\n\n");
        report.append("| peak heap used (sum of heap pools' peaks) | max heap | peak RSS (VmHWM) | GCs / total pause |\n|---|---|---|---|\n");
        report.append("| ").append(mib(Machine.peakHeapKb())).append(" | ").append(mib(Machine.maxHeapKb()))
                .append(" | ").append(mib(Machine.peakRssKb())).append(" | ").append(gcAfter[0] - gcBefore[0])
                .append(" / ").append(gcAfter[1] - gcBefore[1]).append(" ms |\n");
    }

    void effectiveSettings() {
        report.append("\n## Effective application settings\n\n");
        report.append("Every `callbridge.*` setting as the application saw it (secrets left out); the benchmark profile "
                + "overrides ").append(new TreeMap<>(BenchProfile.OVERRIDES)).append(" and the tests' own profile sets the rest that "
                + "differs from production (webhook token, table, default owner).\n\n");
        Config cfg = ConfigProvider.getConfig();
        Map<String, String> values = new TreeMap<>();
        for (String name : cfg.getPropertyNames()) {
            String n = name.toLowerCase(Locale.ROOT);
            if (!name.startsWith("callbridge.") || name.startsWith("callbridge.test.") || n.contains("token") || n.contains("secret") || n.contains("password")) {
                continue;
            }
            cfg.getOptionalValue(name, String.class).ifPresent(v -> values.put(name, v));
        }
        values.forEach((k, v) -> report.append("- `").append(k).append("` = `").append(v).append("`")
                .append(k.equals("callbridge.metrics-enabled") ? " (the benchmark turns the EMF metrics on: each call "
                        + "builds its document as in production; the text is discarded)" : "").append('\n'));
        for (String key : List.of("callbridge.pipedrive-burst-limit", "callbridge.pipedrive-search-limit")) {
            if (!values.containsKey(key)) {
                report.append("- `").append(key).append("`: not a setting of this version (no client-side limit)\n");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void record(String phase, Run run) {
        for (Result r : run.results()) {
            csv.add(String.join(",", phase, r.delivery().scenario(), String.valueOf(run.concurrency()),
                    fmt3(r.wallMillis()), fmt3(r.pipedriveMillis()), fmt3(r.pipedriveWaitMillis()), fmt3(r.dynamoMillis()),
                    fmt3(r.ownMillis()),
                    String.valueOf(r.pipedriveRequests()), String.valueOf(r.pipedriveTokens()),
                    String.valueOf(r.dynamoRequests()), String.valueOf(r.status()), String.valueOf(r.answer()),
                    r.line() == null ? "" : r.line().path("ownerRule").asText(""), r.delivery().requestId(),
                    String.valueOf(r.startNanos())));
        }
    }

    private static Map<String, Long> answers(List<Result> results) {
        return results.stream().collect(Collectors.groupingBy(r -> r.status() + " " + r.answer(), TreeMap::new,
                Collectors.counting()));
    }

    private void progress(String message) {
        // the JVM's uptime joins the progress to -Xlog (gc, safepoint, jit+compilation) lines decorated with "uptime"
        System.out.printf(Locale.ROOT, "[bench %4ds, JVM uptime %.3fs] %s%n", Math.round((System.nanoTime() - benchStarted) / 1e9),
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, message);
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return BenchEvents.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String passMiss(boolean pass) {
        return pass ? "**PASS**" : "**MISS**";
    }

    static String mib(long kb) {
        return kb <= 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
    }

    static String fmt0(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String fmt1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt2(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmt3(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }
}
