package io.callbridge.ledger;

/**
 * Where a call stands in the ledger.
 * <pre>
 * (new) ─claim─► IN_PROGRESS ─► LOGGED | SKIPPED
 *                     │
 *                     └─ Pipedrive failed ─► PARKED ─(redelivery / lease expiry)─► IN_PROGRESS
 * </pre>
 * A later event of the same call (v2 call.summary after call.end) moves LOGGED back to IN_PROGRESS while the
 * activity is brought up to date.
 */
public enum CallState {
    IN_PROGRESS,
    LOGGED,
    SKIPPED,
    PARKED;

    public boolean finished() {
        return this == LOGGED || this == SKIPPED;
    }
}
