package io.callbridge.myoperator;

/**
 * A well-formed delivery we do not act on: v2 {@code call.initiated}, {@code call.dial_begin},
 * {@code call.answered}, dispositions, unknown {@code call.*} types and non-call channels (WhatsApp).
 *
 * @param eventId   v2 {@code event_id}, else {@code sessionId + ":" + eventType}, else (no id at all)
 *                  {@code eventType + ":sha256:" + digest of the event}; never null
 * @param sessionId the call's session id ({@code session_id}, else {@code payload.id}); may be null
 * @param reason    why it is ignored, for logs
 */
public record IgnoredEvent(String eventId, String eventType, String sessionId, String reason) implements WebhookDelivery {
}
