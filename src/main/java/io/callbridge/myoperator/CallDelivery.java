package io.callbridge.myoperator;

import io.callbridge.call.Call;
import java.util.Objects;

/**
 * A delivery describing a finished call.
 *
 * @param eventId   v2 {@code event_id} (or, when absent, {@code sessionId + ":" + eventType}); v1: the call id
 * @param eventType {@code after-call} for v1, else the v2 {@code event_type}
 */
public record CallDelivery(Call call, String eventId, String eventType) implements WebhookDelivery {

    /** The event type of every v1 After Call delivery. */
    public static final String V1_AFTER_CALL = "after-call";

    public CallDelivery {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventType, "eventType");
    }
}
