package io.callbridge.e2e;

import static io.callbridge.e2e.TestWorld.PRIYA;
import static io.callbridge.e2e.TestWorld.days;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.e2e.LambdaEvents.Reply;
import io.callbridge.testing.dynamodb.DynamoDbTestResource;
import io.callbridge.testing.pipedrive.FakeFault;
import io.callbridge.testing.pipedrive.PipedriveFake;
import io.callbridge.testing.myoperator.MyOperatorFakeResource;
import io.callbridge.testing.pipedrive.PipedriveFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Authentication, bad input, and Pipedrive failing in the ways it really fails, through the Lambda handler. */
@QuarkusTest
@QuarkusTestResource(DynamoDbTestResource.class)
@QuarkusTestResource(PipedriveFakeResource.class)
@QuarkusTestResource(MyOperatorFakeResource.class)
class WebhookRobustnessTest {
    static final String CALL = "01-incoming-open-deal-v1-form.json";

    PipedriveFake pipedrive;

    @Inject
    TestWorld world;

    long deal;

    @BeforeEach
    void reset() {
        world.reset(pipedrive);
        long asha = pipedrive.addPerson(null, "Asha Rao", "+91 98450 12367");
        deal = pipedrive.addDeal(null, asha, "Asha – renewal", "open", days(3));
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void missingTokenIs401AndNothingIsStoredOrSent() {
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.token(null));
        assertEquals(401, reply.status());
        assertEquals("rejected", reply.field("status"));
        assertTrue(reply.field("error").contains("missing webhook token"), reply.body()::toString);
        assertTrue(pipedrive.requests().isEmpty());
        // nothing was claimed: the same call with the token is logged, not a duplicate
        assertEquals("logged", LambdaEvents.post(CALL).field("status"));
    }

