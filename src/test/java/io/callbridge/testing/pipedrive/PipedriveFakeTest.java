package io.callbridge.testing.pipedrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipedriveFakeTest {

    static final String TOKEN = "unit-test-token";
    static final ObjectMapper M = new ObjectMapper();
    static PipedriveFake fake;
    static HttpClient http;

    @BeforeAll
    static void startFake() {
        fake = PipedriveFake.start(TOKEN);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @BeforeEach
    void resetFake() {
        fake.reset();
        fake.addUser(2001, "Priya Nair", "priya.nair@example.com");
        fake.addUser(2002, "Arjun Mehta", "arjun.mehta@example.com");
        fake.addUser(2009, "Former Agent", "former@example.com", false);
    }

    // ------------------------------------------------------------------ helpers

    record Res(int status, JsonNode json, String body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    static Res call(String method, String pathAndQuery, String jsonBody, boolean auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(10));
        if (auth) {
            b.header("x-api-token", TOKEN);
        }
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = M.readTree(r.body());
        } catch (IOException notJson) {
            // HTML pages
        }
        return new Res(r.statusCode(), json, r.body(), r);
    }

    static Res get(String p) throws Exception {
        return call("GET", p, null, true);
    }

    static Res post(String p, String json) throws Exception {
        return call("POST", p, json, true);
    }

    static Res patch(String p, String json) throws Exception {
        return call("PATCH", p, json, true);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static List<Long> ids(JsonNode array) {
        List<Long> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.get("id").asLong()));
        return out;
    }

    static List<Long> itemIds(Res search) {
        return search.json().path("data").path("items").findParents("type").stream().map(n -> n.get("id").asLong()).toList();
    }

    // ------------------------------------------------------------------ auth, deprecated endpoints

    @Test
    void rejectsMissingOrWrongToken() throws Exception {
        Res r = call("GET", "/api/v2/persons/1", null, false);
        assertEquals(401, r.status());
        assertFalse(r.json().get("success").asBoolean());
        assertEquals("unauthorized access", r.json().get("error").asText());
        assertEquals(401, r.json().get("errorCode").asInt());
        assertEquals(0, fake.tokensSpent());
    }

    @Test
    void legacyQueryTokenWorksButIsAViolation() throws Exception {
        Res r = call("GET", "/v1/users/me?api_token=" + TOKEN, null, false);
        assertEquals(200, r.status());
        assertEquals(1, fake.violations().size());
        assertTrue(fake.violations().get(0).message().contains("api_token"));
    }

    @Test
    void deprecatedV1EndpointsAreGoneAndCounted() throws Exception {
        for (String p : List.of("/v1/persons/search?term=abc", "/api/v1/deals", "/v1/itemSearch?term=98450")) {
            Res r = get(p);
            assertEquals(410, r.status(), p);
            assertEquals("ERR_GONE", r.json().get("code").asText());
        }
        assertEquals(3, fake.violations().size());
        assertEquals(0, fake.tokensSpent());
    }

    // ------------------------------------------------------------------ search

    @Test
    void looseSearchMatchesDigitsExactSearchNeedsTheStoredString() throws Exception {
        long anil = fake.addPerson(null, "Anil Kumar", "+91 98450 12367");
        long other = fake.addPerson(null, "Foreign Number", "+1 (419) 845-0123");
        fake.addPerson(null, "Unrelated", "09767001234");

        Res loose = get("/api/v2/persons/search?term=9845012367&fields=phone&limit=10");
        assertEquals(200, loose.status());
        assertEquals(List.of(anil), itemIds(loose));
        JsonNode item = loose.json().at("/data/items/0/item");
        assertEquals("person", item.get("type").asText());
        assertEquals("+91 98450 12367", item.get("phones").get(0).asText());
        assertEquals(0.5, loose.json().at("/data/items/0/result_score").asDouble());
        assertTrue(item.at("/owner/id").isIntegralNumber());
        assertTrue(loose.json().at("/additional_data/next_cursor").isNull());

        // loose search on the digits shared by both numbers returns the false positive too
        Res both = get("/api/v2/persons/search?term=450123&fields=phone");
        assertEquals(List.of(anil, other), itemIds(both));

        Res exactDigits = get("/api/v2/persons/search?term=9845012367&fields=phone&exact_match=true");
        assertEquals(List.of(), itemIds(exactDigits));
        Res exact = get("/api/v2/persons/search?term=" + enc("+91 98450 12367") + "&fields=phone&exact_match=true");
        assertEquals(List.of(anil), itemIds(exact));
        assertEquals(1.0, exact.json().at("/data/items/0/result_score").asDouble());

        Res byName = get("/api/v2/persons/search?term=anil&fields=name");
        assertEquals(List.of(anil), itemIds(byName));
        assertEquals(List.of(), fake.violations());
        assertEquals(5 * 20, fake.tokensSpent());
    }

    @Test
    void unencodedPlusIsAViolationAndShortTermsAreRejected() throws Exception {
        fake.addPerson(null, "Anil Kumar", "+919845012367");
        Res r = get("/api/v2/persons/search?term=+919845012367&fields=phone&exact_match=true");
        assertEquals(200, r.status());
        assertEquals(List.of(), itemIds(r)); // " 919845012367" is not the stored string
        assertEquals(1, fake.violations().size());
        assertTrue(fake.violations().get(0).message().contains("unencoded '+'"));

        assertEquals(400, get("/api/v2/persons/search?term=9&fields=phone").status());
        assertEquals(200, get("/api/v2/persons/search?term=9&fields=phone&exact_match=true").status());
        assertEquals(400, get("/api/v2/persons/search?fields=phone").status());
    }

    @Test
    void deletedPersonsAreNotFoundAndNewPersonsCanBeIndexedLate() throws Exception {
        long p = fake.addPerson(null, "Gone", "9900123456");
        fake.deletePerson(p);
        assertEquals(List.of(), itemIds(get("/api/v2/persons/search?term=9900123456&fields=phone")));

        fake.setIndexDelay(Duration.ofMillis(300));
        Res created = post("/api/v2/persons", "{\"name\":\"New\",\"phones\":[{\"value\":\"+91 99887 76655\",\"primary\":true,\"label\":\"mobile\"}]}");
        assertEquals(200, created.status());
        assertEquals(List.of(), itemIds(get("/api/v2/persons/search?term=9988776655&fields=phone")));
        Thread.sleep(350);
        assertEquals(List.of(created.json().at("/data/id").asLong()), itemIds(get("/api/v2/persons/search?term=9988776655&fields=phone")));
    }

    // ------------------------------------------------------------------ persons and deals

    @Test
    void createsPersonsAndDealsWithValidation() throws Exception {
        Res p = post("/api/v2/persons", "{\"name\":\"Kiran Shah\",\"owner_id\":2001,"
                + "\"phones\":[{\"value\":\"+91 98765 43210\",\"primary\":true,\"label\":\"mobile\"}]}");
        assertEquals(200, p.status());
        long pid = p.json().at("/data/id").asLong();
        assertTrue(pid >= 1_000_000, "ids start high");
        assertEquals(2001, p.json().at("/data/owner_id").asLong());
        assertEquals(1, fake.newPersons().size());
        assertEquals(List.of("+91 98765 43210"), fake.newPersons().get(0).phones());

        assertEquals(400, post("/api/v2/persons", "{\"phones\":[]}").status()); // name required
        assertEquals(400, post("/api/v2/persons", "{\"name\":\"X\",\"owner_id\":\"2001\"}").status()); // string id
        assertEquals(400, post("/api/v2/persons", "{\"name\":\"X\",\"owner_id\":2009}").status()); // inactive user
        assertEquals(400, post("/api/v2/persons", "{\"name\":\"X\",\"phones\":[\"+91 1\"]}").status()); // not objects

        Res d = post("/api/v2/deals", "{\"title\":\"Inbound call – Kiran\",\"person_id\":" + pid + ",\"owner_id\":2001}");
        assertEquals(200, d.status());
        assertEquals("open", d.json().at("/data/status").asText());
        assertEquals(1, d.json().at("/data/stage_id").asLong());
        assertEquals(400, post("/api/v2/deals", "{\"person_id\":" + pid + "}").status()); // title required
        assertEquals(400, post("/api/v2/deals", "{\"title\":\"x\",\"person_id\":999}").status());
        assertEquals(400, post("/api/v2/deals", "{\"title\":\"x\",\"person_id\":" + pid + ",\"owner_id\":true}").status());
        assertEquals(400, post("/api/v2/deals", "{\"title\":\"x\",\"stage_id\":77}").status());
        assertEquals(3, post("/api/v2/deals", "{\"title\":\"x\",\"stage_id\":3}").json().at("/data/stage_id").asLong());

        Res user = post("/api/v2/deals", "{\"title\":\"v1 field\",\"user_id\":2001}");
        assertEquals(200, user.status());
        assertEquals(1001, user.json().at("/data/owner_id").asLong(), "user_id is dropped: token user owns it");
        assertEquals(1, fake.violations().size());
        assertEquals(3, fake.newDeals().size());

        Res patched = patch("/api/v2/persons/" + pid, "{\"phones\":[{\"value\":\"+91 98765 43210\"},{\"value\":\"0222 1\"}]}");
        assertEquals(200, patched.status());
        assertEquals(2, fake.person(pid).orElseThrow().phones().size());
        assertEquals(404, get("/api/v2/persons/123").status());
    }

    @Test
    void listsOpenDealsNewestFirstWithoutArchivedOrDeleted() throws Exception {
        long p = fake.addPerson(null, "Meera Iyer", "09767001234");
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        long older = fake.addDeal(null, p, "older", "open", t);
        long newer = fake.addDeal(null, p, "newer", "open", t.plusSeconds(3600));
        long won = fake.addDeal(null, p, "won", "won", t.plusSeconds(7200));
        long archived = fake.addDeal(null, p, "archived", "open", t.plusSeconds(9000));
        long deleted = fake.addDeal(null, p, "deleted", "open", t.plusSeconds(9500));
        fake.archiveDeal(archived);
        fake.deleteDeal(deleted);
        fake.addDeal(null, fake.addPerson(null, "Other", "1234567"), "other person", "open", t);

        Res r = get("/api/v2/deals?person_id=" + p + "&status=open&sort_by=update_time&sort_direction=desc&limit=50");
        assertEquals(200, r.status());
        assertEquals(List.of(newer, older), ids(r.json().get("data")));
        assertEquals(List.of(won, newer, older), ids(get("/api/v2/deals?person_id=" + p
                + "&status=open,won&sort_by=update_time&sort_direction=desc").json().get("data")));
        assertEquals(List.of(older, newer, won), ids(get("/api/v2/deals?person_id=" + p).json().get("data")));
        assertEquals(List.of(deleted), ids(get("/api/v2/deals?person_id=" + p + "&status=deleted").json().get("data")));
        assertEquals(List.of(archived), ids(get("/api/v2/deals/archived?person_id=" + p).json().get("data")));
        assertEquals(400, get("/api/v2/deals?status=closed").status());
        assertEquals(400, get("/api/v2/deals?sort_by=title").status());
        assertEquals(400, get("/api/v2/deals?person_id=abc").status());

        Res person = get("/api/v2/persons/" + p + "?include_fields=open_deals_count");
        assertEquals(2, person.json().at("/data/open_deals_count").asInt());
        assertTrue(get("/api/v2/deals/" + archived).json().at("/data/is_archived").asBoolean());
    }

    @Test
    void paginatesWithCursor() throws Exception {
        long p = fake.addPerson(null, "Many", "9000000000");
        for (int i = 0; i < 5; i++) {
            fake.addDeal(null, p, "d" + i, "open", null);
        }
        Res first = get("/api/v2/deals?person_id=" + p + "&limit=2");
        assertEquals(2, first.json().get("data").size());
        String cursor = first.json().at("/additional_data/next_cursor").asText();
        Res second = get("/api/v2/deals?person_id=" + p + "&limit=2&cursor=" + enc(cursor));
        Res third = get("/api/v2/deals?person_id=" + p + "&limit=2&cursor="
                + enc(second.json().at("/additional_data/next_cursor").asText()));
        assertEquals(1, third.json().get("data").size());
        assertTrue(third.json().at("/additional_data/next_cursor").isNull());
        assertEquals(400, get("/api/v2/deals?limit=501").status());
        assertEquals(400, get("/api/v2/deals?cursor=garbage!").status());
    }

    @Test
    void openDealsLimitAnswers403FeatureCapping() throws Exception {
        fake.setOpenDealsLimit(1);
        long p = fake.addPerson(null, "P", "9111111111");
        assertEquals(200, post("/api/v2/deals", "{\"title\":\"first\",\"person_id\":" + p + "}").status());
        Res r = post("/api/v2/deals", "{\"title\":\"second\",\"person_id\":" + p + "}");
        assertEquals(403, r.status());
        assertEquals("feature_capping_deals_limit", r.json().get("code").asText());
        assertEquals(200, post("/api/v2/deals", "{\"title\":\"won one\",\"status\":\"won\"}").status());
    }

    // ------------------------------------------------------------------ activities

    @Test
    void activityValidationIsStrict() throws Exception {
        long p = fake.addPerson(null, "Anil", "+91 98450 12367");
        long deal = fake.addDeal(null, p, "deal", "open", null);
        String part = ",\"participants\":[{\"person_id\":" + p + ",\"primary\":true}]";

        Res withPersonId = post("/api/v2/activities", "{\"subject\":\"x\",\"type\":\"call\",\"deal_id\":" + deal
                + ",\"person_id\":" + p + "}");
        assertEquals(400, withPersonId.status());
        assertTrue(withPersonId.json().get("error").asText().contains("read-only"));
        assertEquals(1, fake.violations().size());
        assertTrue(fake.violations().get(0).message().contains("person_id"));

        for (String bad : List.of(
                "{\"type\":\"call\",\"deal_id\":\"" + deal + "\"}",          // string id
                "{\"type\":\"call\",\"deal_id\":" + deal + ".0}",            // float id
                "{\"type\":\"call\",\"deal_id\":" + deal + ",\"done\":1}",   // int for bool
                "{\"type\":\"call\",\"owner_id\":true}",                     // bool for int
                "{\"type\":\"call\",\"owner_id\":2009}",                     // inactive user
                "{\"type\":\"call\",\"owner_id\":4242}",                     // unknown user
                "{\"type\":\"call\",\"deal_id\":123}",                       // unknown deal
                "{\"type\":\"phone_call\"}",                                 // unknown type
                "{\"type\":\"call\",\"due_date\":\"2026-02-30\"}",
                "{\"type\":\"call\",\"due_date\":\"30/01/2026\"}",
                "{\"type\":\"call\",\"due_time\":\"24:00\"}",
                "{\"type\":\"call\",\"due_time\":\"9:05\"}",
                "{\"type\":\"call\",\"due_time\":\"09:05:00\"}",
                "{\"type\":\"call\",\"duration\":\"00:00\"}",
                "{\"type\":\"call\",\"duration\":120}",
                "{\"type\":\"call\",\"participants\":[{\"person_id\":\"" + p + "\",\"primary\":true}]}",
                "{\"type\":\"call\",\"participants\":[{\"person_id\":" + p + ",\"primary\":\"true\"}]}",
                "{\"type\":\"call\",\"participants\":[{\"person_id\":999,\"primary\":true}]}",
                "{\"type\":\"call\",\"participants\":{\"person_id\":" + p + "}}",
                "{\"subject\":5,\"type\":\"call\"}")) {
            Res r = post("/api/v2/activities", bad);
            assertEquals(400, r.status(), bad + " -> " + r.body());
        }
        fake.setActivityTypeActive("call", false);
        assertEquals(400, post("/api/v2/activities", "{\"type\":\"call\"}").status());
        fake.setActivityTypeActive("call", true);
        assertEquals(0, fake.activities().size());

        Res ok = post("/api/v2/activities", "{\"subject\":\"Inbound call – 2 min\",\"type\":\"call\",\"owner_id\":2001,"
                + "\"deal_id\":" + deal + part + ",\"due_date\":\"2026-06-01\",\"due_time\":\"23:59\","
                + "\"duration\":\"00:02\",\"done\":true,\"note\":\"<p>Answered by Priya</p>\"}");
        assertEquals(200, ok.status(), ok.body());
        PipedriveFake.Activity a = fake.activities().get(0);
        assertEquals(p, a.personId());
        assertEquals(deal, a.dealId());
        assertEquals(2001L, a.ownerId());
        assertEquals("00:02", a.duration());
        assertTrue(a.done());
        assertEquals(p, ok.json().at("/data/person_id").asLong());

        Res v1Owner = post("/api/v2/activities", "{\"type\":\"call\",\"user_id\":2001,\"deal_id\":" + deal + "}");
        assertEquals(200, v1Owner.status());
        assertEquals(1001, v1Owner.json().at("/data/owner_id").asLong(), "token user becomes owner");
        assertEquals(2, fake.violations().size());
    }

    @Test
    void activityListPatchAndDelete() throws Exception {
        long p = fake.addPerson(null, "Anil", "+91 98450 12367");
        long deal = fake.addDeal(null, p, "deal", "open", null);
        long a1 = post("/api/v2/activities", "{\"type\":\"call\",\"deal_id\":" + deal + ",\"done\":false,"
                + "\"participants\":[{\"person_id\":" + p + ",\"primary\":true}]}").json().at("/data/id").asLong();
        long a2 = post("/api/v2/activities", "{\"type\":\"call\",\"deal_id\":" + deal + ",\"done\":true}")
                .json().at("/data/id").asLong();
        assertEquals(List.of(a1, a2), ids(get("/api/v2/activities?deal_id=" + deal).json().get("data")).stream()
                .filter(id -> id == a1 || id == a2).toList());
        assertEquals(List.of(a1), ids(get("/api/v2/activities?person_id=" + p).json().get("data")).stream()
                .filter(id -> id == a1 || id == a2).toList());
        assertEquals(1, get("/api/v2/activities?deal_id=" + deal + "&done=false").json().get("data").size());
        assertEquals(2, get("/api/v2/activities?updated_since=" + enc("2020-01-01T00:00:00Z")).json().get("data").size());
        assertEquals(0, get("/api/v2/activities?updated_since=2099-01-01T00:00:00Z").json().get("data").size());
        assertEquals(400, get("/api/v2/activities?updated_since=yesterday").status());

        Res patched = patch("/api/v2/activities/" + a1, "{\"done\":true,\"note\":\"updated\"}");
        assertEquals(200, patched.status());
        assertTrue(fake.activity(a1).orElseThrow().done());
        assertNotNull(patched.json().at("/data/marked_as_done_time").textValue());
        assertEquals(400, patch("/api/v2/activities/" + a1, "{\"person_id\":" + p + "}").status());

        assertEquals(200, call("DELETE", "/api/v2/activities/" + a2, null, true).status());
        assertEquals(404, get("/api/v2/activities/" + a2).status());
        assertTrue(fake.activity(a2).orElseThrow().deleted());
        assertEquals(1, get("/api/v2/activities?deal_id=" + deal).json().get("data").size());
        assertEquals(4, fake.writes());
        assertEquals(5 + 5 + 10 + 10 + 10 + 10 + 10 + 10 + 5 + 5 + 3 + 1 + 10, fake.tokensSpent()); // a 400/404 is still charged
    }

    // ------------------------------------------------------------------ users

    @Test
    void usersCarryIsYouForTheTokenUser() throws Exception {
        fake.setTokenUser(2002);
        Res r = get("/v1/users");
        assertEquals(200, r.status());
        assertFalse(r.json().at("/additional_data/pagination/more_items_in_collection").asBoolean(true));
        for (JsonNode u : r.json().get("data")) {
            assertEquals(u.get("id").asLong() == 2002, u.get("is_you").asBoolean(), u.toString());
        }
        assertEquals(4, r.json().get("data").size());
        Res me = get("/api/v1/users/me");
        assertEquals(2002, me.json().at("/data/id").asLong());
        assertEquals("example-traders", me.json().at("/data/company_domain").asText());
        Res types = get("/v1/activityTypes");
        assertEquals(List.of("call", "meeting", "task", "deadline", "email"),
                types.json().get("data").findValuesAsText("key_string"));
        assertEquals(20 + 2 + 20, fake.tokensSpent());
    }

    // ------------------------------------------------------------------ costs and rate limits

    @Test
    void chargesPipedriveTokenCosts() throws Exception {
        long p = fake.addPerson(null, "Anil", "+91 98450 12367");
        get("/api/v2/persons/search?term=9845012367&fields=phone");
        get("/api/v2/persons/" + p);
        get("/api/v2/deals?person_id=" + p + "&status=open");
        Res created = post("/api/v2/activities", "{\"type\":\"call\",\"participants\":[{\"person_id\":" + p + ",\"primary\":true}]}");
        assertEquals(20 + 1 + 10 + 5, fake.tokensSpent());
        assertEquals(List.of(20, 1, 10, 5), fake.requests().stream().map(PipedriveFake.RecordedRequest::cost).toList());
        assertEquals(String.valueOf(PipedriveFake.DEFAULT_DAILY_BUDGET - 36), created.header("x-daily-ratelimit-token-remaining"));
        assertNotNull(created.header("x-ratelimit-limit"));
        assertNotNull(created.header("x-ratelimit-remaining"));
        assertNotNull(created.header("x-ratelimit-reset"));
        PipedriveFake.RecordedRequest last = fake.requests().get(3);
        assertEquals("POST", last.method());
        assertEquals("/api/v2/activities", last.path());
        assertEquals("call", last.bodyField("type"));
        assertEquals(1, fake.writes());
    }

    @Test
    void burstLimitAnswers429WithRetryAfter() throws Exception {
        fake.setLimits(3, 10, 1_000_000);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/v1/users/me").status());
        }
        Res r = get("/v1/users/me");
        assertEquals(429, r.status());
        assertEquals("Rate limit exceeded", r.json().get("error").asText());
        assertEquals(429, r.json().get("errorCode").asInt());
        int retryAfter = Integer.parseInt(r.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
        assertEquals("0", r.header("x-ratelimit-remaining"));
        assertEquals("3", r.header("x-ratelimit-limit"));
        assertNotNull(r.header("x-daily-ratelimit-token-remaining"));
        assertEquals(6, fake.tokensSpent(), "a 429 costs nothing");
    }

    @Test
    void searchLimitAndDailyBudget() throws Exception {
        fake.addPerson(null, "Anil", "+91 98450 12367");
        fake.setLimits(100, 2, 1_000_000);
        assertEquals(200, get("/api/v2/persons/search?term=98450&fields=phone").status());
        assertEquals(200, get("/api/v2/persons/search?term=98450&fields=phone").status());
        assertEquals(429, get("/api/v2/persons/search?term=98450&fields=phone").status());
        assertEquals(200, get("/v1/users/me").status(), "other endpoints are not search-limited");

        fake.reset();
        fake.setLimits(100, 100, 25);
        assertEquals(200, get("/api/v2/persons/search?term=98450&fields=phone").status());
        Res r = get("/api/v2/persons/search?term=98450&fields=phone");
        assertEquals(429, r.status());
        assertEquals("0", r.header("x-daily-ratelimit-token-remaining"));
        assertTrue(Long.parseLong(r.header("Retry-After")) > 0);
        assertEquals(200, get("/v1/users/me").status(), "2 tokens still fit in the budget");
    }

    @Test
    void rateLimitingCanBeDisabled() throws Exception {
        fake.setLimits(1, 1, 1);
        fake.setRateLimiting(false);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/v1/users").status());
        }
    }

    // ------------------------------------------------------------------ faults

    @Test
    void statusFaultsIncludingHtmlPages() throws Exception {
        PipedriveFake.InjectedFault f403 = fake.fault(FakeFault.on("GET", "/persons/search").status(403));
        Res r = get("/api/v2/persons/search?term=98450&fields=phone");
        assertEquals(403, r.status());
        assertTrue(r.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("Cloudflare"));
        assertNull(r.json());
        assertEquals(1, f403.hits());
        assertEquals(200, get("/api/v2/persons/search?term=98450&fields=phone").status(), "times defaults to 1");

        fake.fault(FakeFault.on("GET", "/v1/users").status(502));
        Res bad = get("/v1/users");
        assertEquals(502, bad.status());
        assertTrue(bad.body().startsWith("<html>"));

        fake.fault(FakeFault.on("*", "/v1/users/me").status(429).retryAfter(7));
        Res limited = get("/v1/users/me");
        assertEquals(429, limited.status());
        assertEquals("7", limited.header("Retry-After"));

        fake.fault(FakeFault.on("GET", "/api/v2/deals$").status(503).times(2).skip(1));
        assertEquals(200, get("/api/v2/deals").status());
        assertEquals(503, get("/api/v2/deals").status());
        Res json503 = get("/api/v2/deals");
        assertEquals(503, json503.status());
        assertFalse(json503.json().get("success").asBoolean());
        assertEquals(200, get("/api/v2/deals").status());

        assertEquals(0, fake.writes());
        assertEquals("status:403", fake.requests().get(0).fault());
        assertEquals(5, fake.stats().get("faults_injected").asInt());
    }

    @Test
    void createThenStoresTheWriteAndAnswersAnError() throws Exception {
        long p = fake.addPerson(null, "Anil", "+91 98450 12367");
        fake.fault(FakeFault.on("POST", "/api/v2/activities").createThen(500));
        Res r = post("/api/v2/activities", "{\"type\":\"call\",\"participants\":[{\"person_id\":" + p + ",\"primary\":true}]}");
        assertEquals(500, r.status());
        assertEquals(1, fake.activities().size(), "stored although the answer was 500");
        assertEquals(1, fake.writes());

        fake.fault(FakeFault.on("POST", "/api/v2/deals").createThen(400));
        Res d = post("/api/v2/deals", "{\"title\":\"x\",\"person_id\":" + p + "}");
        assertEquals(400, d.status());
        assertEquals(1, fake.newDeals().size());

        fake.fault(FakeFault.on("POST", "/api/v2/deals").createThen(400));
        assertEquals(400, post("/api/v2/deals", "{\"person_id\":" + p + "}").status(), "a real 400 stays a 400");
        assertEquals(1, fake.newDeals().size());
    }

    @Test
    void dropClosesTheConnectionAndDelayDelays() throws Exception {
        // the JDK client silently retries an idempotent request (GET) when the connection closes without an
        // answer, so drop every attempt here
        PipedriveFake.InjectedFault drop = fake.fault(FakeFault.on("GET", "/v1/users/me").drop().always());
        assertThrows(IOException.class, () -> get("/v1/users/me"));
        assertTrue(drop.hits() >= 1);
        assertTrue(fake.requests().stream().allMatch(PipedriveFake.RecordedRequest::dropped));
        drop.remove();
        assertEquals(200, get("/v1/users/me").status());

        long p = fake.addPerson(null, "Anil", "+91 98450 12367");
        fake.fault(FakeFault.on("POST", "/api/v2/deals").dropAfter());
        HttpRequest deal = HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/api/v2/deals")).header("x-api-token", TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"x\",\"person_id\":" + p + "}")).build();
        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(deal, HttpResponse.BodyHandlers.ofString()));
        assertEquals(1, fake.newDeals().size(), "stored, but the answer was lost");

        fake.fault(FakeFault.on("GET", "/v1/users/me").delay(Duration.ofMillis(400)));
        long t0 = System.nanoTime();
        assertEquals(200, get("/v1/users/me").status());
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 380);

        HttpClient impatient = HttpClient.newHttpClient();
        fake.fault(FakeFault.on("GET", "/v1/users/me").delay(1500));
        HttpRequest req = HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/v1/users/me")).header("x-api-token", TOKEN)
                .timeout(Duration.ofMillis(300)).build();
        assertThrows(java.net.http.HttpTimeoutException.class, () -> impatient.send(req, HttpResponse.BodyHandlers.ofString()));
        // the fake still answers it later; a reset meanwhile would keep it out of the next test's log
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (fake.requests().stream().noneMatch(r -> "delay:1500ms".equals(r.fault())) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(fake.requests().stream().anyMatch(r -> "delay:1500ms".equals(r.fault()) && r.status() == 200));
    }

    @Test
    void requestsPendingDuringAResetDoNotLeakIntoTheNewState() throws Exception {
        PipedriveFake.InjectedFault slow = fake.fault(FakeFault.on("POST", "/api/v2/persons").delay(1000));
        java.util.concurrent.CompletableFuture<Res> pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return post("/api/v2/persons", "{\"name\":\"late\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (slow.hits() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, slow.hits(), "the request is waiting in the fake");
        fake.reset();
        assertEquals(503, pending.get(5, TimeUnit.SECONDS).status());
        assertEquals(List.of(), fake.persons());
        assertEquals(List.of(), fake.requests());
    }

    @Test
    void faultsCanBeClearedAndRemoved() throws Exception {
        PipedriveFake.InjectedFault f = fake.fault(FakeFault.onAny(".*").status(500).always());
        assertEquals(500, get("/v1/users").status());
        assertEquals(500, get("/v1/users").status());
        f.remove();
        assertEquals(200, get("/v1/users").status());
        fake.fault(FakeFault.onAny(".*").status(500).always());
        fake.clearFaults();
        assertEquals(200, get("/v1/users").status());
        assertEquals(2, f.hits());
    }

    // ------------------------------------------------------------------ reset, ids, control routes, call logs

    @Test
    void resetRestoresDefaultSeedAndNeverReusesIds() throws Exception {
        long p1 = post("/api/v2/persons", "{\"name\":\"A\"}").json().at("/data/id").asLong();
        fake.setOpenDealsLimit(0);
        fake.fault(FakeFault.onAny(".*").always());
        fake.reset();
        assertEquals(List.of(), fake.persons());
        assertEquals(List.of(), fake.requests());
        assertEquals(List.of(), fake.faults());
        assertEquals(List.of(1001L), fake.users().stream().map(PipedriveFake.User::id).toList());
        long p2 = post("/api/v2/persons", "{\"name\":\"B\"}").json().at("/data/id").asLong();
        assertTrue(p2 > p1, "ids are not reused after a reset");
        assertEquals(200, post("/api/v2/deals", "{\"title\":\"no cap after reset\"}").status());

        try (PipedriveFake other = PipedriveFake.start(TOKEN)) {
            assertTrue(other.addPerson(null, "C") > p2, "nor by another fake in the same JVM");
        }
    }

    @Test
    void controlRoutesShowStateAndStats() throws Exception {
        fake.addPerson(3001L, "Anil", "+91 98450 12367");
        get("/v1/persons/3001");
        Res state = call("GET", "/__sandbox/state", null, false);
        assertEquals(200, state.status());
        assertEquals("Anil", state.json().at("/persons/0/name").asText());
        assertTrue(state.json().has("deals") && state.json().has("activities") && state.json().has("users"));
        Res stats = call("GET", "/__sandbox/stats", null, false);
        assertEquals(1, stats.json().get("requests").asInt());
        assertEquals(1, stats.json().get("violation_count").asInt());
        assertEquals(0, stats.json().get("token_cost").asInt());
        assertEquals(200, call("POST", "/__sandbox/faults", "{\"path\":\"/v1/users\",\"status\":503}", false).status());
        assertEquals(503, get("/v1/users").status());
        assertEquals(200, call("POST", "/__sandbox/reset", "{}", false).status());
        assertEquals(List.of(), fake.persons());
        assertEquals(404, call("GET", "/__sandbox/nope", null, false).status());
    }

    @Test
    void callLogsCreateACallActivity() throws Exception {
        long p = fake.addPerson(null, "Anil", "+91 98450 12367");
        long deal = fake.addDeal(null, p, "deal", "open", null);
        Res r = post("/v1/callLogs", "{\"outcome\":\"connected\",\"to_phone_number\":\"+919845012367\","
                + "\"start_time\":\"2026-06-01 10:00:00\",\"end_time\":\"2026-06-01 10:02:05\",\"duration\":\"125\","
                + "\"person_id\":" + p + ",\"deal_id\":" + deal + ",\"user_id\":2001}");
        assertEquals(200, r.status(), r.body());
        PipedriveFake.Activity a = fake.activities().get(0);
        assertEquals("00:03", a.duration());
        assertEquals("10:00", a.dueTime());
        assertEquals(p, a.personId());
        assertEquals(List.of(), fake.violations(), "callLogs is a supported v1 endpoint");
        assertEquals(400, post("/v1/callLogs", "{\"outcome\":\"talked\",\"to_phone_number\":\"1\","
                + "\"start_time\":\"2026-06-01 10:00:00\",\"end_time\":\"2026-06-01 10:02:05\"}").status());
        assertEquals(400, post("/v1/callLogs", "{\"outcome\":\"connected\",\"to_phone_number\":\"1\","
                + "\"start_time\":\"2026-06-01T10:00:00Z\",\"end_time\":\"2026-06-01 10:02:05\"}").status());
    }

    @Test
    void writeListenerDescribesWrites() throws Exception {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        fake.setWriteListener(lines::add);
        try {
            long p = fake.addPerson(null, "Anil", "+91 98450 12367");
            long deal = post("/api/v2/deals", "{\"title\":\"Inbound call – Anil\",\"person_id\":" + p + "}").json().at("/data/id").asLong();
            post("/api/v2/activities", "{\"subject\":\"Inbound call – 2 min\",\"type\":\"call\",\"deal_id\":" + deal + "}");
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("created deal #" + deal + " 'Inbound call – Anil' for person #" + p), lines.get(0));
            assertTrue(lines.get(1).contains("'Inbound call – 2 min' on deal #" + deal), lines.get(1));
        } finally {
            fake.setWriteListener(null);
        }
    }

    // ------------------------------------------------------------------ the sandbox

    @Test
    void sandboxSeedLoads() {
        try (PipedriveFake sandbox = PipedriveFake.start("sandbox-token")) {
            PipedriveSandbox.seed(sandbox, PipedriveSandbox.defaultSeed());
            assertEquals(List.of(1001L, 2001L, 2002L, 2003L, 2004L), sandbox.users().stream().map(PipedriveFake.User::id).toList());
            assertTrue(sandbox.persons().stream().anyMatch(p -> p.phones().contains("(+91) 98330-01199")));
            assertEquals(List.of(), sandbox.newPersons());
            sandbox.reset();
            assertEquals(5, sandbox.users().size(), "reset returns to the sandbox seed");
        }
    }

    @Test
    void sandboxMainPrintsPortAndExitsWhenStdinCloses() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PipedriveSandbox.class.getName(), "--port", "0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertNotNull(first);
            assertTrue(first.matches("PORT=\\d+"), first);
            String base = "http://127.0.0.1:" + first.substring(5);
            HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/users/me"))
                    .header("x-api-token", "sandbox-token").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, me.statusCode());
            assertEquals(1001, M.readTree(me.body()).at("/data/id").asLong());
            HttpResponse<String> state = http.send(HttpRequest.newBuilder(URI.create(base + "/__sandbox/state")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(M.readTree(state.body()).get("persons").size() >= 5);
            proc.getOutputStream().close();
            assertTrue(proc.waitFor(15, TimeUnit.SECONDS), "sandbox exits when its stdin closes");
            assertEquals(0, proc.exitValue());
        } finally {
            proc.destroyForcibly();
        }
    }
}
