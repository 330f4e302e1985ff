package io.callbridge.myoperator;

/** The MyOperator API did not give a usable answer (HTTP error, {@code "status": "error"}, unreachable, bad JSON). */
public class MyOperatorException extends RuntimeException {
    private final int status;

    public MyOperatorException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status; 0 when there was no HTTP answer. */
    public int status() {
        return status;
    }
}
