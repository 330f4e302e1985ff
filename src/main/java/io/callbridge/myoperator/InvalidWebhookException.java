package io.callbridge.myoperator;

/**
 * A delivery that cannot be turned into a call. The message is a user-facing sentence that names the
 * offending field and the problem (it is returned to the sender and logged); it never carries a stack
 * trace or Java class names.
 */
public final class InvalidWebhookException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidWebhookException(String message) {
        // No cause, no suppression, no stack trace: this is an expected outcome, not a bug.
        super(message, null, false, false);
    }
}
