package io.callbridge.testing.pipedrive;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A LOCAL Pipedrive sandbox for developers: a {@link PipedriveFake} seeded with a small realistic dataset
 * ({@code src/test/resources/sandbox/seed.json}), with Pipedrive-like rate limits, that logs every write to stderr.
 * It is not a real Pipedrive: data lives in memory and is lost on exit.
 *
 * <pre>
 *   ./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.1:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.callbridge.testing.pipedrive.PipedriveSandbox -Dexec.args="--port 18080"
 *
 *   options: [--port 0] [--token sandbox-token] [--seed file.json] [--burst-limit 40] [--search-limit 10]
 *            [--daily-budget 1000000] [--no-rate-limits] [--latency-ms 0] [--no-stdin-watch]
 * </pre>
 *
 * <p>Prints {@code PORT=<n>} as the first stdout line, then a banner on stderr. Exits when stdin is closed (EOF),
 * so a parent process that dies leaves no orphan; use {@code --no-stdin-watch} when starting it in the background
 * without a stdin (then stop it with a signal). Inspect with {@code curl http://127.0.0.1:<n>/__sandbox/state},
 * {@code /__sandbox/stats}; {@code POST /__sandbox/reset} returns to the seed.
 */
public final class PipedriveSandbox {

    public static final String DEFAULT_TOKEN = "sandbox-token";
    public static final String SEED_RESOURCE = "/sandbox/seed.json";

    private PipedriveSandbox() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        String token = DEFAULT_TOKEN;
        Path seedFile = null;
        int burst = 40;
        int search = 10;
        long daily = 1_000_000L;
        boolean rateLimits = true;
        long latencyMs = 0;
        boolean stdinWatch = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            switch (name) {
                case "--help", "-h" -> {
                    System.err.println("usage: PipedriveSandbox [--port N] [--token T] [--seed FILE] [--burst-limit N] "
                            + "[--search-limit N] [--daily-budget N] [--no-rate-limits] [--latency-ms N] [--no-stdin-watch]");
                    return;
                }
                case "--no-rate-limits" -> rateLimits = false;
                case "--no-stdin-watch" -> stdinWatch = false;
                case "--port", "--token", "--seed", "--burst-limit", "--search-limit", "--daily-budget", "--latency-ms" -> {
                    if (v == null) {
                        if (i + 1 >= args.length) {
                            fail("missing value for " + name);
                        }
                        v = args[++i];
                    }
                    try {
                        switch (name) {
                            case "--port" -> port = Integer.parseInt(v);
                            case "--token" -> token = v;
                            case "--seed" -> seedFile = Path.of(v);
                            case "--burst-limit" -> burst = Integer.parseInt(v);
                            case "--search-limit" -> search = Integer.parseInt(v);
                            case "--daily-budget" -> daily = Long.parseLong(v);
                            case "--latency-ms" -> latencyMs = Long.parseLong(v);
                            default -> throw new IllegalStateException(name);
                        }
                    } catch (NumberFormatException e) {
                        fail("invalid number for " + name + ": " + v);
                    }
                }
                default -> fail("unknown option " + a + " (try --help)");
            }
        }

        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        PipedriveFake fake = PipedriveFake.start(port, token);
        if (rateLimits) {
            fake.setLimits(burst, search, daily);
        } else {
            fake.setRateLimiting(false);
        }
        fake.setLatency(Duration.ofMillis(latencyMs));
        JsonNode seed = seedFile != null ? PipedriveFake.JSON.readTree(Files.readAllBytes(seedFile)) : defaultSeed();
        seed(fake, seed);
        fake.setCurrentConfigAsDefault();
        fake.setWriteListener(line -> err.println("SANDBOX Pipedrive: " + line));
        fake.setRequestListener(r -> {
            if (r.dropped() || r.status() >= 400 || !r.violations().isEmpty()) {
                err.println("SANDBOX Pipedrive: " + r.method() + " " + r.path() + " -> "
                        + (r.dropped() ? "dropped" : r.status()) + (r.fault() != null ? " (injected fault " + r.fault() + ")" : "")
                        + (r.violations().isEmpty() ? "" : "  VIOLATION: " + String.join("; ", r.violations())));
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(fake::close, "pipedrive-sandbox-shutdown"));

        System.out.println("PORT=" + fake.port());
        System.out.flush();
        err.println("*** LOCAL PIPEDRIVE SANDBOX (not a real Pipedrive) on " + fake.baseUrl()
                + " — data is in memory and lost on exit ***");
        err.println("    API token: x-api-token: " + token + "   token user: #" + seed.path("token_user_id").asText("?")
                + "   users: " + fake.users().size() + ", persons: " + fake.persons().size() + ", deals: " + fake.deals().size());
        err.println("    rate limits: " + (rateLimits ? burst + " req / 2 s, " + search + " searches / 2 s, " + daily
                + " tokens / day" : "off"));
        err.println("    inspect: curl " + fake.baseUrl() + "/__sandbox/state | /__sandbox/stats;  reset: curl -X POST "
                + fake.baseUrl() + "/__sandbox/reset");
        err.println("    stops when stdin closes" + (stdinWatch ? " (Ctrl-D) or on Ctrl-C" : ": disabled, stop with Ctrl-C / kill"));

        if (stdinWatch) {
            Thread watcher = new Thread(() -> {
                waitForEof(System.in);
                err.println("SANDBOX Pipedrive: stdin closed, stopping");
                System.exit(0);
            }, "pipedrive-sandbox-stdin");
            watcher.setDaemon(false);
            watcher.start();
        } else {
            Thread keepAlive = new Thread(() -> {
                try {
                    Thread.currentThread().join();
                } catch (InterruptedException ignored) {
                    // exit
                }
            }, "pipedrive-sandbox-keepalive");
            keepAlive.setDaemon(false);
            keepAlive.start();
        }
    }

    /** The sandbox dataset from {@code src/test/resources/sandbox/seed.json}. */
    public static JsonNode defaultSeed() {
        try (InputStream in = PipedriveSandbox.class.getResourceAsStream(SEED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + SEED_RESOURCE + " not found");
            }
            return PipedriveFake.JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes {@code seed} the fake's base dataset (re-applied after every reset, see
     * {@link PipedriveFake#setBaseSeed(JsonNode)}) and resets the fake to it.
     */
    public static void seed(PipedriveFake fake, JsonNode seed) {
        fake.setBaseSeed(seed);
        fake.reset();
    }

    private static void waitForEof(InputStream in) {
        byte[] buf = new byte[1024];
        try {
            while (in.read(buf) != -1) {
                // discard
            }
        } catch (IOException ignored) {
            // treat as closed
        }
    }

    private static void fail(String msg) {
        System.err.println("PipedriveSandbox: " + msg);
        System.exit(2);
    }
}
