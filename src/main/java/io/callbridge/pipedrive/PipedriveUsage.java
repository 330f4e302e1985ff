package io.callbridge.pipedrive;

/**
 * What one piece of work (a delivery, a replayed call) spent on Pipedrive: requests, API tokens (Pipedrive's
 * documented cost of each endpoint; the daily budget is counted in these) and time. Counted per thread by the
 * gateway; read by the per-call log line and its metrics.
 */
public final class PipedriveUsage {
    /**
     * Requests, tokens and time spent: {@code nanos} inside requests, {@code waitNanos} waiting around requests
     * (back-off between attempts, a {@code Retry-After} of the rate limit, a slot under the shared client-side limits).
     * Time is summed in nanoseconds: per-request milliseconds would lose up to 1 ms per request, too much to tell the
     * code's own overhead from the time it waits for Pipedrive.
     */
    public record Usage(int requests, int tokens, long nanos, long waitNanos) {
        public static final Usage NONE = new Usage(0, 0, 0, 0);

        /** Time inside requests, whole milliseconds. */
        public long millis() {
            return nanos / 1_000_000;
        }

        Usage plus(int tokens, long nanos) {
            return new Usage(requests + 1, this.tokens + tokens, this.nanos + nanos, waitNanos);
        }

        Usage waited(long nanos) {
            return new Usage(requests, tokens, this.nanos, waitNanos + Math.max(0, nanos));
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

    static void record(int tokens, long nanos) {
        CURRENT.set(CURRENT.get().plus(tokens, nanos));
    }

    static void recordWait(long nanos) {
        CURRENT.set(CURRENT.get().waited(nanos));
    }
}
