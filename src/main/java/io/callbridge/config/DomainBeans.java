package io.callbridge.config;

import io.callbridge.call.CallActivityText;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.call.PhoneNumbers;
import io.callbridge.myoperator.MyOperatorWebhookParser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Makes the framework-free domain helpers injectable. */
@ApplicationScoped
public class DomainBeans {

    @Produces
    @Singleton
    PhoneNumbers phoneNumbers(CallbridgeConfig config) {
        return new PhoneNumbers(config.defaultRegion());
    }

    @Produces
    @Singleton
    CallActivityText callActivityText(PhoneNumbers phones) {
        return new CallActivityText(phones);
    }

    @Produces
    @Singleton
    MyOperatorWebhookParser myOperatorWebhookParser(ObjectMapper json, PhoneNumbers phones, Clock clock) {
        return new MyOperatorWebhookParser(json, phones, clock);
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
