package io.callbridge.myoperator;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Typed reads of webhook JSON with user-facing error messages. Two levels of strictness:
 * <ul>
 *   <li>{@code scalar}, {@code number}, {@code objects}: for fields the call cannot do without, or for
 *       structure; a wrong type is an {@link InvalidWebhookException} naming the field.</li>
 *   <li>{@code text}, {@code lenientNumber}: for descriptive fields; an unusable value counts as absent,
 *       so one odd field does not cost a whole call.</li>
 * </ul>
 * Numbers are accepted as JSON numbers or numeric strings, because MyOperator sends both.
 */
final class JsonFields {
    /** Longest text kept from a descriptive field (names, e-mails ...); longer values are truncated. */
    static final int MAX_TEXT = 1000;

    /** Longest id (call, session, event id, event type) accepted: they become storage keys; real ones are ~40. */
    static final int MAX_ID = 255;

    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,30}(\\.\\d{1,30})?");
    private static final int MAX_QUOTED = 60;

    private JsonFields() {
    }

    /** A scalar field as trimmed text; null when missing, null or blank. An object or array is invalid. */
    static String scalar(JsonNode parent, String field, String label) throws InvalidWebhookException {
        JsonNode node = parent.get(field);
        if (node != null && node.isContainerNode()) {
            throw new InvalidWebhookException(label + " must be a string or a number");
        }
        return text(parent, field);
    }

    /** An identifier: like {@link #scalar}, and longer than {@value #MAX_ID} characters is invalid. */
    static String id(JsonNode parent, String field, String label) throws InvalidWebhookException {
        String id = scalar(parent, field, label);
        if (id != null && id.length() > MAX_ID) {
            throw new InvalidWebhookException(label + " is too long (more than " + MAX_ID + " characters)");
        }
        return id;
    }

    /** A descriptive field as trimmed text, at most {@value #MAX_TEXT} characters; null when absent or unusable. */
    static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isValueNode() || node.isNull()) {
            return null;
        }
        String s = node.asText().trim();
        if (s.isEmpty()) {
            return null;
        }
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
    }

    /** A number or numeric string; null when missing, null or empty. Anything else is invalid. */
    static BigDecimal number(JsonNode parent, String field, String label) throws InvalidWebhookException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull() || node.isTextual() && node.asText().isBlank()) {
            return null;
        }
        BigDecimal value = decimal(node);
        if (value == null) {
            throw new InvalidWebhookException(label + " must be a number, got " + describe(node));
        }
        return value;
    }

    /** A number or numeric string; null when missing or not a number. */
    static BigDecimal lenientNumber(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node == null ? null : decimal(node);
    }

    /**
     * The elements of an array field, each of which must be an object; empty when the field is missing or
     * null. Not an array, too many elements, or a non-object element is invalid.
     *
     * @param tooMany the start of the message when there are more than {@code max} elements
     */
    static List<JsonNode> objects(JsonNode parent, String field, String label, int max, String tooMany)
            throws InvalidWebhookException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidWebhookException(label + " must be an array");
        }
        if (node.size() > max) {
            throw new InvalidWebhookException(tooMany + " in " + label + " (" + node.size() + ", at most " + max + ")");
        }
        List<JsonNode> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (!element.isObject()) {
                throw new InvalidWebhookException(label + "[" + i + "] must be an object");
            }
            out.add(element);
        }
        return out;
    }

    /** The field when it is an object; null when missing or null. Any other type is invalid. */
    static JsonNode object(JsonNode parent, String field, String label) throws InvalidWebhookException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidWebhookException(label + " must be an object");
        }
        return node;
    }

    /** A value quoted for an error message: shortened, control characters replaced. */
    static String quote(String value) {
        String s = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "…" : value;
        return "\"" + s.replaceAll("\\p{Cntrl}", "?").replace("\"", "'") + "\"";
    }

    /** Names a JSON value's kind for an error message. */
    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return quote(node.asText());
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        if (node.isNumber()) {
            return decimal(node) == null ? "a number out of range" : "a number";
        }
        return node.isNull() ? "null" : "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static BigDecimal decimal(JsonNode node) {
        if (node.isNumber()) {
            // A float literal too large for a double arrives as infinity, which BigDecimal cannot hold.
            if (node.isFloatingPointNumber() && !node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
                return null;
            }
            return node.decimalValue();
        }
        if (node.isTextual() && DECIMAL.matcher(node.asText().trim()).matches()) {
            return new BigDecimal(node.asText().trim());
        }
        return null;
    }
}
