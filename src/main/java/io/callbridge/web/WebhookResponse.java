package io.callbridge.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The JSON body of every webhook answer. {@code status} is one of logged, duplicate, ignored, skipped (200),
 * parked or busy (503, MyOperator should deliver again), rejected (4xx, with {@code error} naming the problem).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookResponse(String status, String callId, Long personId, Long dealId, Long activityId,
        String eventType, String message, String error) {

    public static WebhookResponse rejected(String error) {
        return new WebhookResponse("rejected", null, null, null, null, null, null, error);
    }
}
