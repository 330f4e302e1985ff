package io.callbridge.pipedrive;

import java.time.Duration;

/**
 * A failed Pipedrive request, reduced to what decides the next step: retry, wait, park or give up.
 * The message never contains the API token nor a whole HTML page.
 */
public class PipedriveException extends RuntimeException {
    /** The code of a request Callbridge's own rate limiter held back (it never reached Pipedrive). */
    public static final String PACED = "callbridge_rate_limiter";

    /** HTTP status, or 0 when no answer came back (timeout, refused or dropped connection). */
    private final int status;
    private final String code;
    private final Duration retryAfter;
    private final boolean dailyBudgetExhausted;

    public PipedriveException(int status, String code, String message, Duration retryAfter, boolean dailyBudgetExhausted) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
        this.dailyBudgetExhausted = dailyBudgetExhausted;
    }

    public static PipedriveException unreachable(String what, Throwable cause) {
        String reason = describe(cause);
        PipedriveException e = new PipedriveException(0, null, "Pipedrive did not answer " + what + " (" + reason + ")",
                null, false);
        e.initCause(cause);
        return e;
    }

    /**
     * A request the shared rate limiter could not give a slot within the wait the work can afford: it was not sent.
     * It reads as a burst 429 with a Retry-After, so the call is parked and the replay tries it again; it is never a
     * reason to fail a call.
     */
    public static PipedriveException paced(String what, long waitMs) {
        long seconds = Math.max(1, (waitMs + 999) / 1000);
        return new PipedriveException(429, PACED, "Pipedrive's rate limit: Callbridge's limiter has no free request"
                + " slot for " + what + " within the wait this work can afford (the next one is in " + waitMs + " ms)",
                Duration.ofSeconds(seconds), false);
    }

    /** A reader's word for a network failure (no Java class names in answers or logs). */
    private static String describe(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
            if (name.contains("timeout")) {
                return "timed out";
            }
            if (name.contains("connect")) {
                return "connection refused or failed";
            }
            if (name.contains("closed") || name.contains("reset") || name.contains("eof")) {
                return "connection closed without an answer";
            }
        }
        return "no answer";
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean dailyBudgetExhausted() {
        return dailyBudgetExhausted;
    }

    public boolean rateLimited() {
        return status == 429;
    }

    /** Held back by Callbridge's own limiter, not answered by Pipedrive (see {@link #paced}). */
    public boolean paced() {
        return PACED.equals(code);
    }

    /** Worth another try soon: burst rate limit, server error or no answer. */
    public boolean transientFailure() {
        return (status == 429 && !dailyBudgetExhausted) || status == 0 || status >= 500;
    }

    /**
     * A write that failed this way may still have been stored by Pipedrive (no answer, or a 5xx after the
     * write), so the object must be looked for before it is created again.
     */
    public boolean writeMayHaveHappened() {
        return status == 0 || status >= 500;
    }

    public boolean notFound() {
        return status == 404 || status == 410;
    }

    public boolean dealLimitReached() {
        return status == 403 && "feature_capping_deals_limit".equals(code);
    }
}
