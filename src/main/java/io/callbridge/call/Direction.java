package io.callbridge.call;

/** Which side started the call, seen from the company. */
public enum Direction {
    INCOMING,
    OUTGOING;

    public String adjective() {
        return this == INCOMING ? "inbound" : "outbound";
    }
}
