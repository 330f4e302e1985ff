package io.callbridge.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the benchmark ran on, and the memory of its own JVM. */
final class Machine {
    private Machine() {
    }

    static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPUs (nproc)", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("CPU model", firstMatch(Path.of("/proc/cpuinfo"), "model name\\s*:\\s*(.+)"));
        String memKb = firstMatch(Path.of("/proc/meminfo"), "MemTotal:\\s*(\\d+) kB");
        m.put("RAM", memKb.matches("\\d+") ? String.format("%.1f GiB", Long.parseLong(memKb) / 1024.0 / 1024.0) : memKb);
        m.put("JDK", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        m.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("Node.js (dynalite)", command("node", "--version") + ", dynalite "
                + firstMatch(Path.of("node_modules/dynalite/package.json"), "\"version\"\\s*:\\s*\"([^\"]+)\""));
        m.put("load average at start (1/5/15 min)", loadAverage());
        return m;
    }

    static String loadAverage() {
        return read(Path.of("/proc/loadavg")).strip().replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
    }

    /** Starts a fresh peak: heap pools' peak usage and the process' peak RSS (Linux: clear_refs 5). */
    static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak RSS then counts from the JVM's start
        }
    }

    /** Sum of the heap pools' peaks since {@link #resetPeaks()} (an upper bound of the true peak), in kB. */
    static long peakHeapKb() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum / 1024;
    }

    static long maxHeapKb() {
        return Runtime.getRuntime().maxMemory() / 1024;
    }

    static long peakRssKb() {
        return ColdStart.procStatusKb(Path.of("/proc/self/status"), "VmHWM:");
    }

    /** Time the JIT compilers have spent compiling so far (ms), or 0 where the JVM does not say. */
    static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Collections and their total pause time (ms) so far, over all collectors. */
    static long[] gc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    static String gcNames() {
        return String.join(" + ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
    }

    private static String firstMatch(Path file, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(read(file));
        return m.find() ? m.group(1).strip() : "unknown";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
