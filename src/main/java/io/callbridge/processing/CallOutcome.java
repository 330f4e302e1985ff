package io.callbridge.processing;

/**
 * What became of one delivery, as the webhook answers it and the log line records it.
 *
 * @param rule      the decision-table row (null when no decision was needed)
 * @param ownerRule how the owner was chosen (agent-email, default-owner-email, token-user, pipedrive-default)
 * @param detail    a short human explanation for parked, busy and skipped outcomes
 */
public record CallOutcome(Kind kind, String callKey, Long personId, Long dealId, Long activityId, String rule,
        String ownerRule, String detail) {

    public enum Kind {
        /** The call is in Pipedrive (created now, or brought up to date by a later event of the same call). */
        LOGGED,
        /** This exact delivery was seen before; nothing was written. */
        DUPLICATE,
        /** A policy says this call is not logged; recorded in the ledger. */
        SKIPPED,
        /** A well-formed event Callbridge does not act on. */
        IGNORED,
        /**
         * Not finished now (Pipedrive failing, rate-limited, or the time budget spent): the ledger keeps the call
         * with what is already written, and the replay (or a redelivery) continues it.
         */
        PARKED,
        /** Another delivery of the same call is writing it right now; this event is kept and merged in. */
        ACCEPTED,
        /** Given up after the replay's maximum age (only the replay reports this). */
        FAILED,
        /** No such call in the ledger (an admin asked for a call id that does not exist or has expired). */
        UNKNOWN
    }

    public static CallOutcome of(Kind kind, String callKey, String detail) {
        return new CallOutcome(kind, callKey, null, null, null, null, null, detail);
    }
}
