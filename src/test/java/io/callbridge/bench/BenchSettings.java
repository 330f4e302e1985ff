package io.callbridge.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The knobs of the benchmark, read from system properties {@code bench.*} (Maven passes {@code -Dbench.x=...} on
 * to the test JVM). Defaults keep a run within about ten minutes on two cores (most of it the JIT warm-up).
 */
record BenchSettings(
        long pipedriveLatencyMs,
        long pipedriveJitterMs,
        int pipedriveBurstLimit,
        int pipedriveSearchLimit,
        int warmup,
        int warmupMaxRounds,
        int warmupConcurrency,
        double warmupJitSettledPercent,
        int samples,
        int loadDeliveries,
        List<Integer> concurrency,
        int exactlyOnceDistinct,
        int exactlyOnceDuplicates,
        int exactlyOnceConcurrency,
        int exactlyOnceSettleSeconds,
        int coldStarts,
        int coldStartFollowUps,
        String coldStartJvmArgs,
        Path jar,
        Path output) {

    static BenchSettings fromSystemProperties() {
        return new BenchSettings(
                longProp("bench.pipedriveLatencyMs", 30),
                longProp("bench.pipedriveJitterMs", 20),
                intProp("bench.pipedriveBurstLimit", 0),
                intProp("bench.pipedriveSearchLimit", 0),
                intProp("bench.warmup", 1000),
                intProp("bench.warmup.maxRounds", 30),
                intProp("bench.warmup.concurrency", 32),
                Double.parseDouble(System.getProperty("bench.warmup.jitSettledPercent", "1")),
                intProp("bench.samples", 100),
                intProp("bench.loadDeliveries", 200),
                Arrays.stream(System.getProperty("bench.concurrency", "1,8,32").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList(),
                intProp("bench.exactlyOnce.distinct", 1000),
                intProp("bench.exactlyOnce.duplicates", 200),
                intProp("bench.exactlyOnce.concurrency", 32),
                intProp("bench.exactlyOnce.settleSeconds", 300),
                intProp("bench.coldStarts", 3),
                intProp("bench.coldStart.followUps", 20),
                System.getProperty("bench.coldStart.jvmArgs", "-XX:MaxRAM=1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1"),
                packagedJar(),
                Path.of(System.getProperty("bench.output", "target/benchmark")));
    }

    /** Whether the fake answers 429 like a Pipedrive plan (any limit set), or never (both 0: off). */
    boolean pipedriveLimited() {
        return pipedriveBurstLimit > 0 || pipedriveSearchLimit > 0;
    }

    List<String> coldStartJvmArgList() {
        List<String> args = new ArrayList<>();
        for (String a : coldStartJvmArgs.trim().split("\\s+")) {
            if (!a.isEmpty()) {
                args.add(a);
            }
        }
        return args;
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench.pipedriveLatencyMs", pipedriveLatencyMs);
        m.put("bench.pipedriveJitterMs", pipedriveJitterMs);
        m.put("bench.pipedriveBurstLimit", pipedriveBurstLimit);
        m.put("bench.pipedriveSearchLimit", pipedriveSearchLimit);
        m.put("bench.warmup", warmup);
        m.put("bench.warmup.maxRounds", warmupMaxRounds);
        m.put("bench.warmup.concurrency", warmupConcurrency);
        m.put("bench.warmup.jitSettledPercent", warmupJitSettledPercent);
        m.put("bench.samples", samples);
        m.put("bench.loadDeliveries", loadDeliveries);
        m.put("bench.concurrency", concurrency);
        m.put("bench.exactlyOnce.distinct", exactlyOnceDistinct);
        m.put("bench.exactlyOnce.duplicates", exactlyOnceDuplicates);
        m.put("bench.exactlyOnce.concurrency", exactlyOnceConcurrency);
        m.put("bench.exactlyOnce.settleSeconds", exactlyOnceSettleSeconds);
        m.put("bench.coldStarts", coldStarts);
        m.put("bench.coldStart.followUps", coldStartFollowUps);
        m.put("bench.coldStart.jvmArgs", coldStartJvmArgs);
        return m;
    }

    /**
     * {@code bench.jar}, else the runner jar the Lambda build makes (its manifest puts lib/ on the class path, the
     * layout of function.zip). Missing when the application was not packaged.
     */
    private static Path packagedJar() {
        String set = System.getProperty("bench.jar");
        if (set != null && !set.isBlank()) {
            return Path.of(set);
        }
        try (var files = java.nio.file.Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElse(Path.of("target/callbridge-runner.jar"));
        } catch (java.io.IOException e) {
            return Path.of("target/callbridge-runner.jar");
        }
    }

    private static int intProp(String name, int dflt) {
        return (int) longProp(name, dflt);
    }

    private static long longProp(String name, long dflt) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + v, e);
        }
    }
}
