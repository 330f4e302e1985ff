package io.callbridge.ledger;

/**
 * What one piece of work (a delivery) spent on DynamoDB: requests and time, counted per thread by
 * {@link DynamoDbTiming} (an SDK execution interceptor, so every client call is counted, retries and marshalling
 * included). Read by the per-call log line, next to {@link io.callbridge.pipedrive.PipedriveUsage}.
 */
public final class DynamoDbUsage {
    /** Requests made and nanoseconds spent waiting for them. */
    public record Usage(int requests, long nanos) {
        public static final Usage NONE = new Usage(0, 0);

        Usage plus(long nanos) {
            return new Usage(requests + 1, this.nanos + nanos);
        }
    }

    private static final ThreadLocal<Usage> CURRENT = ThreadLocal.withInitial(() -> Usage.NONE);

    private DynamoDbUsage() {
    }

    /** Starts counting afresh for this thread's next piece of work. */
    public static void reset() {
        CURRENT.set(Usage.NONE);
    }

    public static Usage current() {
        return CURRENT.get();
    }

    static void record(long nanos) {
        CURRENT.set(CURRENT.get().plus(nanos));
    }
}
