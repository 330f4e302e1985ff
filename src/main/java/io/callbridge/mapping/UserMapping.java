package io.callbridge.mapping;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/**
 * One MyOperator user and the Pipedrive user who owns their calls.
 *
 * @param key               uuid, else user id (see {@link #keyOf})
 * @param email             normalised (see {@link Emails#normalise})
 * @param phones            E.164
 * @param pipedriveUserId   null when not matched (unmatched, ambiguous, or the Pipedrive user is disabled)
 * @param status            {@link #MATCHED}, {@link #UNMATCHED}, {@link #AMBIGUOUS} or {@link #SEEN} (known from
 *                          webhooks only, not matched by a sync yet)
 * @param reason            why the row is not matched (null when matched)
 * @param myOperatorActive  false when the user is disabled in MyOperator or no longer listed (left)
 * @param pipedriveActive   whether the matched Pipedrive user is active (null when none)
 * @param source            {@code myoperator-api} or {@code webhook}
 */
@RegisterForReflection
public record UserMapping(String key, String uuid, String userId, String name, String email, List<String> phones,
        Long pipedriveUserId, String status, String reason, boolean myOperatorActive, Boolean pipedriveActive,
        String source, Instant firstSeen, Instant lastSeen) {

    public static final String MATCHED = "matched";
    public static final String UNMATCHED = "unmatched";
    public static final String AMBIGUOUS = "ambiguous";
    public static final String SEEN = "seen";
    public static final String SOURCE_API = "myoperator-api";
    public static final String SOURCE_WEBHOOK = "webhook";

    public UserMapping {
        phones = phones == null ? List.of() : List.copyOf(phones);
    }

    public static String keyOf(String uuid, String userId) {
        if (uuid != null && !uuid.isBlank()) {
            return uuid.trim();
        }
        return userId != null && !userId.isBlank() ? "id:" + userId.trim() : null;
    }

    /** Whether this row is the MyOperator user with this id (uuid or user id). */
    public boolean hasId(String id) {
        return id != null && (id.equals(uuid) || id.equals(userId));
    }

    /** The user as a sync input (for plans without API access: the agents seen in webhooks). */
    public MyOperatorUser asUser() {
        return new MyOperatorUser(uuid, userId, name, email, phones, myOperatorActive);
    }
}
