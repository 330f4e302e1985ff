package io.callbridge.e2e;

import static io.callbridge.e2e.TestWorld.ADMIN;
import static io.callbridge.e2e.TestWorld.ARJUN;
import static io.callbridge.e2e.TestWorld.KAVYA;
import static io.callbridge.e2e.TestWorld.PRIYA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.call.PhoneNumbers;
import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.UserMappingStore;
import io.callbridge.mapping.SyncReport;
import io.callbridge.mapping.UserMapping;
import io.callbridge.myoperator.MyOperatorDirectory;
import io.callbridge.processing.OwnerResolver;
import io.callbridge.processing.UserSyncService;
import io.callbridge.pipedrive.PipedriveOwners;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.myoperator.MyOperatorFake;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user sync through the Lambda handler (the schedule's event, the admin routes) against the MyOperator and
 * Pipedrive fakes, and the owner of a call after a sync.
 */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class UserSyncTest {
    static final String KAVYA_UUID = "7b2e9c1d0a3f9004";
    static final String HUNT_SUMMARY = "07-incoming-hunt-v2-call-summary.json";

    PipedriveFake pipedrive;
    MyOperatorFake myOperator;

    @Inject
    TestWorld world;

    @Inject
    CallLedger ledger;

    @Inject
    UserMappingStore store;

    @Inject
    PipedriveOwners pipedriveOwners;

    @Inject
    OwnerResolver resolver;

    @Inject
    PhoneNumbers phones;

    @Inject
    ObjectMapper json;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
        myOperator.reset();
        myOperator.addUser("7b2e9c1d0a3f9001", "101", "Priya Nair", "priya.nair@example.com", "09886001122", true);
        myOperator.addUser("7b2e9c1d0a3f9002", "102", "Arjun Mehta", "Arjun.Mehta@Example.com", "+91 98860 03344", true);
        myOperator.addUser(KAVYA_UUID, "104", "Kavya Rao", "kavya.rao@example.com", "+919886007788", true);
        myOperator.addUser("7b2e9c1d0a3f9009", "109", "Temp Agent", "temp@example.com", "+919886009999", true);
        myOperator.setPageSize(2);
        resolver.forget();
    }

    static Reply sync() {
        return LambdaEvents.post("internal/schedule-sync.json");
    }

    static Reply admin(String file, String token) {
        return LambdaEvents.post(file, e -> {
            ObjectNode headers = (ObjectNode) e.get("headers");
            if (token == null) {
                headers.remove("x-admin-token");
            } else {
                headers.put("x-admin-token", token);
            }
        });
    }

    Map<String, UserMapping> rows() {
        return store.all().stream().map(UserMappingStore.Stored::row)
                .collect(Collectors.toMap(UserMapping::key, r -> r));
    }

    @Test
    void theScheduledSyncReadsEveryPageAndMatchesByEmail() {
        Reply reply = sync();

        assertEquals(200, reply.status(), reply.body()::toString);
        assertTrue(reply.body().path("ok").asBoolean(), reply.body()::toString);
        assertEquals(UserMapping.SOURCE_API, reply.field("myOperatorSource"));
        assertEquals(4, reply.body().path("myOperatorUsers").asInt(), "two pages of two");
        assertEquals(3, reply.body().path("matched").asInt());
        assertEquals(1, reply.body().path("unmatchedMyOperator").asInt(), "temp@example.com has no Pipedrive user");
        assertEquals(2, reply.body().path("unmatchedPipedrive").asInt(), "admin and Rohan have no MyOperator user");
        assertEquals(2, myOperator.requests(), "one request per page, no more");

        Map<String, UserMapping> rows = rows();
        assertEquals(4, rows.size());
        UserMapping kavya = rows.get(KAVYA_UUID);
        assertEquals(KAVYA, kavya.pipedriveUserId(), "Pipedrive has her as 'Kavya.Rao@Example.com '");
        assertEquals(List.of("+919886007788"), kavya.phones());
        assertEquals("104", kavya.userId());
        assertEquals(ARJUN, rows.get("7b2e9c1d0a3f9002").pipedriveUserId(), "case-insensitive");
        assertEquals(List.of("+919886001122"), rows.get("7b2e9c1d0a3f9001").phones(), "national form normalised");
        assertNull(rows.get("7b2e9c1d0a3f9009").pipedriveUserId());
        assertEquals(UserMapping.UNMATCHED, rows.get("7b2e9c1d0a3f9009").status());
    }

    @Test
    void theInternalSyncRouteAnswersOnlyTheScheduler() {
        Reply reply = LambdaEvents.post("internal/schedule-sync.json",
                e -> ((ObjectNode) e.get("requestContext")).put("apiId", "abc123"));
        assertEquals(404, reply.status());
        assertEquals(0, myOperator.requests());
        assertTrue(rows().isEmpty());
    }

    @Test
    void usersAddedChangedDisabledAndGoneAreFollowed() {
        sync();
        myOperator.addUser("7b2e9c1d0a3f9005", "105", "Rohan Das", "ROHAN.DAS@example.com", "+919886005566", true);
        myOperator.removeUser("7b2e9c1d0a3f9009");
        myOperator.addUser("7b2e9c1d0a3f9001", "101", "Priya Nair", "priya@example.com", "09886001122", true);
        pipedrive.setUserActive(ARJUN, false);

        Reply reply = sync();
        assertTrue(reply.body().path("ok").asBoolean(), reply.body()::toString);
        Map<String, UserMapping> rows = rows();
        assertEquals(TestWorld.ROHAN, rows.get("7b2e9c1d0a3f9005").pipedriveUserId(), "added");
        assertNull(rows.get("7b2e9c1d0a3f9001").pipedriveUserId(), "e-mail changed on the MyOperator side only");
        assertNull(rows.get("7b2e9c1d0a3f9002").pipedriveUserId(), "disabled in Pipedrive");
        assertTrue(rows.get("7b2e9c1d0a3f9002").reason().contains("deactivated"), rows.get("7b2e9c1d0a3f9002")::reason);
        assertFalse(rows.get("7b2e9c1d0a3f9009").myOperatorActive(), "left MyOperator: kept, inactive");
        assertEquals(KAVYA, rows.get(KAVYA_UUID).pipedriveUserId());
    }

    @Test
    void twoPipedriveUsersWithOneEmailAreReportedAndTheCallGetsTheFallbackOwner() {
        pipedrive.addUser(2099, "Kavya (old account)", "kavya.rao@example.com");
        Reply reply = sync();
        assertEquals(1, reply.body().path("ambiguous").asInt(), reply.body()::toString);
        assertNull(rows().get(KAVYA_UUID).pipedriveUserId());

        Reply call = LambdaEvents.post(HUNT_SUMMARY);
        assertEquals("logged", call.field("status"), call.body()::toString);
        assertEquals(ADMIN, only(pipedrive.activities()).ownerId());
        assertEquals("default-owner-email", ownerRule(call));
    }

    @ParameterizedTest(name = "page 2 answering HTTP {0}")
    @ValueSource(ints = {500, 429, 200})
    void myOperatorFailingMidwayKeepsTheLastGoodMapping(int httpStatus) {
        sync();
        Map<String, UserMapping> before = rows();
        myOperator.removeUser("7b2e9c1d0a3f9009");
        myOperator.failPage(2, httpStatus);

        Reply reply = sync();

        assertEquals(200, reply.status(), reply.body()::toString);
        assertFalse(reply.body().path("ok").asBoolean(), reply.body()::toString);
        String failure = reply.field("failure");
        assertTrue(failure.contains("page 2") && failure.contains(httpStatus == 200 ? "status error" : "" + httpStatus),
                failure);
        assertFalse(failure.contains(MyOperatorFakeResource.TOKEN), "the token never appears");
        assertEquals(before, rows(), "nothing written: no row lost, shrunk or marked inactive");

        Reply listed = admin("admin/list-mappings.json", "local-admin-token");
        assertEquals(200, listed.status(), listed.body()::toString);
        assertEquals(4, listed.body().path("count").asInt());
        assertFalse(listed.body().at("/lastSync/ok").asBoolean());
        assertEquals(failure, listed.body().at("/lastSync/failure").asText());
        assertFalse(listed.body().at("/lastSync/lastSuccessAt").isNull(), "when the mapping was last good");

        myOperator.clearFaults();
        assertTrue(sync().body().path("ok").asBoolean());
        assertFalse(rows().get("7b2e9c1d0a3f9009").myOperatorActive());
    }

    @Test
    void pipedriveFailingKeepsTheMappingToo() {
        sync();
        Map<String, UserMapping> before = rows();
        pipedrive.fault(io.callbridge.testing.pipedrive.FakeFault.onAny("^/v1/users").status(503).always());
        Reply reply = sync();
        assertFalse(reply.body().path("ok").asBoolean(), reply.body()::toString);
        assertTrue(reply.field("failure").contains("503"), reply.field("failure"));
        assertEquals(before, rows());
    }

    @Test
    void theAdminRoutesNeedTheAdminToken() {
        assertEquals(401, admin("admin/sync.json", null).status());
        assertEquals(401, admin("admin/sync.json", "wrong-token").status());
        assertEquals(401, admin("admin/list-mappings.json", null).status());
        assertEquals(0, myOperator.requests());

        Reply synced = admin("admin/sync.json", "local-admin-token");
        assertEquals(200, synced.status(), synced.body()::toString);
        assertEquals(3, synced.body().path("matched").asInt());
        Reply listed = admin("admin/list-mappings.json", "local-admin-token");
        assertEquals(4, listed.body().path("count").asInt());
        JsonNode kavya = null;
        for (JsonNode row : listed.body().path("mappings")) {
            if (KAVYA_UUID.equals(row.path("key").asText())) {
                kavya = row;
            }
        }
        assertEquals(KAVYA, kavya.path("pipedriveUserId").asLong(), listed.body()::toString);
        assertTrue(listed.body().at("/lastSync/ok").asBoolean());
        assertTrue(listed.body().at("/lastSync/entries").size() >= 6, listed.body()::toString);
    }

    @Test
    void afterASyncACallAnsweredByAnAgentWithoutEmailIsOwnedByHerPipedriveUser() {
        assertTrue(sync().body().path("ok").asBoolean());

        Reply reply = LambdaEvents.post(HUNT_SUMMARY);

        assertEquals("logged", reply.field("status"), reply.body()::toString);
        assertEquals(KAVYA, only(pipedrive.activities()).ownerId());
        assertEquals(OwnerResolver.BY_ID, ownerRule(reply));
    }

    @Test
    void byPhoneWhenThePayloadHasNeitherEmailNorId() {
        sync();
        Reply reply = LambdaEvents.post(HUNT_SUMMARY, e -> e.put("body", e.get("body").asText()
                .replace("\"uuid\":\"" + KAVYA_UUID + "\"", "\"uuid\":null")));
        assertEquals("logged", reply.field("status"), reply.body()::toString);
        assertEquals(KAVYA, only(pipedrive.activities()).ownerId());
        assertEquals(OwnerResolver.BY_PHONE, ownerRule(reply));
    }

    @Test
    void onAFreshInstallTheCallFallsBackAndNeverFails() {
        Reply reply = LambdaEvents.post(HUNT_SUMMARY);
        assertEquals("logged", reply.field("status"), reply.body()::toString);
        assertEquals(ADMIN, only(pipedrive.activities()).ownerId());
        assertEquals("default-owner-email", ownerRule(reply));
    }

    @Test
    void withoutMyOperatorApiTheAgentsSeenInWebhooksAreMapped() {
        // Kavya's e-mail was in an earlier call's payload; this one has email null
        Reply earlier = LambdaEvents.post(HUNT_SUMMARY, e -> e.put("body", e.get("body").asText()
                .replace("15.1767680980.3307", "15.1767680000.1111").replace("event-4be2a9d1c07f3318", "event-earlier")
                .replace("\"email\":null", "\"email\":\"kavya.rao@example.com\"")));
        assertEquals("logged", earlier.field("status"), earlier.body()::toString);
        assertEquals("agent-email", ownerRule(earlier));

        Reply reply = LambdaEvents.post(HUNT_SUMMARY);
        assertEquals(OwnerResolver.BY_ID, ownerRule(reply), "before any sync: the e-mail seen before, looked up");

        UserSyncService noApi = new UserSyncService(new MyOperatorDirectory(Optional.empty(), "http://127.0.0.1:9",
                "/user", phones, json), pipedriveOwners, store, resolver, Clock.systemUTC());
        SyncReport report = noApi.sync();
        assertTrue(report.ok(), report::toString);
        assertEquals(UserMapping.SOURCE_WEBHOOK, report.myOperatorSource());
        assertEquals(0, myOperator.requests(), "no MyOperator API call without a token");
        Map<String, UserMapping> rows = rows();
        assertEquals(KAVYA, rows.get(KAVYA_UUID).pipedriveUserId());
        assertEquals(List.of("+919886007788"), rows.get(KAVYA_UUID).phones());
        assertEquals(ARJUN, rows.get("7b2e9c1d0a3f9002").pipedriveUserId(), "Arjun was in the same payloads");
    }

    String ownerRule(Reply reply) {
        return ledger.find(reply.field("callId"), Instant.now()).orElseThrow().ownerRule();
    }

    static <T> T only(List<T> list) {
        assertEquals(1, list.size(), list::toString);
        return list.get(0);
    }
}
