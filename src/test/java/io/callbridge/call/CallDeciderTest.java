package io.callbridge.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.callbridge.call.CallPlan.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decision table, row by row: direction × what the CRM holds × policies → plan. */
class CallDeciderTest {

    @ParameterizedTest(name = "{0} + {1} (outgoing-without-deal={2}, outgoing-unknown={3}) -> {4}")
    @CsvSource({
            // direction, crm, withoutDealPolicy, unknownPolicy, action, personId, dealId, rule
            "INCOMING, DEAL,    LOG_ON_PERSON, SKIP,                   LOG_ON_DEAL,                    7, 70, incoming-open-deal",
            "INCOMING, PERSON,  LOG_ON_PERSON, SKIP,                   CREATE_DEAL_AND_LOG,            7,   , incoming-no-open-deal",
            "INCOMING, NOBODY,  LOG_ON_PERSON, SKIP,                   CREATE_PERSON_AND_DEAL_AND_LOG,  ,   , incoming-unknown-number",
            // incoming ignores the outgoing policies entirely
            "INCOMING, PERSON,  SKIP,          SKIP,                   CREATE_DEAL_AND_LOG,            7,   , incoming-no-open-deal",
            "INCOMING, NOBODY,  SKIP,          CREATE_PERSON,          CREATE_PERSON_AND_DEAL_AND_LOG,  ,   , incoming-unknown-number",
            "OUTGOING, DEAL,    SKIP,          SKIP,                   LOG_ON_DEAL,                    7, 70, outgoing-open-deal",
            "OUTGOING, PERSON,  LOG_ON_PERSON, SKIP,                   LOG_ON_PERSON,                  7,   , outgoing-no-open-deal:log-on-person",
            "OUTGOING, PERSON,  CREATE_DEAL,   SKIP,                   CREATE_DEAL_AND_LOG,            7,   , outgoing-no-open-deal:create-deal",
            "OUTGOING, PERSON,  SKIP,          SKIP,                   SKIP,                           7,   , outgoing-no-open-deal:skip",
            "OUTGOING, NOBODY,  LOG_ON_PERSON, SKIP,                   SKIP,                            ,   , outgoing-unknown-number:skip",
            "OUTGOING, NOBODY,  LOG_ON_PERSON, CREATE_PERSON,          CREATE_PERSON_AND_LOG,           ,   , outgoing-unknown-number:create-person",
            "OUTGOING, NOBODY,  LOG_ON_PERSON, CREATE_PERSON_AND_DEAL, CREATE_PERSON_AND_DEAL_AND_LOG,  ,   , outgoing-unknown-number:create-person-and-deal",
    })
    void row(Direction direction, String crm, OutgoingWithoutDealPolicy withoutDeal, OutgoingUnknownPolicy unknown,
            Action action, Long personId, Long dealId, String rule) {
        CrmMatch match = switch (crm) {
            case "DEAL" -> CrmMatch.personWithOpenDeal(7, 70);
            case "PERSON" -> CrmMatch.personWithoutOpenDeal(7);
            default -> CrmMatch.noPerson();
        };
        CallPlan plan = CallDecider.decide(direction, match, new CallPolicies(withoutDeal, unknown));
        assertEquals(new CallPlan(action, personId, dealId, rule), plan);
    }

    @ParameterizedTest
    @CsvSource({
            "LOG_ON_DEAL, false, false, true, true",
            "LOG_ON_PERSON, false, false, true, false",
            "CREATE_DEAL_AND_LOG, false, true, true, true",
            "CREATE_PERSON_AND_LOG, true, false, true, false",
            "CREATE_PERSON_AND_DEAL_AND_LOG, true, true, true, true",
            "SKIP, false, false, false, false",
    })
    void planShapes(Action action, boolean createsPerson, boolean createsDeal, boolean logs, boolean onDeal) {
        CallPlan plan = new CallPlan(action, null, null, "r");
        assertEquals(createsPerson, plan.createsPerson());
        assertEquals(createsDeal, plan.createsDeal());
        assertEquals(logs, plan.logsActivity());
        assertEquals(onDeal, plan.onDeal());
    }
}
