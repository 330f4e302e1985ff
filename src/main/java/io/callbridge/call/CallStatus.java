package io.callbridge.call;

/**
 * How a call ended. The order is the "never backwards" order: a later event may move a call from
 * MISSED to VOICEMAIL or ANSWERED, never the other way.
 */
public enum CallStatus {
    MISSED,
    VOICEMAIL,
    ANSWERED;

    public boolean isAtLeast(CallStatus other) {
        return compareTo(other) >= 0;
    }

    public static CallStatus mostAdvanced(CallStatus a, CallStatus b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAtLeast(b) ? a : b;
    }
}
