package io.callbridge.deploy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads a CloudFormation/SAM YAML template into the JSON form CloudFormation itself uses.
 *
 * <p>Jackson's YAML parser keeps the scalar of a tagged node and drops the tag ({@code !Ref CallTable} reads as the
 * string {@code "CallTable"}), so a plain {@code YAMLMapper.readTree} loses every intrinsic function. This reader
 * walks the parser's tokens itself and asks {@link YAMLParser#getTypeId()} for each node's tag, turning the short
 * forms into their JSON forms: {@code !Ref X} into {@code {"Ref": "X"}}, {@code !GetAtt A.B} into
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Sub s} into {@code {"Fn::Sub": s}}, {@code !Condition c} into
 * {@code {"Condition": c}} and every other {@code !X} into {@code {"Fn::X": ...}}. An unknown tag (a typo such as
 * {@code !Reff}) and a duplicate key are errors, as they are for CloudFormation.
 */
final class CloudFormationYaml {
    /** The short forms CloudFormation accepts (besides Ref, Condition and GetAtt, which are handled apart). */
    private static final Set<String> FN_TAGS = Set.of("Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue",
            "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length",
            "ToJsonString");
    private static final String YAML_CORE_TAG_PREFIX = "tag:yaml.org,2002:";
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CloudFormationYaml() {
    }

    static ObjectNode read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString());
        }
    }

    static ObjectNode read(String yaml) throws IOException {
        return read(new StringReader(yaml), "<string>");
    }

    private static ObjectNode read(Reader reader, String source) throws IOException {
        try (YAMLParser parser = YAML.createParser(reader)) {
            if (parser.nextToken() == null) {
                throw new IOException(source + " is empty");
            }
            JsonNode root = node(parser, source);
            if (parser.nextToken() != null) {
                throw new IOException(source + " holds more than one YAML document");
            }
            if (!(root instanceof ObjectNode template)) {
                throw new IOException(source + " is not a YAML mapping at the top");
            }
            return template;
        }
    }

    /** The node starting at the parser's current token; leaves the parser on the node's last token. */
    private static JsonNode node(YAMLParser parser, String source) throws IOException {
        String tag = tag(parser); // read before moving on: it belongs to the current event
        JsonLocation where = parser.currentTokenLocation();
        JsonNode value = switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonLocation keyAt = parser.currentTokenLocation();
                    parser.nextToken();
                    if (object.replace(name, node(parser, source)) != null) {
                        throw new IOException(source + ":" + keyAt.getLineNr() + ": duplicate key '" + name + "'");
                    }
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(node(parser, source));
                }
                yield array;
            }
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException(source + ":" + where.getLineNr() + ": unsupported YAML token "
                    + parser.currentToken());
        };
        return tag == null ? simplify(value) : intrinsic(tag, value, source + ":" + where.getLineNr());
    }

    /** Integers as small as they fit, so the JSON looks as it would have been written. */
    private static JsonNode simplify(JsonNode value) {
        if (value.isBigInteger() && value.canConvertToLong()) {
            long l = value.longValue();
            return l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
        }
        return value;
    }

    /** The node's local tag without its '!' ("Ref" for {@code !Ref}), or null when it has none. */
    private static String tag(YAMLParser parser) throws IOException {
        String tag = parser.getTypeId(); // Jackson strips the leading '!'s of a local tag
        if (tag == null || tag.isEmpty() || tag.startsWith(YAML_CORE_TAG_PREFIX)) {
            return null; // untagged, the non-specific "!", or a standard tag such as !!str: plain YAML
        }
        return tag;
    }

    private static JsonNode intrinsic(String tag, JsonNode value, String where) throws IOException {
        ObjectNode fn = NODES.objectNode();
        switch (tag) {
            case "Ref", "Condition" -> fn.set(tag, value);
            case "GetAtt" -> {
                if (value.isTextual()) {
                    String text = value.textValue();
                    int dot = text.indexOf('.');
                    if (dot <= 0 || dot == text.length() - 1) {
                        throw new IOException(where + ": !GetAtt needs Resource.Attribute, got '" + text + "'");
                    }
                    fn.set("Fn::GetAtt", NODES.arrayNode().add(text.substring(0, dot)).add(text.substring(dot + 1)));
                } else {
                    fn.set("Fn::GetAtt", value);
                }
            }
            default -> {
                if (!FN_TAGS.contains(tag)) {
                    throw new IOException(where + ": unknown CloudFormation tag !" + tag);
                }
                fn.set("Fn::" + tag, value);
            }
        }
        return fn;
    }
}