    @Test
    void wrongTokenIs401AndDoesNotEchoTheSecret() {
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.token("local-webhook-tokeX"));
        assertEquals(401, reply.status());
        assertEquals("wrong webhook token", reply.field("error"));
        assertFalse(reply.body().toString().contains("local-webhook-tok"));
        assertTrue(pipedrive.requests().isEmpty());
    }

    @Test
    void everyRefusalIsLoggedWithItsReasonButNeverTheSecretOrTheFullNumber() {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("callbridge.delivery");
        logger.addHandler(capture);
        try {
            LambdaEvents.post(CALL, LambdaEvents.token("local-webhook-tokeX"));
            LambdaEvents.post(CALL, LambdaEvents.token(null));
            LambdaEvents.post(CALL, LambdaEvents.body("application/json",
                    "{\"_ai\":\"x9\",\"_cl\":\"+91 98450 1236x7\",\"_ev\":1,\"_su\":1,\"_st\":1767513600,\"_ld\":[]}"));
        } finally {
            logger.removeHandler(capture);
        }
        String all = String.join("\n", lines);
        assertTrue(all.contains("\"reason\":\"wrong webhook token\""), all);
        assertTrue(all.contains("\"reason\":\"missing webhook token"), all);
        assertTrue(all.contains("is not a phone number"), all);
        assertFalse(all.contains("local-webhook-tok"), "no secret in the log: " + all);
        assertFalse(all.contains("98450 1236"), "numbers are masked: " + all);
    }

    @Test
    void tokenIsAcceptedAsBearerHeader() {
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.token(null).andThen(
                e -> e.withObject("/headers").put("authorization", "Bearer local-webhook-token")));
        assertEquals(200, reply.status(), reply.body()::toString);
    }

    @Test
    void tokenIsAcceptedAsQueryParameter() {
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.token(null).andThen(e -> {
            e.put("rawQueryString", "token=local-webhook-token");
            e.putObject("queryStringParameters").put("token", "local-webhook-token");
        }));
        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals(1, pipedrive.activities().size());
    }

    @Test
    void tokenIsAcceptedAsHttpBasicPasswordOrUser() {
        String basic = java.util.Base64.getEncoder().encodeToString("myoperator:local-webhook-token".getBytes());
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.token(null).andThen(
                e -> e.withObject("/headers").put("authorization", "Basic " + basic)));
        assertEquals(200, reply.status(), reply.body()::toString);
        String userOnly = java.util.Base64.getEncoder().encodeToString("wrong:".getBytes());
        Reply refused = LambdaEvents.post(CALL, LambdaEvents.token(null).andThen(
                e -> e.withObject("/headers").put("authorization", "Basic " + userOnly)));
        assertEquals(401, refused.status());
    }

    @Test
    void duringARotationThePreviousTokenStillWorks() {
        assertEquals(200, LambdaEvents.post(CALL, LambdaEvents.token("previous-webhook-token")).status());
        assertEquals(401, LambdaEvents.post("02-incoming-no-open-deal-v1-json.json",
                LambdaEvents.token("older-webhook-token")).status());
    }

    @Test
    void aSourceOutsideTheAllowListIsRefusedEvenWithTheToken() {
        Reply reply = LambdaEvents.post(CALL, e -> e.withObject("/requestContext/http").put("sourceIp", "198.51.100.7"));
        assertEquals(401, reply.status());
        assertEquals("source address not allowed", reply.field("error"));
        assertTrue(pipedrive.requests().isEmpty());
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void anOversizedBodyIs413AndKeptForTheAdmin() {
        String huge = "myoperator=" + "x".repeat(300_000);
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.body("application/x-www-form-urlencoded", huge));
        assertEquals(413, reply.status(), reply.body()::toString);
        assertTrue(reply.field("error").contains("more than the 262144 accepted"), reply.body()::toString);
        Reply listed = LambdaEvents.post("admin/list-rejected.json");
        assertEquals(200, listed.status(), listed.body()::toString);
        assertEquals(413, listed.body().at("/deliveries/0/status").asInt());
        assertEquals(300_011, listed.body().at("/deliveries/0/bodyLength").asInt());
        assertEquals(4096, listed.body().at("/deliveries/0/body").asText().length(), "listed as a preview");
    }

    @Inject
    io.callbridge.ledger.RejectedDeliveries rejectedDeliveries;

    static ObjectNode adminPost(String path) {
        ObjectNode e = LambdaEvents.load("admin/replay-all.json");
        e.put("routeKey", "POST " + path).put("rawPath", path);
        e.withObject("/requestContext").put("routeKey", "POST " + path);
        e.withObject("/requestContext/http").put("path", path);
        return e;
    }

    @Test
    void aKeptDeliveryCanBeDeliveredAgainByAnAdmin() throws Exception {
        // as if an older version had refused a good delivery: the replay takes it like the webhook does
        String body = LambdaEvents.load(CALL).get("body").asText();
        String id = rejectedDeliveries.keep("application/x-www-form-urlencoded", body.getBytes(StandardCharsets.UTF_8),
                400, "refused by an older version", java.time.Instant.now());
        Reply replayed = LambdaEvents.post(adminPost("/admin/rejected/" + id + "/replay"));
        assertEquals(200, replayed.status(), replayed.body()::toString);
        assertEquals("logged", replayed.field("status"));
        assertEquals(1, pipedrive.activities().size());

        // still unparseable: answered like the webhook, and not kept a second time
        LambdaEvents.post(CALL, LambdaEvents.body("application/json", "{\"_ai\": \"trunc"));
        String badId = LambdaEvents.post("admin/list-rejected.json").body().at("/deliveries/0/id").asText();
        Reply again = LambdaEvents.post(adminPost("/admin/rejected/" + badId + "/replay"));
        assertEquals(400, again.status(), again.body()::toString);
        assertEquals(2, LambdaEvents.post("admin/list-rejected.json").body().path("count").asInt());

        assertEquals(404, LambdaEvents.post(adminPost("/admin/rejected/0000000000000-nothere/replay")).status());
        Reply noToken = LambdaEvents.post(adminPost("/admin/rejected/" + id + "/replay"),
                e -> e.withObject("/headers").remove("x-admin-token"));
        assertEquals(401, noToken.status());
    }

    @Test
    void aTruncatedKeptDeliveryCannotBeReplayed() {
        LambdaEvents.post(CALL, LambdaEvents.body("application/json", "{\"x\":\"" + "y".repeat(100_000) + "\"}"));
        String id = LambdaEvents.post("admin/list-rejected.json").body().at("/deliveries/0/id").asText();
        assertEquals(409, LambdaEvents.post(adminPost("/admin/rejected/" + id + "/replay")).status());
    }

    @Test
    void anUnsupportedContentTypeIs415() {
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.body("multipart/form-data; boundary=x", "--x\r\n"));
        assertEquals(415, reply.status(), reply.body()::toString);
        assertTrue(reply.field("error").contains("multipart/form-data"), reply.body()::toString);
        assertEquals(0, pipedrive.writes());
    }

    @Test
    void anUnparseableAuthenticatedDeliveryIsKeptWithItsReason() {
        LambdaEvents.post(CALL, LambdaEvents.body("application/json", "{\"_ai\": \"truncated"));
        Reply listed = LambdaEvents.post("admin/list-rejected.json");
        assertEquals(200, listed.status(), listed.body()::toString);
        assertEquals("{\"_ai\": \"truncated", listed.body().at("/deliveries/0/body").asText());
        assertTrue(listed.body().at("/deliveries/0/reason").asText().contains("not valid JSON"), listed.body()::toString);
        // an unauthenticated one is not kept
        LambdaEvents.post(CALL, LambdaEvents.token(null).andThen(LambdaEvents.body("application/json", "{oops")));
        Reply again = LambdaEvents.post("admin/list-rejected.json");
        assertTrue(again.body().toString().indexOf("{oops") < 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "truncated form JSON|application/x-www-form-urlencoded|myoperator=%7B%22_ai%22%3A%226a1f%22%2C%22_ld%22%3A%7B|not valid JSON",
            "not JSON at all|application/json|this is not json {|not valid JSON",
            "empty body|application/json||body is empty",
            "no call id|application/json|{\"_cr\":\"9845012367\",\"_ev\":1,\"_su\":1,\"_st\":1767513600,\"_ld\":[]}|call id",
            "bad customer number|application/json|{\"_ai\":\"x1\",\"_cr\":\"12\",\"_ev\":1,\"_su\":1,\"_st\":1767513600,\"_ld\":[]}|is not a phone number",
            "end before start|application/json|{\"_ai\":\"x2\",\"_cl\":\"+919845012367\",\"_ev\":1,\"_su\":1,\"_st\":1767513600,\"_et\":1767510000,\"_ld\":[]}|before",
            "start in year 5138|application/json|{\"_ai\":\"x3\",\"_cl\":\"+919845012367\",\"_ev\":1,\"_su\":1,\"_st\":99999999999,\"_ld\":[]}|_st",
    })
    void badBodiesAre400WithAClearMessageAndNoPipedriveWrite(String name, String contentType, String body, String expected) {
        Reply reply = LambdaEvents.post(CALL, LambdaEvents.body(contentType, body == null ? "" : body));
        assertEquals(400, reply.status(), reply.body()::toString);
        assertEquals("rejected", reply.field("status"));
        String error = reply.field("error");
        assertNotNull(error);
        assertTrue(error.contains(expected), () -> name + ": " + error);
        assertFalse(error.contains("Exception") || error.contains("\tat "), error);
        assertEquals(0, pipedrive.writes());
    }

    @Test
    void unknownRouteIsAJson404NotAStackTrace() {
        Reply reply = LambdaEvents.post(CALL, e -> {
            e.put("rawPath", "/webhooks/other");
            e.withObject("/requestContext/http").put("path", "/webhooks/other");
        });
        assertEquals(404, reply.status());
        assertNotNull(reply.field("error"));
    }

    // ---------------------------------------------------------------- Pipedrive faults

    @Test
    void burstRateLimitIsWaitedOutAsRetryAfterSays() {
        pipedrive.fault(FakeFault.on("GET", "^/api/v2/persons/search$").status(429).retryAfter(1).times(1));

        long start = System.nanoTime();
        Reply reply = LambdaEvents.post(CALL);
        assertTrue(System.nanoTime() - start > 1_000_000_000L, "waited for Retry-After");

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals("logged", reply.field("status"));
        assertEquals(1, pipedrive.activities().size());
        assertEquals(deal, pipedrive.activities().get(0).dealId());
    }

    @Test
    void serverErrorsOnTheActivityCreateAreRetriedWithoutDuplicates() {
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/activities$").status(500).times(2));

        Reply reply = LambdaEvents.post(CALL);

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals(1, pipedrive.activities().size());
    }

    @Test
    void anActivityStoredDespiteA500IsFoundInsteadOfCreatedTwice() {
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/activities$").createThen(500).times(1));

        Reply reply = LambdaEvents.post(CALL);

        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals(1, pipedrive.activities().size(), () -> pipedrive.activities().toString());
        assertEquals(pipedrive.activities().get(0).id(), reply.id("activityId"));
    }

    @Test
    void aDroppedConnectionAfterTheDealCreateDoesNotCreateASecondDeal() throws Exception {
        world.reset(pipedrive);
        long vikram = pipedrive.addPerson(null, "Vikram Shah", "9900123456");
        pipedrive.fault(FakeFault.on("POST", "^/api/v2/deals$").dropAfter().times(1));

        Reply reply = LambdaEvents.post("02-incoming-no-open-deal-v1-json.json");

        // no answer: nobody can tell yet whether the deal was stored, so the call waits until it has settled
        assertEquals(202, reply.status(), reply.body()::toString);
        assertEquals("parked", reply.field("status"));
        Thread.sleep(3200); // CALLBRIDGE_CREATE_SETTLE_MS is 3 s in tests
        assertEquals(200, LambdaEvents.post("internal/schedule-replay.json").status());
        assertEquals(1, pipedrive.newDeals().size(), () -> pipedrive.newDeals().toString());
        assertEquals(vikram, pipedrive.newDeals().get(0).personId());
        assertEquals(1, pipedrive.activities().size());
        assertEquals(pipedrive.newDeals().get(0).id(), pipedrive.activities().get(0).dealId());
    }

    @Test
    void pipedriveDownParksTheCallAndTheNextDeliveryLogsItOnce() {
        pipedrive.fault(FakeFault.onAny("^/(api/)?v[12]/").status(503).always());

        Reply parked = LambdaEvents.post(CALL);
        assertEquals(202, parked.status(), parked.body()::toString);
        assertEquals("parked", parked.field("status"));
        assertTrue(pipedrive.activities().isEmpty());

        pipedrive.clearFaults();
        Reply logged = LambdaEvents.post(CALL);
        assertEquals(200, logged.status(), logged.body()::toString);
        assertEquals("logged", logged.field("status"));
        assertEquals(1, pipedrive.activities().size());
        assertEquals(PRIYA, pipedrive.activities().get(0).ownerId());
        assertEquals("duplicate", LambdaEvents.post(CALL).field("status"));
    }

    @Test
    void aNonJsonHtml403IsAnErrorLikeAnyOther() {
        pipedrive.fault(FakeFault.on("GET", "^/api/v2/persons/search$").status(403).times(1));

        Reply reply = LambdaEvents.post(CALL);

        assertEquals(202, reply.status(), reply.body()::toString);
        assertEquals("parked", reply.field("status"));
        assertTrue(reply.field("error").contains("403"), reply.body()::toString);
        assertTrue(pipedrive.activities().isEmpty());
        assertEquals("logged", LambdaEvents.post(CALL).field("status"));
    }

    @Test
    void unknownAgentEmailFallsBackToTheDefaultOwner() {
        Reply reply = LambdaEvents.post(CALL, e -> e.put("body", e.get("body").asText()
                .replace(URLEncoder.encode("priya.nair@example.com", StandardCharsets.UTF_8),
                        URLEncoder.encode("sameer.khan@example.com", StandardCharsets.UTF_8))));
        assertEquals(200, reply.status(), reply.body()::toString);
        assertEquals(List.of(TestWorld.ADMIN), pipedrive.activities().stream().map(a -> a.ownerId()).toList());
    }
}
