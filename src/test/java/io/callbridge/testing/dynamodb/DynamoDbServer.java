package io.callbridge.testing.dynamodb;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DynamoDB API endpoint for tests: LocalStack (Testcontainers) when a Docker engine is available, otherwise
 * dynalite (npm package, in memory) started as {@code node tools/dynalite-server.mjs 0} from the project root.
 *
 * <pre>{@code
 * try (DynamoDbServer db = DynamoDbServer.start()) {
 *     DynamoDbClient client = DynamoDbClient.builder().endpointOverride(db.endpoint()).region(Region.of(db.region()))
 *             .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
 *             .httpClient(UrlConnectionHttpClient.create()).build();
 * }
 * }</pre>
 *
 * <p>Choice override: system property {@code test.callbridge.dynamodb} or env {@code CALLBRIDGE_TEST_DYNAMODB} =
 * {@code auto} (default) | {@code dynalite} | {@code localstack}. LocalStack image: property
 * {@code test.callbridge.localstack-image} (default {@value #DEFAULT_LOCALSTACK_IMAGE}). Node binary: property
 * {@code test.callbridge.node} or env {@code NODE} (default {@code node}).
 *
 * <p>The dynalite child keeps its stdin pipe from this JVM open; when the JVM dies (even by SIGKILL) the pipe closes
 * and dynalite exits, so no orphan is left. {@link #close()} and a JVM shutdown hook stop it too.
 */
public final class DynamoDbServer implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String DEFAULT_LOCALSTACK_IMAGE = "localstack/localstack:4.4.0";
    private static final long STARTUP_TIMEOUT_SECONDS = 30;
    private static final Pattern PORT_LINE = Pattern.compile("PORT=(\\d+)");

    private static DynamoDbServer shared;

    private final String kind;
    private final URI endpoint;
    private final Process process;
    private final LocalStackContainer container;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private DynamoDbServer(String kind, URI endpoint, Process process, LocalStackContainer container) {
        this.kind = kind;
        this.endpoint = endpoint;
        this.process = process;
        this.container = container;
        this.shutdownHook = new Thread(this::stopNow, "dynamodb-test-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts LocalStack if Docker is available, else dynalite (see the class comment for overrides). */
    public static DynamoDbServer start() {
        String choice = setting("test.callbridge.dynamodb", "CALLBRIDGE_TEST_DYNAMODB", "auto").toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "dynalite" -> startDynalite();
            case "localstack" -> startLocalStack();
            case "auto" -> dockerAvailable() ? startLocalStack() : startDynalite();
            default -> throw new IllegalArgumentException("test.callbridge.dynamodb must be auto, dynalite or localstack: " + choice);
        };
    }

    /**
     * One server shared by the whole JVM (started on first use, stopped by the shutdown hook). Also publishes its
     * endpoint as system property {@code test.callbridge.dynamodb.endpoint}.
     */
    public static synchronized DynamoDbServer shared() {
        if (shared == null || shared.closed) {
            shared = start();
            System.setProperty("test.callbridge.dynamodb.endpoint", shared.endpoint().toString());
        }
        return shared;
    }

    public static DynamoDbServer startLocalStack() {
        String image = setting("test.callbridge.localstack-image", "CALLBRIDGE_TEST_LOCALSTACK_IMAGE", DEFAULT_LOCALSTACK_IMAGE);
        LocalStackContainer c = new LocalStackContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("localstack/localstack")).withServices("dynamodb");
        c.start();
        return new DynamoDbServer("localstack", c.getEndpoint(), null, c);
    }

    public static DynamoDbServer startDynalite() {
        Path root = projectRoot();
        Path script = root.resolve("tools").resolve("dynalite-server.mjs");
        if (!Files.isRegularFile(root.resolve("node_modules/dynalite/package.json"))) {
            throw new IllegalStateException("dynalite is not installed in " + root.resolve("node_modules")
                    + ": run npm ci first (in " + root + "), or let ./mvnw install it (profile npm-install-dynalite)");
        }
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("missing " + script);
        }
        String node = setting("test.callbridge.node", "NODE", "node");
        Process p;
        try {
            p = new ProcessBuilder(node, script.toString(), "0").directory(root.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run '" + node + "' (Node.js >= 20 is needed for dynalite when Docker is "
                    + "not available)", e);
        }
        Deque<String> stderrTail = new ArrayDeque<>();
        Thread errPump = new Thread(() -> pump(p, stderrTail), "dynalite-stderr");
        errPump.setDaemon(true);
        errPump.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread outPump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = PORT_LINE.matcher(line.strip());
                    if (!port.isDone() && m.matches()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else {
                        System.err.println("[dynalite] " + line);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
            port.completeExceptionally(new IllegalStateException("dynalite exited before printing PORT="));
        }, "dynalite-stdout");
        outPump.setDaemon(true);
        outPump.start();
        try {
            int n = port.get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new DynamoDbServer("dynalite", URI.create("http://127.0.0.1:" + n), p, null);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = e instanceof TimeoutException ? "did not print PORT= within " + STARTUP_TIMEOUT_SECONDS + " s"
                    : String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e);
            String tail;
            synchronized (stderrTail) {
                tail = String.join("\n", stderrTail);
            }
            throw new IllegalStateException("cannot start dynalite (" + node + " " + script + "): " + why
                    + (tail.isEmpty() ? "" : "\nstderr:\n" + tail), e);
        }
    }

    /** {@code http://127.0.0.1:<port>} of the DynamoDB API. */
    public URI endpoint() {
        return endpoint;
    }

    public String region() {
        return REGION;
    }

    /** {@code "localstack"} or {@code "dynalite"}. */
    public String kind() {
        return kind;
    }

    /** Pid of the dynalite process (empty for LocalStack). */
    public OptionalLong pid() {
        return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
    }

    public boolean isRunning() {
        return !closed && (process == null ? container.isRunning() : process.isAlive());
    }

    @Override
    public void close() {
        stopNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    private synchronized void stopNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (container != null) {
            container.stop();
            return;
        }
        try {
            process.getOutputStream().close(); // EOF on stdin: dynalite-server.mjs exits by itself
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DynamoDbServer[" + kind + " " + endpoint + "]";
    }

    // ------------------------------------------------------------------ helpers

    private static Boolean dockerAvailable;

    private static synchronized boolean dockerAvailable() {
        if (dockerAvailable == null) {
            // Asking Testcontainers without any Docker endpoint in sight only logs a scary ERROR: look first.
            boolean endpointInSight = System.getenv("DOCKER_HOST") != null
                    || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                    || java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"))
                    || java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
            if (!endpointInSight) {
                dockerAvailable = false;
                return false;
            }
            try {
                dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable t) {
                dockerAvailable = false;
            }
        }
        return dockerAvailable;
    }

    /** The nearest directory at or above {@code user.dir} containing package.json. */
    static Path projectRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("package.json"))) {
                return d;
            }
        }
        throw new IllegalStateException("no package.json found at or above " + start
                + ": run the tests from the Callbridge project directory");
    }

    private static void pump(Process p, Deque<String> tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.err.println("[dynalite] " + line);
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 40) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    private static String setting(String property, String env, String dflt) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? dflt : v.strip();
    }
}
