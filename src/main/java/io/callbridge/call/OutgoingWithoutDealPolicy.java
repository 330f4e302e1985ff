package io.callbridge.call;

/** What an outgoing call to a known person without an open deal does ({@code CALLBRIDGE_OUTGOING_WITHOUT_DEAL}). */
public enum OutgoingWithoutDealPolicy {
    /** Default: a call activity with the person as participant and no deal. */
    LOG_ON_PERSON,
    /** A new deal for the person; the call is its first activity. */
    CREATE_DEAL,
    /** Nothing is written; the call is recorded as skipped. */
    SKIP
}
