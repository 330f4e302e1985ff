package io.callbridge.e2e;

import static io.callbridge.e2e.TestWorld.ADMIN;
import static io.callbridge.e2e.TestWorld.ARJUN;
import static io.callbridge.e2e.TestWorld.PRIYA;
import static io.callbridge.e2e.TestWorld.days;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFake.Activity;
import io.callbridge.testing.pipedrive.PipedriveFake.Deal;
import io.callbridge.testing.pipedrive.PipedriveFake.Person;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The integration's verification steps end to end: the files of {@code events/} go through the real Lambda
 * handler (mock event server), the ledger lives in dynalite/LocalStack, and the final state of a stateful
 * Pipedrive fake is asserted.
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class CallLoggingEndToEndTest {

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
    }

    @Test
    void incomingCallFromPersonWithOpenDealIsLoggedOnTheMostRecentlyUpdatedOpenDeal() {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+91 98450 12367");
        long older = pipedrive.addDeal(null, asha, "Asha – old open deal", "open", days(40));
        long recent = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        pipedrive.addDeal(null, asha, "Asha – won last week", "won", days(1));

        Reply reply = LambdaEvents.post("01-incoming-open-deal-v1-form.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals("logged", reply.field("status"));
        assertEquals("6a1f0c3b9d2e4411", reply.field("callId"));
        Activity a = onlyActivity();
        assertEquals(recent, a.dealId());
        assertFalse(a.dealId() == older);
        assertEquals(asha, a.personId());
        assertEquals(List.of(Map.of("person_id", asha, "primary", true)), participants(a));
        assertEquals("call", a.type());
        assertEquals(PRIYA, a.ownerId());
        assertEquals("2026-01-04", a.dueDate());
        assertEquals("08:00", a.dueTime());
        assertEquals("00:01", a.duration());
        assertTrue(a.done());
        assertEquals("Inbound call – 1 min", a.subject());
        for (String part : List.of("Inbound", "+91 98450 12367", "Priya Nair", "Sales",
                "0f3a9e7d2c1b4a5968e7d6c5b4a39281-v2.mp3", "MyOperator call id: 6a1f0c3b9d2e4411", "answered")) {
            assertTrue(a.note().contains(part), () -> "note lacks " + part + ": " + a.note());
        }
        assertEquals(a.id(), reply.id("activityId"));
        assertEquals(recent, reply.id("dealId"));
        assertTrue(pipedrive.newPersons().isEmpty());
        assertTrue(pipedrive.newDeals().isEmpty());
        assertTrue(pipedrive.violations().isEmpty(), () -> pipedrive.violations().toString());
    }

    @Test
    void incomingCallFromPersonWithoutOpenDealCreatesADealWithTheCallAsFirstActivity() {
        long vikram = pipedrive.addPerson(null, "Vikram Shah", "9900123456");
        long won = pipedrive.addDeal(null, vikram, "Vikram – won", "won", days(2));

        Reply reply = LambdaEvents.post("02-incoming-no-open-deal-v1-json.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals("logged", reply.field("status"));
        Deal deal = only(pipedrive.newDeals());
        assertEquals(vikram, deal.personId());
        assertEquals("open", deal.status());
        assertEquals("Inbound call – +91 99001 23456", deal.title());
        assertEquals(PRIYA, deal.ownerId(), "the last agent tried owns a missed call");
        Activity a = onlyActivity();
        assertEquals(deal.id(), a.dealId());
        assertFalse(a.dealId() == won);
        assertEquals(vikram, a.personId());
        assertEquals("Missed inbound call", a.subject());
        assertFalse(a.done(), "a missed call is a follow-up");
        assertNull(a.duration());
        assertEquals(PRIYA, a.ownerId());
        assertEquals("2026-01-04", a.dueDate());
        assertEquals("09:00", a.dueTime());
        assertTrue(pipedrive.newPersons().isEmpty());
    }

    @Test
    void outgoingCallWithOpenDealV2EndThenSummaryIsOneActivityOwnedByTheAnsweringAgent() {
        long neha = pipedrive.addPerson(null, "Neha Kapoor", "(+91) 98330-01199");
        long deal = pipedrive.addDeal(null, neha, "Neha – onboarding", "open", days(5));

        Reply end = LambdaEvents.post("03-outgoing-open-deal-v2-call-end.json");
        assertEquals(200, end.status(), end.body()::toString);
        assertEquals("logged", end.field("status"));
        Activity first = onlyActivity();
        assertEquals(deal, first.dealId());
        assertEquals(ADMIN, first.ownerId(), "call.end names no agent e-mail: the default owner until the summary");

        Reply summary = LambdaEvents.post("04-outgoing-open-deal-v2-call-summary.json");
        assertEquals(200, summary.status(), summary.body()::toString);
        assertEquals("logged", summary.field("status"));
        assertEquals(end.id("activityId"), summary.id("activityId"));

        Activity a = onlyActivity();
        assertEquals(first.id(), a.id());
        assertEquals(PRIYA, a.ownerId());
        assertEquals(deal, a.dealId());
        assertEquals("Outbound call – 3 min", a.subject());
        assertEquals("00:03", a.duration());
        assertEquals("2026-01-05", a.dueDate());
        assertEquals("05:40", a.dueTime());
        assertTrue(a.done());
        assertTrue(a.note().contains("Priya Nair"), a.note());
        assertTrue(a.note().contains("a81c5e0f2b9d4c77-v2.mp3"), a.note());
        assertTrue(pipedrive.newDeals().isEmpty());
    }

    @Test
    void v2SummaryBeforeEndStillGivesOneActivityAndNothingGoesBackwards() {
        long neha = pipedrive.addPerson(null, "Neha Kapoor", "+919833001199");
        pipedrive.addDeal(null, neha, "Neha – onboarding", "open", days(5));

        assertEquals("logged", LambdaEvents.post("04-outgoing-open-deal-v2-call-summary.json").field("status"));
        assertEquals("logged", LambdaEvents.post("03-outgoing-open-deal-v2-call-end.json").field("status"));

        Activity a = onlyActivity();
        assertEquals(PRIYA, a.ownerId(), "the agent-less call.end must not take the owner away");
        assertTrue(a.note().contains("+91 80 4712 3456"), "call.end adds the DID the summary lacked: " + a.note());
        assertTrue(a.done());

        // MyOperator sends the summary again under a new event id: nothing new, so nothing is written
        long writes = pipedrive.writes();
        Reply again = LambdaEvents.post("04-outgoing-open-deal-v2-call-summary.json",
                e -> e.put("body", e.get("body").asText().replace("event-1d7f33ab90c4e299", "event-resent-0001")));
        assertEquals("logged", again.field("status"));
        assertEquals(writes, pipedrive.writes());
        assertEquals(a.id(), onlyActivity().id());
    }

    @Test
    void concurrentDeliveriesOfOneCallLogItOnce() throws Exception {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Reply>> replies = pool.invokeAll(java.util.Collections.nCopies(8,
                    () -> LambdaEvents.post("01-incoming-open-deal-v1-form.json")));
            long logged = 0;
            for (var f : replies) {
                Reply r = f.get();
                assertTrue(List.of("logged", "duplicate").contains(r.field("status")), r.body()::toString);
                logged += "logged".equals(r.field("status")) ? 1 : 0;
            }
            assertEquals(1, logged);
        } finally {
            pool.shutdownNow();
        }
        onlyActivity();
    }

    @Test
    void outgoingCallToPersonWithoutOpenDealIsLoggedOnThePersonByDefault() {
        long rahul = pipedrive.addPerson(null, "Rahul Verma", "09767001234");
        pipedrive.addDeal(null, rahul, "Rahul – lost", "lost", days(1));

        Reply reply = LambdaEvents.post("05-outgoing-no-open-deal-v1-form.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals("logged", reply.field("status"));
        Activity a = onlyActivity();
        assertNull(a.dealId());
        assertEquals(rahul, a.personId());
        assertEquals(ARJUN, a.ownerId());
        assertFalse(a.done());
        assertEquals("Missed outbound call (no answer)", a.subject());
        assertTrue(pipedrive.newDeals().isEmpty());
        assertTrue(pipedrive.newPersons().isEmpty());
    }

    @Test
    void incomingCallFromUnknownNumberCreatesPersonDealAndActivity() {
        Reply reply = LambdaEvents.post("06-incoming-unknown-number-v2-call-end.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        Person person = only(pipedrive.newPersons());
        assertEquals("+91 98123 45670", person.name());
        assertEquals(List.of("+919812345670"), person.phones());
        Deal deal = only(pipedrive.newDeals());
        assertEquals(person.id(), deal.personId());
        Activity a = onlyActivity();
        assertEquals(deal.id(), a.dealId());
        assertEquals(person.id(), a.personId());
        assertEquals(ADMIN, a.ownerId(), "nobody answered and no agent was tried: the default owner");
        assertEquals("2026-01-04", a.dueDate());
        assertEquals("10:15", a.dueTime());
        assertEquals(person.id(), reply.id("personId"));
    }

    @Test
    void aVoicemailIsAnOpenFollowUpForTheAgentTheCallRang() {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        long deal = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));

        Reply reply = LambdaEvents.post("10-incoming-voicemail-v1-form.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        Activity a = onlyActivity();
        assertEquals(deal, a.dealId());
        assertEquals("Voicemail – inbound call", a.subject());
        assertFalse(a.done());
        assertNull(a.duration());
        assertEquals(PRIYA, a.ownerId());
        assertTrue(a.note().contains("voicemail") && a.note().contains("5e1d2c3b4a59687766554433221100ff-v2.mp3"), a.note());
    }

    @Test
    void aTransferredCallBelongsToTheAgentWhoFinallyAnswered() {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));

        Reply reply = LambdaEvents.post("11-incoming-transferred-v1-json.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        Activity a = onlyActivity();
        assertEquals(TestWorld.ROHAN, a.ownerId());
        assertEquals("00:04", a.duration());
        assertTrue(a.done());
        assertTrue(a.note().contains("Answered by: Rohan Das") && a.note().contains("Priya Nair"), a.note());
    }

    @Test
    void aDispositionEventIsIgnored() {
        Reply reply = LambdaEvents.post("12-incoming-v2-disposition-ignored.json");
        assertEquals(200, reply.status());
        assertEquals("ignored", reply.field("status"));
        assertTrue(pipedrive.requests().isEmpty());
    }

    @Test
    void outgoingCallToUnknownNumberIsSkippedWithoutAnyWrite() {
        Reply reply = LambdaEvents.post("09-outgoing-unknown-number-v1-json.json");

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals("skipped", reply.field("status"));
        assertEquals(0, pipedrive.writes());
        assertTrue(pipedrive.activities().isEmpty());
        // a skipped call stays skipped: the redelivery is a duplicate
        assertEquals("duplicate", LambdaEvents.post("09-outgoing-unknown-number-v1-json.json").field("status"));
    }

    @Test
    void otherV2EventsAreIgnoredWithoutTouchingPipedrive() {
        Reply reply = LambdaEvents.post("08-outgoing-v2-call-answered-ignored.json");

        assertEquals(200, reply.status());
        assertEquals("ignored", reply.field("status"));
        assertEquals("call.answered", reply.field("eventType"));
        assertTrue(pipedrive.requests().isEmpty());
    }

    @Test
    void aRepeatedDeliveryIsADuplicateAndCostsNoPipedriveRequest() {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+919845012367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));

        Reply first = LambdaEvents.post("01-incoming-open-deal-v1-form.json");
        int requestsAfterFirst = pipedrive.requests().size();
        Reply second = LambdaEvents.post("01-incoming-open-deal-v1-form.json");
        Reply third = LambdaEvents.post("01-incoming-open-deal-v1-form.json");

        assertEquals("logged", first.field("status"));
        assertEquals("duplicate", second.field("status"));
        assertEquals("duplicate", third.field("status"));
        assertEquals(200, third.status());
        assertEquals(first.id("activityId"), third.id("activityId"));
        assertEquals(requestsAfterFirst, pipedrive.requests().size());
        onlyActivity();
    }

    @Test
    void everySampleEventGoesThroughTheHandlerWithoutAServerError() throws Exception {
        long asha = pipedrive.addPerson(null, "Asha Rao", "+91 98450 12367");
        pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
        long neha = pipedrive.addPerson(null, "Neha Kapoor", "(+91) 98330-01199");
        pipedrive.addDeal(null, neha, "Neha – onboarding", "open", days(5));
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("events"))) {
            for (String file : files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList()) {
                Reply reply = LambdaEvents.post(file);
                assertEquals(200, reply.status(), () -> file + " -> " + reply.body());
                assertTrue(List.of("logged", "skipped", "ignored").contains(reply.field("status")), file);
            }
        }
        assertTrue(pipedrive.violations().isEmpty(), () -> pipedrive.violations().toString());
    }

    private Activity onlyActivity() {
        return only(pipedrive.activities());
    }

    private static <T> T only(List<T> items) {
        assertEquals(1, items.size(), () -> "expected exactly one, got " + items);
        return items.get(0);
    }

    private static List<Map<String, Object>> participants(Activity a) {
        return a.participants().stream()
                .map(p -> Map.<String, Object>of("person_id", ((Number) p.get("person_id")).longValue(), "primary", p.get("primary")))
                .toList();
    }
}
