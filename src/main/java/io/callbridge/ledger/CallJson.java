package io.callbridge.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callbridge.call.Call;

/** The stored form of a call: the domain record as JSON. */
final class CallJson {
    private final ObjectMapper json;

    CallJson(ObjectMapper json) {
        this.json = json;
    }

    String write(Call call) {
        try {
            return json.writeValueAsString(call);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("call cannot be stored as JSON", e);
        }
    }

    Call read(String s) {
        try {
            return json.readValue(s, Call.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored call is not readable", e);
        }
    }
}
