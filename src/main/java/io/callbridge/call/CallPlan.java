package io.callbridge.call;

/**
 * What to write to the CRM for one call: the outcome of the decision table.
 *
 * @param action   the shape of the write
 * @param personId the existing person to use (null when one is created or the call is skipped)
 * @param dealId   the existing deal to log on (only for {@link Action#LOG_ON_DEAL})
 * @param rule     a short, stable name of the table row that chose this plan (kept in the ledger and logs)
 */
public record CallPlan(Action action, Long personId, Long dealId, String rule) {

    public enum Action {
        /** Call activity on an existing open deal. */
        LOG_ON_DEAL,
        /** Call activity with the existing person as participant, no deal. */
        LOG_ON_PERSON,
        /** New deal for the existing person, the call as its first activity. */
        CREATE_DEAL_AND_LOG,
        /** New person, call activity on the person, no deal. */
        CREATE_PERSON_AND_LOG,
        /** New person, new deal, the call as the deal's first activity. */
        CREATE_PERSON_AND_DEAL_AND_LOG,
        /** Nothing is written to the CRM. */
        SKIP
    }

    public boolean createsPerson() {
        return action == Action.CREATE_PERSON_AND_LOG || action == Action.CREATE_PERSON_AND_DEAL_AND_LOG;
    }

    public boolean createsDeal() {
        return action == Action.CREATE_DEAL_AND_LOG || action == Action.CREATE_PERSON_AND_DEAL_AND_LOG;
    }

    public boolean logsActivity() {
        return action != Action.SKIP;
    }

    /** Whether the activity belongs on a deal (an existing one or one this plan creates). */
    public boolean onDeal() {
        return action == Action.LOG_ON_DEAL || createsDeal();
    }
}
