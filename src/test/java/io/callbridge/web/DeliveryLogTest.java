package io.callbridge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeliveryLogTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "customer number \"+91 98450 12367\" is not a phone number|customer number \"+********2367\" is not a phone number",
            "customer number \"＋９１９８４５０１２３６７\" is not a phone number|customer number \"＋********2367\" is not a phone number",
            "_st (99999999999) is more than a day in the future|_st (*******9999) is more than a day in the future",
            "wrong webhook token|wrong webhook token",
            "kept as 59a076fb-9ce4-4651-a1e6-678bd1474c73|kept as 59a076fb-9ce4-4651-a1e6-678bd1474c73",
            "body is not valid JSON (line 1, column 12)|body is not valid JSON (line 1, column 12)",
    })
    void numbersInRejectionReasonsAreMaskedInTheLog(String reason, String logged) {
        assertEquals(logged, DeliveryLog.maskNumbers(reason));
    }
}
