package io.callbridge.myoperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.callbridge.call.PhoneNumbers;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Set;

/**
 * Turns one raw MyOperator webhook delivery into a {@link WebhookDelivery}. Accepted bodies:
 * <ul>
 *   <li>form {@code myoperator=<v1 call log as a JSON string>} (other form fields ignored);</li>
 *   <li>JSON: the v1 call log itself, {@code {"myoperator": {...}}}, {@code {"myoperator": "<json>"}};</li>
 *   <li>JSON: a Webhook v2 envelope ({@code event_type}, {@code session_id}, {@code payload}).</li>
 * </ul>
 * The content type decides between form and JSON; when it is missing or odd (e.g. {@code text/plain})
 * the body is sniffed. Anything unusable is an {@link InvalidWebhookException} with a clear message;
 * no other exception leaves {@link #parse}.
 */
public final class MyOperatorWebhookParser {
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final Pattern CHARSET = Pattern.compile("(?i);\\s*charset\\s*=\\s*([^;]+)");
    private static final String FORM_FIELD = "myoperator";
    /** Keys only a v1 call log has; one is enough to read the body as a (possibly broken) call log. */
    private static final Set<String> V1_KEYS = Set.of("_ai", "_ld", "_pm", "_cl", "_cr", "_ev", "_su", "_st");

    /** The answer when an unforeseen value slips past the explicit checks (tests assert it never happens). */
    static final String UNEXPECTED_CONTENT =
            "body could not be read as a MyOperator webhook: it contains unexpected values";

    private final ObjectReader json;
    private final V1CallLogReader v1;
    private final V2EventReader v2;

    public MyOperatorWebhookParser(ObjectMapper mapper, PhoneNumbers phones, Clock clock) {
        this.json = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        CallNormaliser normaliser = new CallNormaliser(phones, clock);
        this.v1 = new V1CallLogReader(normaliser);
        this.v2 = new V2EventReader(normaliser);
    }

    /** contentType may be null; body is the raw request body bytes (UTF-8). */
    public WebhookDelivery parse(String contentType, byte[] body) throws InvalidWebhookException {
        try {
            return dispatch(unwrap(read(contentType, body)));
        } catch (RuntimeException e) {
            // A gap in the explicit checks: still the sender's data, so still a 4xx, never a crash.
            throw new InvalidWebhookException(UNEXPECTED_CONTENT);
        }
    }

    /** The body as a JSON tree: from the form field or the body itself. */
    private JsonNode read(String contentType, byte[] body) throws InvalidWebhookException {
        String text = decode(contentType, body).strip();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).strip();
        }
        if (text.isEmpty()) {
            throw new InvalidWebhookException("body is empty");
        }
        boolean jsonLike = text.startsWith("{") || text.startsWith("[");
        boolean declaredForm = FORM.equals(mediaType(contentType));
        // A form body never starts with a brace; a JSON body never starts with "myoperator=".
        boolean form = declaredForm ? !jsonLike : !jsonLike && looksLikeForm(text);
        if (!form) {
            return readJson(text, "body");
        }
        String field = formField(text);
        if (field == null) {
            throw new InvalidWebhookException("form body has no 'myoperator' field");
        }
        if (field.isBlank()) {
            throw new InvalidWebhookException("form field 'myoperator' is empty");
        }
        return readJson(field.strip(), "form field 'myoperator'");
    }

    /** {@code {"myoperator": {...}}} and {@code {"myoperator": "<json>"}} yield the inner object. */
    private JsonNode unwrap(JsonNode root) throws InvalidWebhookException {
        requireObject(root, "body");
        JsonNode inner = root.get(FORM_FIELD);
        if (inner == null) {
            return root;
        }
        if (inner.isTextual() && !inner.asText().isBlank()) {
            JsonNode parsed = readJson(inner.asText().strip(), "'myoperator' field");
            requireObject(parsed, "'myoperator' field");
            return parsed;
        }
        if (!inner.isObject()) {
            throw new InvalidWebhookException("'myoperator' field must be a JSON object or a JSON string, got "
                    + JsonFields.describe(inner));
        }
        return inner;
    }

    private WebhookDelivery dispatch(JsonNode delivery) throws InvalidWebhookException {
        if (delivery.has("event_type") || delivery.has("payload") && delivery.has("session_id")) {
            return v2.read(delivery);
        }
        if (V1_KEYS.stream().anyMatch(delivery::has)) {
            return v1.read(delivery);
        }
        throw new InvalidWebhookException(
                "body is neither a MyOperator call log (_ai, _ld ...) nor a v2 event (event_type, payload)");
    }

    private JsonNode readJson(String text, String what) throws InvalidWebhookException {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidWebhookException(what + " is not valid JSON: " + jsonProblem(e));
        }
    }

    /**
     * The body as text: in the charset the content type declares (UTF-8 when it declares none, as MyOperator
     * sends), strictly: bytes that are not valid in that charset are an error, not silently replaced.
     */
    private static String decode(String contentType, byte[] body) throws InvalidWebhookException {
        if (body == null || body.length == 0) {
            return "";
        }
        Charset charset = StandardCharsets.UTF_8;
        Matcher m = CHARSET.matcher(contentType == null ? "" : contentType);
        if (m.find()) {
            try {
                charset = Charset.forName(m.group(1).replace("\"", "").trim());
            } catch (IllegalArgumentException unknown) {
                String name = m.group(1).trim();
                throw new InvalidWebhookException("unsupported charset \""
                        + (name.length() > 40 ? name.substring(0, 40) : name) + "\"");
            }
        }
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidWebhookException("body is not valid " + charset.name() + " text");
        }
    }

    /** Jackson's complaint reduced to a plain sentence and a position: no parser internals. */
    private static String jsonProblem(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        if (e instanceof JsonEOFException) {
            return "it ends unexpectedly, it looks truncated" + where;
        }
        if (e instanceof StreamConstraintsException) {
            return "it is nested too deeply or a value is too large";
        }
        String message = String.valueOf(e.getOriginalMessage());
        if (message.startsWith("Trailing token")) {
            return "there is more after the JSON value" + where;
        }
        if (message.startsWith("Unexpected character") || message.startsWith("Unrecognized token")
                || message.startsWith("Invalid numeric value") || message.startsWith("Unexpected end-of-input")) {
            return "unexpected characters" + where;
        }
        if (message.startsWith("Illegal unquoted character") || message.startsWith("Unrecognized character escape")) {
            return "a string contains an invalid character or escape" + where;
        }
        if (message.startsWith("Duplicate field")) {
            return "a field appears twice" + where;
        }
        return "it is malformed" + where;
    }

    private static void requireObject(JsonNode node, String what) throws InvalidWebhookException {
        if (node == null || node.isMissingNode()) {
            throw new InvalidWebhookException(what + " is empty");
        }
        if (!node.isObject()) {
            throw new InvalidWebhookException(what + " must be a JSON object, got " + JsonFields.describe(node));
        }
    }

    /** The media type in lower case without parameters; null when absent. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static boolean looksLikeForm(String text) {
        return text.startsWith(FORM_FIELD + "=") || text.contains("&" + FORM_FIELD + "=");
    }

    /** The decoded value of the first {@code myoperator} form field; null when there is none. */
    private static String formField(String body) throws InvalidWebhookException {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (FORM_FIELD.equals(formDecode(name).strip())) {
                return eq < 0 ? "" : formDecode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String formDecode(String s) throws InvalidWebhookException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidWebhookException("form body is not valid URL encoding (a bad %-escape)");
        }
    }

}
