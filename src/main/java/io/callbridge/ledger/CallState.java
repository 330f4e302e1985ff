package io.callbridge.ledger;

/**
 * Where a call stands in the ledger.
 * <pre>
 * (new) ─claim─► IN_PROGRESS ─► LOGGED | SKIPPED
 *                     │
 *                     └─ Pipedrive failed / time budget spent ─► PARKED ─(redelivery, replay, lease expiry)─► IN_PROGRESS
 *                                                                  │
 *                                                                  └─ older than the replay's maximum age ─► FAILED
 * </pre>
 * A later event of the same call (v2 call.summary after call.end) moves LOGGED back to IN_PROGRESS while the
 * activity is brought up to date.
 */
public enum CallState {
    IN_PROGRESS,
    LOGGED,
    SKIPPED,
    PARKED,
    /** Given up after the maximum replay age; listed for an admin, replayable on demand. */
    FAILED;

    public boolean finished() {
        return this == LOGGED || this == SKIPPED;
    }

    /**
     * The work queue a record in this state belongs to (the sparse {@code queue} index): unfinished calls are
     * "parked" (the replay picks them up when due), given-up calls "failed", finished calls none.
     */
    public String queue() {
        return switch (this) {
            case IN_PROGRESS, PARKED -> CallLedger.QUEUE_PARKED;
            case FAILED -> CallLedger.QUEUE_FAILED;
            case LOGGED, SKIPPED -> null;
        };
    }
}
