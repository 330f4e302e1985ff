package io.callbridge.pipedrive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The time one piece of work may spend talking to Pipedrive (e.g. the webhook's acknowledgement budget).
 * The gateway reads it before every request and every rate-limit wait: a wait that would overrun the budget is
 * not made, and a spent budget stops the work with {@link Spent}, so the caller can park it and answer on time.
 */
public final class TimeBudget {
    private static final ThreadLocal<Instant> DEADLINE = new ThreadLocal<>();
    private static final ThreadLocal<String> LAST_FAILURE = new ThreadLocal<>();
    static Clock clock = Clock.systemUTC();

    private TimeBudget() {
    }

    /** Runs work with a deadline; nested calls keep the earlier deadline. */
    public static <T> T within(Instant deadline, Supplier<T> work) {
        Instant outer = DEADLINE.get();
        DEADLINE.set(outer != null && outer.isBefore(deadline) ? outer : deadline);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                DEADLINE.remove();
                LAST_FAILURE.remove();
            } else {
                DEADLINE.set(outer);
            }
        }
    }

    /** Milliseconds left, or {@link Long#MAX_VALUE} when no budget applies. */
    public static long remainingMs() {
        Instant d = DEADLINE.get();
        return d == null ? Long.MAX_VALUE : Duration.between(clock.instant(), d).toMillis();
    }

    /** Throws {@link Spent} when less than {@code reserveMs} is left. */
    public static void require(long reserveMs, String before) {
        if (remainingMs() < reserveMs) {
            String last = LAST_FAILURE.get();
            throw new Spent(before + (last == null ? "" : " (last Pipedrive answer: " + last + ")"));
        }
    }

    /** Remembers the latest Pipedrive failure of this work, so a spent budget can say what ate it. */
    public static void noteFailure(String message) {
        LAST_FAILURE.set(message);
    }

    /** The budget ran out; the work is unfinished but nothing is lost (it is checkpointed). */
    public static final class Spent extends RuntimeException {
        public Spent(String before) {
            super("time budget used up before " + before, null, false, false);
        }
    }
}
