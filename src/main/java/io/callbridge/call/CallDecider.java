package io.callbridge.call;

import io.callbridge.call.CallPlan.Action;

/**
 * The integration's decision table, as a pure function of the call's direction, what the CRM holds
 * for the number, and the configured policies.
 *
 * <pre>
 * direction | CRM holds                  | plan
 * ----------+----------------------------+-------------------------------------------------------
 * incoming  | person with open deal      | LOG_ON_DEAL (most recently updated open deal)
 * incoming  | person, no open deal       | CREATE_DEAL_AND_LOG
 * incoming  | no person                  | CREATE_PERSON_AND_DEAL_AND_LOG
 * outgoing  | person with open deal      | LOG_ON_DEAL
 * outgoing  | person, no open deal       | per OutgoingWithoutDealPolicy: LOG_ON_PERSON | CREATE_DEAL_AND_LOG | SKIP
 * outgoing  | no person                  | per OutgoingUnknownPolicy: SKIP | CREATE_PERSON_AND_LOG | CREATE_PERSON_AND_DEAL_AND_LOG
 * </pre>
 */
public final class CallDecider {
    private CallDecider() {
    }

    public static CallPlan decide(Direction direction, CrmMatch crm, CallPolicies policies) {
        if (crm.hasOpenDeal()) {
            return new CallPlan(Action.LOG_ON_DEAL, crm.personId(), crm.openDealId(),
                    direction == Direction.INCOMING ? "incoming-open-deal" : "outgoing-open-deal");
        }
        if (direction == Direction.INCOMING) {
            return crm.hasPerson()
                    ? new CallPlan(Action.CREATE_DEAL_AND_LOG, crm.personId(), null, "incoming-no-open-deal")
                    : new CallPlan(Action.CREATE_PERSON_AND_DEAL_AND_LOG, null, null, "incoming-unknown-number");
        }
        if (crm.hasPerson()) {
            return switch (policies.outgoingWithoutDeal()) {
                case LOG_ON_PERSON -> new CallPlan(Action.LOG_ON_PERSON, crm.personId(), null,
                        "outgoing-no-open-deal:log-on-person");
                case CREATE_DEAL -> new CallPlan(Action.CREATE_DEAL_AND_LOG, crm.personId(), null,
                        "outgoing-no-open-deal:create-deal");
                case SKIP -> new CallPlan(Action.SKIP, crm.personId(), null, "outgoing-no-open-deal:skip");
            };
        }
        return switch (policies.outgoingUnknown()) {
            case SKIP -> new CallPlan(Action.SKIP, null, null, "outgoing-unknown-number:skip");
            case CREATE_PERSON -> new CallPlan(Action.CREATE_PERSON_AND_LOG, null, null,
                    "outgoing-unknown-number:create-person");
            case CREATE_PERSON_AND_DEAL -> new CallPlan(Action.CREATE_PERSON_AND_DEAL_AND_LOG, null, null,
                    "outgoing-unknown-number:create-person-and-deal");
        };
    }
}
