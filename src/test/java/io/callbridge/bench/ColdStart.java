package io.callbridge.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JVM cold start to the first handled event: starts the packaged application (the runner jar and its lib/, as
 * function.zip holds them) in a child JVM under {@link MiniLambdaRuntime}, which does what AWS' Java runtime does:
 * create the handler named in template.yaml ({@code QuarkusStreamHandler}: Quarkus boots), then take events from the
 * Lambda Runtime API at {@code AWS_LAMBDA_RUNTIME_API}, here a minimal one served by this class. It hands the child one
 * webhook event and times process start to the posted response. A few more events follow, to see how fast a
 * just-started instance answers, and the child's peak RSS ({@code VmHWM}) and heap (from its GC log) are read before
 * it is stopped. (Quarkus' own poll loop is not used: in JVM mode it only runs in dev and test mode.)
 */
final class ColdStart {

    /** One invocation as the runtime API saw it. */
    private static final class Invocation {
        final String id;
        final byte[] event;
        volatile long dispatchedNanos;
        final CompletableFuture<String> response = new CompletableFuture<>();
        volatile long respondedNanos;

        Invocation(String id, byte[] event) {
            this.id = id;
            this.event = event;
        }
    }

    record Result(double firstPollMs, double firstResponseMs, double firstEventMs, int firstStatus, String firstAnswer,
                  double followUpMedianMs, int followUps, long rssAfterFirstKb, long rssAfterAllKb, long peakHeapKb,
                  String error) {
    }

    /** The handler of the webhook function in template.yaml. */
    static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    private static final Pattern PRE_GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Pattern EXIT_USED = Pattern.compile("(generation|heap)\\s+total \\d+K, used (\\d+)K");

    private final BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> byId = new ConcurrentHashMap<>();
    private volatile long firstPollNanos;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-runtime-api");
        t.setDaemon(true);
        return t;
    });

    private ColdStart() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/2018-06-01/runtime/", this::handle);
        server.start();
    }

    /**
     * Starts the jar with these JVM arguments and environment (plus the runtime API address), sends the events one
     * after the other (the first is the cold one) and stops the child.
     */
    static Result run(Path jar, List<String> jvmArgs, Map<String, String> env, List<ObjectNode> events, Path logDir,
            int index) throws Exception {
        Path client = runtimeClient(logDir);
        ColdStart api = new ColdStart();
        Path log = logDir.resolve("coldstart-" + index + ".log");
        Path gcLog = logDir.resolve("coldstart-" + index + "-gc.log");
        Files.deleteIfExists(gcLog);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmArgs);
        command.add("-Xlog:gc,gc+heap+exit:file=" + gcLog.toAbsolutePath());
        command.add("-cp");
        command.add(jar.toAbsolutePath() + java.io.File.pathSeparator + client.toAbsolutePath());
        command.add(MiniLambdaRuntime.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", System.getProperty("user.home"));
        pb.environment().putAll(env);
        pb.environment().put("_HANDLER", HANDLER);
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.server.getAddress().getPort());
        List<Invocation> invocations = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            invocations.add(new Invocation("cold-" + index + "-" + i,
                    BenchEvents.JSON.writeValueAsBytes(events.get(i))));
        }
        invocations.forEach(inv -> api.byId.put(inv.id, inv));
        Process child = null;
        try {
            api.queue.add(invocations.get(0));
            long start = System.nanoTime();
            child = pb.start();
            String first;
            try {
                first = invocations.get(0).response.get(180, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return failed("the first event failed: " + e.getCause().getMessage() + " (see " + log + ")");
            } catch (java.util.concurrent.TimeoutException e) {
                return failed("no answer within 180 s (see " + log + ")");
            }
            Invocation inv0 = invocations.get(0);
            long rssFirst = vmHwmKb(child.pid());
            List<Double> followUp = new ArrayList<>();
            for (Invocation inv : invocations.subList(1, invocations.size())) {
                api.queue.add(inv);
                inv.response.get(60, TimeUnit.SECONDS);
                followUp.add((inv.respondedNanos - inv.dispatchedNanos) / 1e6);
            }
            long rssAll = vmHwmKb(child.pid());
            stop(child);
            ObjectNode reply = (ObjectNode) BenchEvents.JSON.readTree(first);
            String body = reply.path("body").asText("");
            String answer = body.isEmpty() ? null : BenchEvents.JSON.readTree(body).path("status").asText(null);
            return new Result((api.firstPollNanos - start) / 1e6, (inv0.respondedNanos - start) / 1e6,
                    (inv0.respondedNanos - inv0.dispatchedNanos) / 1e6, reply.path("statusCode").asInt(), answer,
                    new Stats(followUp).percentile(50), followUp.size(), rssFirst, rssAll, peakHeapKb(gcLog), null);
        } finally {
            if (child != null && child.isAlive()) {
                stop(child);
            }
            api.server.stop(0);
            api.executor.shutdownNow();
        }
    }

    /**
     * A class path entry holding only {@link MiniLambdaRuntime} (copied from the compiled test classes), so that the
     * child sees the application and nothing of the tests.
     */
    static Path runtimeClient(Path outputDir) throws IOException {
        Path from = Path.of("target", "test-classes", "io", "callbridge", "bench");
        Path root = outputDir.resolve("runtime-client");
        Path to = root.resolve(Path.of("io", "callbridge", "bench"));
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(MiniLambdaRuntime.class.getSimpleName()))
                    .toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return root;
    }

    private static Result failed(String why) {
        return new Result(Double.NaN, Double.NaN, Double.NaN, 0, null, Double.NaN, 0, 0, 0, 0, why);
    }

    private static void stop(Process child) throws InterruptedException {
        child.destroy(); // SIGTERM: the JVM shuts down and writes the heap summary to the GC log
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.endsWith("/runtime/invocation/next")) {
                if (firstPollNanos == 0) {
                    firstPollNanos = System.nanoTime();
                }
                Invocation inv = queue.poll(600, TimeUnit.SECONDS);
                if (inv == null) {
                    send(ex, 500, "{}");
                    return;
                }
                inv.dispatchedNanos = System.nanoTime();
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", inv.id);
                ex.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 30_000));
                ex.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:ap-south-1:123456789012:function:callbridge-bench");
                ex.getResponseHeaders().set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
                ex.sendResponseHeaders(200, inv.event.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(inv.event);
                }
                return;
            }
            Matcher m = Pattern.compile(".*/runtime/invocation/([^/]+)/(response|error)$").matcher(path);
            if (method.equals("POST") && m.matches()) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Invocation inv = byId.get(m.group(1));
                send(ex, 202, "{\"status\":\"OK\"}");
                if (inv != null) {
                    inv.respondedNanos = System.nanoTime();
                    if (m.group(2).equals("response")) {
                        inv.response.complete(body);
                    } else {
                        inv.response.completeExceptionally(new IllegalStateException("invocation error: " + body));
                    }
                }
                return;
            }
            if (method.equals("POST") && path.endsWith("/runtime/init/error")) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                send(ex, 202, "{\"status\":\"OK\"}");
                byId.values().forEach(inv -> inv.response.completeExceptionally(new IllegalStateException("init error: " + body)));
                return;
            }
            send(ex, 404, "{}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    /** Peak resident set size of a process so far (kB), from /proc; 0 where /proc is not available. */
    static long vmHwmKb(long pid) {
        return procStatusKb(Path.of("/proc", String.valueOf(pid), "status"), "VmHWM:");
    }

    static long procStatusKb(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    /** The largest heap occupancy the GC log shows: before any collection, or at exit (kB). */
    static long peakHeapKb(Path gcLog) {
        long peak = 0;
        try {
            long exitUsed = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = PRE_GC.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, Long.parseLong(m.group(1)) * 1024);
                }
                if (line.contains("exit")) {
                    Matcher u = EXIT_USED.matcher(line);
                    if (u.find()) {
                        exitUsed += Long.parseLong(u.group(2));
                    }
                }
            }
            peak = Math.max(peak, exitUsed);
        } catch (IOException | RuntimeException e) {
            // no log
        }
        return peak;
    }
}
