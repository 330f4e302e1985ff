package io.callbridge.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * API Gateway events for the benchmark, made from the MyOperator samples in {@code events/}: each delivery gets its
 * own call id, caller number and API Gateway request id. Incoming calls use {@code 01-incoming-open-deal-v1-form.json}
 * (answered by Priya), outgoing ones {@code 05-outgoing-no-open-deal-v1-form.json} (Arjun, no answer); both are v1
 * after-call deliveries as a form field, the format MyOperator sends by default. They carry the tests' webhook token.
 */
final class BenchEvents {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String FIELD = "myoperator=";
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** A caller's number in the forms the benchmark needs. */
    record Phone(String national, String e164, String display) {
    }

    private final ObjectNode incoming;
    private final ObjectNode outgoing;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong numbers = new AtomicLong(ThreadLocalRandom.current().nextLong(10_000_000, 40_000_000));

    BenchEvents() {
        incoming = load("01-incoming-open-deal-v1-form.json");
        outgoing = load("05-outgoing-no-open-deal-v1-form.json");
    }

    /** A fresh, valid Indian mobile number nobody has used in this run. */
    Phone newPhone() {
        while (true) {
            String national = "98" + String.format("%08d", numbers.incrementAndGet());
            try {
                if (PHONES.isValidNumber(PHONES.parse("+91" + national, "IN"))) {
                    return new Phone(national, "+91" + national,
                            "+91 " + national.substring(0, 5) + " " + national.substring(5));
                }
            } catch (NumberParseException e) {
                // try the next one
            }
        }
    }

    String newCallId() {
        return "bench-" + run + "-" + calls.incrementAndGet();
    }

    String newRequestId(String scenario) {
        return "bench-" + scenario + "-" + requests.incrementAndGet();
    }

    ObjectNode incoming(String callId, Phone from, String requestId) {
        return withCall(incoming, callId, from, requestId);
    }

    ObjectNode outgoing(String callId, Phone to, String requestId) {
        return withCall(outgoing, callId, to, requestId);
    }

    /** The same delivery again (MyOperator retrying): same body, a new API Gateway request id. */
    static ObjectNode again(ObjectNode event, String requestId) {
        ObjectNode copy = event.deepCopy();
        copy.withObject("/requestContext").put("requestId", requestId);
        return copy;
    }

    static APIGatewayV2HTTPEvent toLambdaEvent(ObjectNode event) {
        return JSON.convertValue(event, APIGatewayV2HTTPEvent.class);
    }

    static ObjectNode load(String file) {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(Path.of("events", file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode withCall(ObjectNode template, String callId, Phone phone, String requestId) {
        ObjectNode event = template.deepCopy();
        String body = event.get("body").asText();
        if (!body.startsWith(FIELD)) {
            throw new IllegalStateException("the benchmark templates are v1 form deliveries: " + body);
        }
        try {
            ObjectNode log = (ObjectNode) JSON.readTree(URLDecoder.decode(body.substring(FIELD.length()), StandardCharsets.UTF_8));
            log.put("_ai", callId).put("_cr", phone.national()).put("_cl", phone.e164());
            event.put("body", FIELD + URLEncoder.encode(JSON.writeValueAsString(log), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        event.withObject("/requestContext").put("requestId", requestId);
        return event;
    }
}
