package io.callbridge.web;

import java.io.PrintStream;

/** Test access to where {@link CallMetrics} prints its EMF documents (the benchmark keeps them but discards the text). */
public final class MetricsOutput {
    private MetricsOutput() {
    }

    public static void redirect(CallMetrics metrics, PrintStream out, boolean enabled) {
        metrics.out = out;
        metrics.enabled = enabled;
    }

    public static void restore(CallMetrics metrics, boolean enabled) {
        metrics.out = System.out;
        metrics.enabled = enabled;
    }
}
