package io.callbridge.myoperator;

/** A well-formed MyOperator webhook delivery: either a finished call or an event we do not act on. */
public sealed interface WebhookDelivery permits CallDelivery, IgnoredEvent {

    /** The delivery's de-duplication id (see the implementations). */
    String eventId();

    /** {@code after-call} for v1, else the v2 {@code event_type} as received. */
    String eventType();
}
