package io.callbridge.pipedrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/**
 * Turns every Pipedrive error answer into a {@link PipedriveException}: JSON error envelopes, the
 * rate-limit headers, and the non-JSON bodies that also happen (a Cloudflare HTML 403 page, an empty 502).
 */
public class PipedriveErrorMapper implements ResponseExceptionMapper<PipedriveException> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 300;

    @Override
    public boolean handles(int status, MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }

    @Override
    public PipedriveException toThrowable(Response response) {
        int status = response.getStatus();
        String body = readBody(response);
        String error = null;
        String code = null;
        String trimmed = body.trim();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(trimmed);
                error = text(node, "error");
                String info = text(node, "error_info");
                code = text(node, "code");
                if (code == null) {
                    code = text(node, "errorCode");
                }
                if (info != null && error != null && !info.startsWith("Please check")) {
                    error = error + " (" + info + ")";
                }
            } catch (Exception notJson) {
                error = null;
            }
        }
        if (error == null) {
            error = trimmed.isEmpty() ? "empty body"
                    : trimmed.startsWith("<") ? "non-JSON answer (HTML page)" : "non-JSON answer";
        }
        Duration retryAfter = retryAfter(response);
        String daily = response.getHeaderString("x-daily-ratelimit-token-remaining");
        boolean dailyExhausted = status == 429 && daily != null && daily.trim().equals("0");
        String message = "Pipedrive answered " + status + ": " + error;
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        return new PipedriveException(status, code, message, retryAfter, dailyExhausted);
    }

    private static Duration retryAfter(Response response) {
        Duration d = seconds(response.getHeaderString("Retry-After"));
        return d != null ? d : response.getStatus() == 429 ? seconds(response.getHeaderString("x-ratelimit-reset")) : null;
    }

    private static Duration seconds(String value) {
        if (value == null) {
            return null;
        }
        try {
            double s = Double.parseDouble(value.trim());
            return s < 0 ? null : Duration.ofMillis((long) (s * 1000));
        } catch (NumberFormatException e) {
            return null; // an HTTP date: treat as unknown, the caller's own back-off applies
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String readBody(Response response) {
        try {
            if (!response.hasEntity()) {
                return "";
            }
            String s = response.readEntity(String.class);
            return s == null ? "" : s;
        } catch (RuntimeException e) {
            return "";
        }
    }
}
