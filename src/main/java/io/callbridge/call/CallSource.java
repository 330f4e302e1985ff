package io.callbridge.call;

/** The MyOperator webhook family a call came from. */
public enum CallSource {
    /** v1 "After Call" webhook ({@code _ai}, {@code _ld} ...). */
    V1_AFTER_CALL,
    /** Webhook v2 envelope ({@code call.end} / {@code call.summary}). */
    V2_EVENT
}
