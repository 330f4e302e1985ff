package io.callbridge.e2e;

import static io.callbridge.e2e.TestWorld.days;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFake.Activity;
import io.callbridge.testing.pipedrive.PipedriveFake.RecordedRequest;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Pipedrive economy of repeat callers, and the safety of the number → person memory behind it: a remembered
 * person is used only while Pipedrive still says the number is theirs, and nothing is created on its word alone.
 * Runs with the production users-list caching (the other end-to-end tests turn it off).
 */
@QuarkusTest
@TestProfile(CallerCacheTest.ProductionCaching.class)
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class CallerCacheTest {
    static final String NUMBER = "+919845012367";
    static final String TYPED = "+91 98450 12367";
    private static final AtomicInteger CALLS = new AtomicInteger();

    public static class ProductionCaching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("callbridge.users-cache-seconds", "1200");
        }
    }

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
    }

    /** Pipedrive requests and tokens one delivery cost. */
    record Cost(Reply reply, int requests, long tokens, List<String> routes) {
        long searches() {
            return routes.stream().filter(r -> r.contains("/persons/search")).count();
        }
    }

    Cost incoming(String number) {
        String id = "cache." + CALLS.incrementAndGet();
        return cost(() -> LambdaEvents.post("06-incoming-unknown-number-v2-call-end.json", e -> e.put("body",
                e.get("body").asText().replace("+919812345670", number).replace("s7.1767521720.2291", id)
                        .replace("event-9c41aa07d3b2e615", "event-" + id))));
    }

    Cost outgoing(String number) {
        String id = "cache.out." + CALLS.incrementAndGet();
        return cost(() -> LambdaEvents.post("03-outgoing-open-deal-v2-call-end.json", e -> e.put("body",
                e.get("body").asText().replace("+919833001199", number).replace("cb9.1767591601.118", id)
                        .replace("event-1d7f33ab90c4e288", "event-" + id))));
    }

    Cost cost(java.util.function.Supplier<Reply> post) {
        int before = pipedrive.requests().size();
        long tokens = pipedrive.tokensSpent();
        Reply reply = post.get();
        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals("logged", reply.field("status"), reply.body()::toString);
        List<RecordedRequest> made = pipedrive.requests();
        List<String> routes = made.subList(before, made.size()).stream().map(r -> r.method() + " " + r.path()).toList();
        return new Cost(reply, routes.size(), pipedrive.tokensSpent() - tokens, routes);
    }

    Activity activity(Reply reply) {
        return pipedrive.activity(reply.id("activityId")).orElseThrow();
    }

    @Test
    void aRepeatCallerWithAnOpenDealCostsThreeRequestsAndSevenTokens() {
        long asha = pipedrive.addPerson(null, "Asha Rao", TYPED);
        long deal = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        incoming("+919900000001"); // another caller first: the users list is read once for everyone

        Cost first = incoming(NUMBER);
        assertTrue(first.tokens() <= 35, () -> "a first-time caller: " + first);
        assertEquals(1, first.searches());
        Cost repeat = incoming(NUMBER);

        assertTrue(repeat.requests() <= 3, () -> "requests of a repeat call: " + repeat.routes());
        assertTrue(repeat.tokens() <= 16, () -> "tokens of a repeat call: " + repeat);
        assertEquals(0, repeat.searches(), repeat.routes()::toString);
        assertEquals(List.of("GET /api/v2/persons/" + asha, "GET /api/v2/deals/" + deal, "POST /api/v2/activities"),
                repeat.routes(), "re-read the person, re-read its only open deal, log the call");
        assertEquals(deal, activity(repeat.reply()).dealId());
        assertEquals(asha, activity(repeat.reply()).personId());
    }

    @Test
    void aNumberMovedToAnotherPersonIsLoggedOnTheNewPerson() {
        long asha = pipedrive.addPerson(null, "Asha Rao", TYPED);
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        incoming(NUMBER);

        pipedrive.setPersonPhones(asha, "+91 98450 99999");
        long ravi = pipedrive.addPerson(null, "Ravi Rao", "098450 12367");
        long raviDeal = pipedrive.addDeal(null, ravi, "Ravi – new", "open", days(1));
        Cost moved = incoming(NUMBER);

        assertEquals(ravi, activity(moved.reply()).personId());
        assertEquals(raviDeal, activity(moved.reply()).dealId());
        assertEquals(1, moved.searches(), "the remembered person no longer has the number: searched again");
        Cost next = incoming(NUMBER);
        assertEquals(0, next.searches(), "the new person is remembered");
        assertEquals(ravi, activity(next.reply()).personId());
    }

    @Test
    void aMergedPersonIsReplacedByTheSurvivorOfTheMerge() {
        long asha = pipedrive.addPerson(null, "Asha Rao", TYPED);
        long deal = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        long survivor = pipedrive.addPerson(null, "Asha R.", "+91 80 4000 1234");
        incoming(NUMBER);

        pipedrive.mergePersons(asha, survivor);
        Cost afterMerge = incoming(NUMBER);

        Activity a = activity(afterMerge.reply());
        assertEquals(survivor, a.personId());
        assertEquals(deal, a.dealId(), "the merged person's deal moved to the survivor");
        assertTrue(pipedrive.newPersons().isEmpty(), () -> "no person created: " + pipedrive.newPersons());
    }

    @Test
    void aDeletedPersonIsNeverUsedAndAnUnknownNumberIsTreatedAsNew() {
        long asha = pipedrive.addPerson(null, "Asha Rao", TYPED);
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        incoming(NUMBER);

        pipedrive.deletePerson(asha);
        Cost afterDelete = incoming(NUMBER);

        Activity a = activity(afterDelete.reply());
        assertTrue(a.personId() != asha, "a deleted person gets no call");
        assertEquals(1, pipedrive.newPersons().size(), "the number is unknown now: the incoming-unknown policy applies");
        assertEquals(a.personId(), pipedrive.newPersons().get(0).id());
    }

    /**
     * Callbridge remembers for ten minutes what it created for a new number (Pipedrive's search can lag), and a second
     * call adopts it. When a salesperson deletes that person and deal within those minutes, the memory must give way:
     * the next call is logged at once on a new person and deal, not parked again and again on the deleted ones.
     */
    @Test
    void aPersonAndDealCallbridgeCreatedAndSomeoneDeletedAreNotAdoptedAgain() {
        Cost first = incoming(NUMBER);
        long created = first.reply().id("personId");
        long createdDeal = first.reply().id("dealId");
        assertEquals(1, pipedrive.newPersons().size());

        pipedrive.deleteDeal(createdDeal);
        pipedrive.deletePerson(created);
        Cost afterDelete = incoming(NUMBER);

        Activity a = activity(afterDelete.reply());
        assertTrue(a.personId() != created, "a deleted person gets no call");
        assertTrue(a.dealId() != createdDeal, "a deleted deal gets no call");
        assertEquals(2, pipedrive.newPersons().size(), () -> "one new person for the number again: " + pipedrive.newPersons());

        Cost next = incoming(NUMBER);
        assertEquals(a.personId(), activity(next.reply()).personId(), "the new person is remembered");
        assertEquals(a.dealId(), activity(next.reply()).dealId());
        assertEquals(2, pipedrive.newPersons().size());
    }

    /** The same when only the created person was merged into another: the survivor and its deal get the call. */
    @Test
    void aPersonCallbridgeCreatedAndSomeoneMergedIsReplacedByTheSurvivor() {
        Cost first = incoming(NUMBER);
        long created = first.reply().id("personId");
        long createdDeal = first.reply().id("dealId");
        long survivor = pipedrive.addPerson(null, "Asha Rao", "+91 80 4000 1234");

        pipedrive.mergePersons(created, survivor);
        Cost afterMerge = incoming(NUMBER);

        Activity a = activity(afterMerge.reply());
        assertEquals(survivor, a.personId());
        assertEquals(createdDeal, a.dealId(), "the merged person's deal moved to the survivor");
        assertTrue(pipedrive.newPersons().isEmpty(),
                () -> "the created person was merged away and no other was created: " + pipedrive.newPersons());
    }

    @Test
    void aClosedDealIsNeverUsedAndTheNewestOpenDealIsFound() {
        long asha = pipedrive.addPerson(null, "Asha Rao", TYPED);
        long first = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        incoming(NUMBER);

        pipedrive.setDealStatus(first, "won");
        long second = pipedrive.addDeal(null, asha, "Asha – upsell", "open", days(0));
        Cost afterWin = incoming(NUMBER);

        assertEquals(second, activity(afterWin.reply()).dealId());
        assertEquals(0, afterWin.searches(), afterWin.routes()::toString);
    }

    @Test
    void withTheOnlyDealClosedAnIncomingCallSearchesBeforeCreatingADeal() {
        long asha = pipedrive.addPerson(null, "Asha Rao", TYPED);
        long first = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        incoming(NUMBER);

        pipedrive.setDealStatus(first, "lost");
        Cost afterLoss = incoming(NUMBER);

        Activity a = activity(afterLoss.reply());
        assertEquals(asha, a.personId());
        assertEquals(1, pipedrive.newDeals().size());
        assertEquals(pipedrive.newDeals().get(0).id(), a.dealId());
        assertEquals(1, afterLoss.searches(), "nothing is created on a remembered answer alone");

        Cost next = incoming(NUMBER);
        assertEquals(a.dealId(), activity(next.reply()).dealId(), "the created deal is remembered");
        assertEquals(0, next.searches(), next.routes()::toString);
    }

    @Test
    void aNumberSeveralPersonsShareIsSearchedOnEveryCall() {
        long a = pipedrive.addPerson(null, "Switchboard A", TYPED);
        long b = pipedrive.addPerson(null, "Switchboard B", "09845012367");
        long deal = pipedrive.addDeal(null, b, "B – open", "open", days(2));
        incoming(NUMBER);

        Cost second = incoming(NUMBER);

        assertEquals(1, second.searches(), "a shared number is not remembered");
        assertEquals(b, activity(second.reply()).personId(), "the person with an open deal, not the lowest id " + a);
        assertEquals(deal, activity(second.reply()).dealId());
    }

    @Test
    void anOutgoingCallToARememberedPersonWithoutDealIsLoggedOnThePersonWithoutSearching() {
        long neha = pipedrive.addPerson(null, "Neha Kapoor", "+91 98330 01199");
        outgoing("+919833001199");

        Cost repeat = outgoing("+919833001199");

        assertEquals(0, repeat.searches(), repeat.routes()::toString);
        Activity a = activity(repeat.reply());
        assertEquals(neha, a.personId());
        assertEquals(null, a.dealId());
        assertTrue(pipedrive.newDeals().isEmpty());
    }
}
