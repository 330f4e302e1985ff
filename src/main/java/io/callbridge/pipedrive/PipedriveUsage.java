package io.callbridge.pipedrive;

/**
 * What one piece of work (a delivery, a replayed call) spent on Pipedrive: requests, API tokens (Pipedrive's
 * documented cost of each endpoint; the daily budget is counted in these) and time. Counted per thread by the
 * gateway; read by the per-call log line and its metrics.
 */
public final class PipedriveUsage {
    /** Requests, tokens and milliseconds spent. */
    public record Usage(int requests, int tokens, long millis) {
        public static final Usage NONE = new Usage(0, 0, 0);

        Usage plus(int tokens, long millis) {
            return new Usage(requests + 1, this.tokens + tokens, this.millis + millis);
        }
    }

    private static final ThreadLocal<Usage> CURRENT = ThreadLocal.withInitial(() -> Usage.NONE);

    private PipedriveUsage() {
    }

    /** Starts counting afresh for this thread's next piece of work. */
    public static void reset() {
        CURRENT.set(Usage.NONE);
    }

    public static Usage current() {
        return CURRENT.get();
    }

    static void record(int tokens, long millis) {
        CURRENT.set(CURRENT.get().plus(tokens, millis));
    }
}
