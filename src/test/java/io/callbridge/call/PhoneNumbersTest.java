package io.callbridge.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumbersTest {
    private final PhoneNumbers phones = new PhoneNumbers("IN");

    @ParameterizedTest
    @ValueSource(strings = {"+919876543210", "9876543210", "09876543210", "919876543210", "+91 98765 43210",
            "+91 98765-43210", "0091 98765 43210", "0091-9876543210", "(+91) 98765-43210", " +91-98765-43210 ",
            "+91 (98765) 43210"})
    void everyWayPeopleTypeAnIndianMobileIsTheSameNumber(String stored) {
        assertEquals(Optional.of("+919876543210"), phones.toE164(stored));
        assertTrue(phones.sameNumber(stored, "+919876543210"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+44 98765 43210", "+1 987 654 3210", "+9198765432", "98765432101", "+919876543211", ""})
    void otherNumbersWithTheSameDigitsDoNotMatch(String stored) {
        assertFalse(phones.sameNumber(stored, "+919876543210"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"12", "abc", "+", "++91", "0000", "not a phone", "+91 98450 1236x7", "0000000000",
            "+91984501236799", "9876543210 ext 12"})
    void garbageIsNotAPhoneNumber(String raw) {
        assertEquals(Optional.empty(), phones.toE164(raw));
    }

    @Test
    void nullIsNotAPhoneNumber() {
        assertEquals(Optional.empty(), phones.toE164(null));
        assertFalse(phones.sameNumber(null, "+919876543210"));
    }

    @Test
    void separateCountryCodeIsHonoured() {
        assertEquals(Optional.of("+919845012367"), phones.toE164("9845012367", "91"));
        assertEquals(Optional.of("+447911123456"), phones.toE164("07911 123456", "44"));
        assertEquals(Optional.of("+919845012367"), phones.toE164("9845012367", "not-a-code"));
    }

    @Test
    void nationalSignificantNumberIsTheLooseSearchTerm() {
        assertEquals("9876543210", phones.nationalSignificantNumber("+919876543210"));
        assertEquals("7911123456", phones.nationalSignificantNumber("+447911123456"));
    }

    @Test
    void prettyFormIsInternational() {
        assertEquals("+91 98765 43210", phones.pretty("+919876543210"));
    }

    @Test
    void defaultRegionIsConfigurable() {
        PhoneNumbers uk = new PhoneNumbers("GB");
        assertEquals(Optional.of("+447911123456"), uk.toE164("07911 123456"));
        assertThrows(IllegalArgumentException.class, () -> new PhoneNumbers("XX"));
    }
}
