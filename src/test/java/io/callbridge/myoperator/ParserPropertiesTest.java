package io.callbridge.myoperator;

import static io.callbridge.myoperator.ParserFixture.MAPPER;
import static io.callbridge.myoperator.ParserFixture.PARSER;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Whatever arrives, {@code parse} returns a delivery or throws {@link InvalidWebhookException} with a
 * user-facing message: never any other exception (which would become a 5xx and a retry storm).
 */
class ParserPropertiesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] CONTENT_TYPES = {null, "application/json", "application/x-www-form-urlencoded",
            "text/plain", "application/vnd.x+json; charset=utf-8", ""};

    /** What a mutation may put in place of a value (index 0 removes it instead). */
    private static final List<Supplier<JsonNode>> REPLACEMENTS = List.of(
            () -> null,
            NODES::nullNode,
            () -> NODES.textNode(""),
            () -> NODES.textNode("abc"),
            () -> NODES.textNode("1"),
            () -> NODES.textNode("2026-01-05T05:40:01Z"),
            () -> NODES.textNode("x".repeat(2000)),
            () -> NODES.numberNode(0),
            () -> NODES.numberNode(-1),
            () -> NODES.numberNode(99_999_999_999L),
            () -> NODES.numberNode(Long.MAX_VALUE),
            () -> NODES.numberNode(new BigInteger("9".repeat(40))),
            () -> NODES.numberNode(1.5e300),
            () -> NODES.numberNode(3.7),
            () -> NODES.booleanNode(true),
            NODES::objectNode,
            NODES::arrayNode,
            () -> NODES.arrayNode().add(NODES.objectNode()).add(1));

    @Property(tries = 300)
    void arbitraryBytes(@ForAll @Size(max = 300) byte[] body, @ForAll("contentTypes") String contentType) {
        assertWellBehaved(contentType, body);
    }

    @Property(tries = 500)
    void jsonLikeText(@ForAll @Chars({'{', '}', '[', ']', '"', ':', ',', '1', '_', 'a', ' ', '=', '&', '%'})
                      @StringLength(max = 60) String text,
                      @ForAll("contentTypes") String contentType) {
        assertWellBehaved(contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A sample with some values removed or replaced by another type, delivered in one of the body shapes.
     * Each mutation is one int: which value (by position in a depth-first walk) and what to do with it.
     */
    @Property(tries = 1500)
    void mutatedSamples(@ForAll("samples") String sample,
                        @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 1_000_000) Integer> mutations,
                        @ForAll @IntRange(min = 0, max = 4) int shape) {
        ObjectNode root = ParserFixture.sample(sample);
        for (int mutation : mutations) {
            mutate(root, mutation / REPLACEMENTS.size(), mutation % REPLACEMENTS.size());
        }
        deliver(root, shape);
    }

    @Provide
    Arbitrary<String> samples() {
        return Arbitraries.of(ParserFixture.SAMPLES);
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of(CONTENT_TYPES);
    }

    private static void deliver(ObjectNode root, int shape) {
        switch (shape) {
            case 0 -> assertWellBehaved("application/json", bytes(root.toString()));
            case 1 -> assertWellBehaved("application/x-www-form-urlencoded", ParserFixture.formBody(root));
            case 2 -> assertWellBehaved("application/json", bytes(MAPPER.createObjectNode().set("myoperator", root).toString()));
            case 3 -> assertWellBehaved(null, bytes(MAPPER.createObjectNode().put("myoperator", root.toString()).toString()));
            default -> assertWellBehaved("text/plain", bytes(root.toString()));
        }
    }

    private static void assertWellBehaved(String contentType, byte[] body) {
        try {
            WebhookDelivery delivery = PARSER.parse(contentType, body);
            assertNotNull(delivery);
            if (delivery instanceof CallDelivery call) {
                assertNotNull(call.call());
                assertFalse(call.eventId().isBlank());
            }
        } catch (InvalidWebhookException e) {
            ParserFixture.assertUserFacing(e.getMessage());
            // The catch-all is a safety net; every input should meet an explicit check first.
            assertNotEquals(MyOperatorWebhookParser.UNEXPECTED_CONTENT, e.getMessage());
        }
    }

    /** Applies replacement {@code op} to the value at depth-first position {@code position} (modulo their number). */
    private static void mutate(ObjectNode root, int position, int op) {
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        if (slots.isEmpty()) {
            return;
        }
        Slot slot = slots.get(position % slots.size());
        JsonNode replacement = REPLACEMENTS.get(op).get();
        if (slot.parent() instanceof ObjectNode object) {
            if (replacement == null) {
                object.remove(slot.field());
            } else {
                object.set(slot.field(), replacement);
            }
        } else {
            ArrayNode array = (ArrayNode) slot.parent();
            if (replacement == null) {
                array.remove(slot.index());
            } else {
                array.set(slot.index(), replacement);
            }
        }
    }

    /** A place holding a value: a field of an object or an element of an array. */
    private record Slot(ContainerNode<?> parent, String field, int index) {
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode object) {
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                slots.add(new Slot(object, name, -1));
                collect(object.get(name), slots);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                slots.add(new Slot(array, null, i));
                collect(array.get(i), slots);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
