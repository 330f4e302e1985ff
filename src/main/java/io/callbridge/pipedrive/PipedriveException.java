package io.callbridge.pipedrive;

import java.time.Duration;

/**
 * A failed Pipedrive request, reduced to what decides the next step: retry, wait, park or give up.
 * The message never contains the API token nor a whole HTML page.
 */
public class PipedriveException extends RuntimeException {
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
