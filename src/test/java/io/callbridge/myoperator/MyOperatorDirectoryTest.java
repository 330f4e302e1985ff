package io.callbridge.myoperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The tolerant reading of MyOperator's users pages (shapes vary between accounts and are partly undocumented). */
class MyOperatorDirectoryTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode j(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void nextPageIsANumberTrueOrNothing() throws Exception {
        assertEquals(2, MyOperatorDirectory.nextPage(j("{\"next_page\": 2}"), 1));
        assertEquals(3, MyOperatorDirectory.nextPage(j("{\"next_page\": \"3\"}"), 2));
        assertEquals(2, MyOperatorDirectory.nextPage(j("{\"next_page\": true}"), 1));
        assertEquals(4, MyOperatorDirectory.nextPage(j("{\"data\": {\"next_page\": 4}}"), 3));
        assertNull(MyOperatorDirectory.nextPage(j("{\"next_page\": false}"), 1));
        assertNull(MyOperatorDirectory.nextPage(j("{\"next_page\": null}"), 1));
        assertNull(MyOperatorDirectory.nextPage(j("{\"next_page\": \"\"}"), 1));
        assertNull(MyOperatorDirectory.nextPage(j("{}"), 1));
        assertNull(MyOperatorDirectory.nextPage(j("{\"next_page\": 1}"), 1), "a page that does not advance ends");
    }

    @Test
    void usersAreFoundInTheKnownShapes() throws Exception {
        assertEquals(2, MyOperatorDirectory.usersOf(j("{\"data\": [{}, {}]}")).size());
        assertEquals(1, MyOperatorDirectory.usersOf(j("{\"data\": {\"users\": [{}]}}")).size());
        assertEquals(1, MyOperatorDirectory.usersOf(j("{\"data\": {\"data\": [{}]}}")).size());
        assertEquals(0, MyOperatorDirectory.usersOf(j("{\"data\": {}}")).size());
    }

    @Test
    void enabledFlagInItsSpellings() throws Exception {
        assertTrue(MyOperatorDirectory.enabled(j("{}").path("is_enabled")));
        assertTrue(MyOperatorDirectory.enabled(j("1")));
        assertTrue(MyOperatorDirectory.enabled(j("\"yes\"")));
        assertFalse(MyOperatorDirectory.enabled(j("0")));
        assertFalse(MyOperatorDirectory.enabled(j("\"0\"")));
        assertFalse(MyOperatorDirectory.enabled(j("false")));
        assertFalse(MyOperatorDirectory.enabled(j("\"disabled\"")));
    }
}
