package io.callbridge.pipedrive;

import static io.callbridge.e2e.TestWorld.ADMIN;
import static io.callbridge.e2e.TestWorld.KAVYA;
import static io.callbridge.e2e.TestWorld.PRIYA;
import static io.callbridge.e2e.TestWorld.days;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.call.Agent;
import io.callbridge.call.CrmMatch;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.e2e.TestWorld;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.pipedrive.FakeFault;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFake.RecordedRequest;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Pipedrive adapter against a stateful HTTP fake of Pipedrive: lookups, owners, errors. */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class PipedriveAdapterTest {
    static final String CALLER = "+919876543210";

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    @Inject
    PipedrivePersonFinder finder;

    @Inject
    PipedriveOwners owners;

    @Inject
    PipedriveGateway gateway;

    @Inject
    UserListCache sharedUsers;

    static final UserListCache NO_SHARED_COPY = new UserListCache() {
        @Override
        public Optional<Snapshot> load() {
            return Optional.empty();
        }

        @Override
        public void store(Snapshot snapshot) {
        }
    };

    @Inject
    @RestClient
    PipedriveApi api;

    @Inject
    CallbridgeConfig config;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
    }

    @ParameterizedTest
    @ValueSource(strings = {"09876543210", "+91 98765 43210", "0091 98765 43210", "(+91) 98765-43210", "9876543210",
            "+919876543210", "91 9876543210"})
    void aPersonIsFoundWhateverFormatTheirPhoneWasTypedIn(String stored) {
        long person = pipedrive.addPerson(null, "Typed " + stored, stored);
        assertEquals(CrmMatch.personWithoutOpenDeal(person), finder.find(CALLER));
        RecordedRequest search = pipedrive.requests("GET", "^/api/v2/persons/search$").get(0);
        assertEquals("9876543210", search.query().get("term"));
        assertEquals("phone", search.query().get("fields"));
        assertTrue(pipedrive.violations().isEmpty(), () -> pipedrive.violations().toString());
    }

    @Test
    void aForeignNumberContainingTheSameDigitsIsNotTheCaller() {
        pipedrive.addPerson(null, "London", "+44 98765 43210");
        pipedrive.addPerson(null, "Longer", "+91 98765 432101");
        assertEquals(CrmMatch.noPerson(), finder.find(CALLER));
    }

    @Test
    void severalPersonsWithTheNumberGiveOneDeterministicChoicePreferringOpenDeals() {
        long first = pipedrive.addPerson(null, "Switchboard A", "+91 98765 43210");
        long second = pipedrive.addPerson(null, "Switchboard B", "09876543210");
        long third = pipedrive.addPerson(null, "Switchboard C", "9876543210");
        assertEquals(Optional.of(first), finder.personFor(CALLER), "no open deals anywhere: the lowest id");
        long deal = pipedrive.addDeal(null, third, "C – open", "open", days(1));
        pipedrive.addDeal(null, second, "B – won", "won", days(1));
        assertEquals(CrmMatch.personWithOpenDeal(third, deal), finder.find(CALLER));
    }

    @Test
    void theMostRecentlyUpdatedOpenDealIsChosenNeverAWonLostOrArchivedOne() {
        long p = pipedrive.addPerson(null, "Ravi", CALLER);
        pipedrive.addDeal(null, p, "old", "open", days(30));
        long recent = pipedrive.addDeal(null, p, "recent", "open", days(2));
        pipedrive.addDeal(null, p, "won later", "won", days(1));
        pipedrive.addDeal(null, p, "lost later", "lost", days(0));
        long archived = pipedrive.addDeal(null, p, "archived newest", "open", days(0));
        pipedrive.archiveDeal(archived);
        assertEquals(CrmMatch.personWithOpenDeal(p, recent), finder.find(CALLER));
    }

    @Test
    void ownerIsTheActiveUserWithTheAgentsEmailIgnoringCaseAndSpaces() {
        assertEquals(new OwnerChoice(PRIYA, "agent-email"),
                owners.ownerFor(new Agent("1", "Priya", "  PRIYA.Nair@example.COM ", null, null)));
        assertEquals(new OwnerChoice(KAVYA, "agent-email"),
                owners.ownerFor(new Agent("4", "Kavya", "kavya.rao@example.com", null, null)));
    }

    @Test
    void unknownDisabledOrMissingAgentsFallBackToTheDefaultOwner() {
        pipedrive.setUserActive(PRIYA, false);
        assertEquals(new OwnerChoice(ADMIN, "default-owner-email"),
                owners.ownerFor(new Agent("1", "Priya", "priya.nair@example.com", null, null)));
        assertEquals(new OwnerChoice(ADMIN, "default-owner-email"),
                owners.ownerFor(new Agent("9", "Sameer", "sameer@example.com", null, null)));
        assertEquals(new OwnerChoice(ADMIN, "default-owner-email"), owners.ownerFor(null));
    }

    @Test
    void aUsersListThatCannotBeReadNeverFailsTheCall() {
        pipedrive.fault(FakeFault.on("GET", "^/v1/users$").status(500).always());
        // a fresh instance: the application's one may hold the list an earlier test class read (and would rightly
        // fall back to it), depending on the order the test classes run in
        PipedriveOwners cold = new PipedriveOwners(gateway, NO_SHARED_COPY, Optional.of("admin@example.com"),
                Duration.ZERO, Clock.systemUTC());
        assertEquals(new OwnerChoice(null, "pipedrive-default"),
                cold.ownerFor(new Agent("1", "Priya", "priya.nair@example.com", null, null)));
    }

    @Test
    void aColdInstanceUsesTheUsersListAnotherInstanceReadAMomentAgo() {
        PipedriveOwners first = new PipedriveOwners(gateway, sharedUsers, Optional.of("admin@example.com"),
                Duration.ofMinutes(20), Clock.systemUTC());
        PipedriveOwners second = new PipedriveOwners(gateway, sharedUsers, Optional.of("admin@example.com"),
                Duration.ofMinutes(20), Clock.systemUTC());
        Agent priya = new Agent("1", "Priya", "priya.nair@example.com", null, null);

        assertEquals(new OwnerChoice(PRIYA, "agent-email"), first.ownerFor(priya));
        assertEquals(new OwnerChoice(PRIYA, "agent-email"), second.ownerFor(priya));
        assertEquals(1, pipedrive.requests("GET", "^/v1/users$").size(), "the second instance read the shared copy");

        // once the copy is older than the cache period, an instance reads Pipedrive again
        PipedriveOwners later = new PipedriveOwners(gateway, sharedUsers, Optional.of("admin@example.com"),
                Duration.ofMinutes(20), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(21)));
        pipedrive.setUserActive(PRIYA, false);
        assertEquals(new OwnerChoice(ADMIN, "default-owner-email"), later.ownerFor(priya));
        assertEquals(2, pipedrive.requests("GET", "^/v1/users$").size());
    }

    @Test
    void aUsersListHeldBackByTheRateLimiterParksTheCallInsteadOfGuessingItsOwner() {
        PipedriveGateway heldBack = new PipedriveGateway(api, config, (search, maxWaitMs) -> RequestPacer.Slot.refusedFor(4000));
        PipedriveOwners cold = new PipedriveOwners(heldBack, NO_SHARED_COPY, Optional.of("admin@example.com"),
                Duration.ZERO, Clock.systemUTC());
        PipedriveException e = assertThrows(PipedriveException.class,
                () -> cold.ownerFor(new Agent("1", "Priya", "priya.nair@example.com", null, null)));
        assertTrue(e.paced() && e.rateLimited() && !e.dailyBudgetExhausted(), e::getMessage);
        assertEquals(Duration.ofSeconds(4), e.retryAfter());
        assertTrue(pipedrive.requests().isEmpty(), () -> "nothing was sent: " + pipedrive.requests());
    }

    @Test
    void theTokenTravelsInAHeaderNeverInTheUrl() {
        finder.find(CALLER);
        for (RecordedRequest r : pipedrive.requests()) {
            assertFalse(r.query().containsKey("api_token"), r::toString);
        }
        assertTrue(pipedrive.violations().isEmpty());
    }

    @Test
    void anHtmlErrorPageBecomesAShortCleanError() {
        pipedrive.fault(FakeFault.on("GET", "^/api/v2/persons/search$").status(403).times(1));
        PipedriveException e = assertThrows(PipedriveException.class, () -> finder.find(CALLER));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("HTML"), e.getMessage());
        assertFalse(e.getMessage().contains("<"), e.getMessage());
    }

    @Test
    void aSpentDailyBudgetIsNotHammered() {
        pipedrive.setLimits(1000, 1000, 0);
        PipedriveException e = assertThrows(PipedriveException.class, () -> finder.find(CALLER));
        assertEquals(429, e.status());
        assertTrue(e.dailyBudgetExhausted());
        assertEquals(1, pipedrive.requests().size(), "no retry when the daily budget is spent");
    }

    @Test
    void serverErrorsOnReadsAreRetriedABoundedNumberOfTimes() {
        pipedrive.fault(FakeFault.on("GET", "^/api/v2/persons/search$").status(502).always());
        PipedriveException e = assertThrows(PipedriveException.class, () -> finder.find(CALLER));
        assertEquals(502, e.status());
        assertEquals(4, pipedrive.requests("GET", "^/api/v2/persons/search$").size(), "1 try + 3 retries");
    }

    @Test
    void aBurst429IsRetriedAfterItsRetryAfter() {
        long p = pipedrive.addPerson(null, "Ravi", CALLER);
        pipedrive.fault(FakeFault.on("GET", "^/api/v2/persons/search$").status(429).retryAfter(1).times(1));
        long start = System.nanoTime();
        assertEquals(CrmMatch.personWithoutOpenDeal(p), finder.find(CALLER));
        assertTrue(System.nanoTime() - start >= 900_000_000L, "waited about Retry-After");
    }
}
