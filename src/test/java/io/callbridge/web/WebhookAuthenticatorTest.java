package io.callbridge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookAuthenticatorTest {
    final WebhookAuthenticator auth = new WebhookAuthenticator(Optional.of("s3cret-token"), Optional.of("old-token"),
            List.of("13.232.0.0/16", "2001:db8::/32", "10.1.2.3"));

    static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyWayMyOperatorCanPresentTheToken() {
        assertTrue(auth.check("13.232.1.1", "s3cret-token", null, null).accepted());
        assertTrue(auth.check("13.232.1.1", null, "Bearer s3cret-token", null).accepted());
        assertTrue(auth.check("13.232.1.1", null, basic("myoperator:s3cret-token"), null).accepted());
        assertTrue(auth.check("13.232.1.1", null, basic("s3cret-token:"), null).accepted());
        assertTrue(auth.check("13.232.1.1", null, null, "s3cret-token").accepted());
        assertTrue(auth.check("13.232.1.1", "old-token", null, null).accepted(), "rotation");
    }

    @Test
    void refusalsSayWhyWithoutTheSecret() {
        assertEquals("wrong webhook token", auth.check("13.232.1.1", "nope", null, null).reason());
        assertTrue(auth.check("13.232.1.1", null, null, null).reason().startsWith("missing webhook token"));
        assertEquals("source address not allowed", auth.check("8.8.8.8", "s3cret-token", null, null).reason());
        assertFalse(auth.check(null, "s3cret-token", null, null).accepted(), "no source address, allow-list set");
        WebhookAuthenticator unset = new WebhookAuthenticator(Optional.empty(), Optional.empty(), List.of());
        assertTrue(unset.check("1.2.3.4", "anything", null, null).reason().contains("CALLBRIDGE_WEBHOOK_TOKEN"));
    }

    @ParameterizedTest
    @CsvSource({"13.232.255.254, true", "13.233.0.1, false", "10.1.2.3, true", "10.1.2.4, false",
            "2001:db8::1, true", "2001:db9::1, false", "not-an-ip, false", "example.com, false"})
    void allowListMatchesCidrBlocksAndSingleAddresses(String ip, boolean allowed) {
        assertEquals(allowed, new SourceAddresses(List.of("13.232.0.0/16", "2001:db8::/32", "10.1.2.3")).allows(ip));
    }

    @Test
    void aBadAllowListFailsAtStartUpWithTheSettingName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SourceAddresses(List.of("13.232.0.0/40")));
        assertTrue(e.getMessage().contains("CALLBRIDGE_WEBHOOK_ALLOWED_IPS"));
    }
}
