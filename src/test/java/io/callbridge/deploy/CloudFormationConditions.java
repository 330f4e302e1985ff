package io.callbridge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a template's conditions decide for given parameter values, as CloudFormation decides it at deploy time: the
 * {@code Conditions} section evaluated ({@code Fn::Equals}, {@code Fn::Not}, {@code Fn::And}, {@code Fn::Or},
 * {@code Condition}), every {@code Fn::If} replaced by the branch it picks, {@code AWS::NoValue} taking its property
 * or list element away, and resources and outputs whose {@code Condition} is false left out. A parameter without a
 * value takes its {@code Default}. Everything else ({@code Ref} of resources, {@code Fn::Sub}, ...) is left as it
 * is, so the result can be checked like the template itself.
 *
 * <p>SAM CLI does not run here, so this is how the tests see each deployment variant of {@code template.yaml}. What
 * it cannot evaluate (an undeclared condition or parameter, a value a parameter does not allow, a function other
 * than those above inside a condition) is an {@link IllegalArgumentException} naming it, never a guess.
 */
final class CloudFormationConditions {
    private static final String NO_VALUE = "AWS::NoValue";

    private final ObjectNode template;
    private final Map<String, String> parameterValues;

    private CloudFormationConditions(ObjectNode template, Map<String, String> parameterValues) {
        this.template = template;
        this.parameterValues = parameterValues;
        for (Map.Entry<String, String> given : parameterValues.entrySet()) {
            JsonNode parameter = template.path("Parameters").get(given.getKey());
            if (parameter == null) {
                throw new IllegalArgumentException("the template has no parameter " + given.getKey()
                        + " (CloudFormation refuses a value for it)");
            }
            checkAllowed(given.getKey(), parameter, given.getValue());
        }
    }

    /** A copy of the template as deployed with these parameter values (the others at their defaults). */
    static ObjectNode resolve(ObjectNode template, Map<String, String> parameterValues) {
        CloudFormationConditions conditions = new CloudFormationConditions(template, parameterValues);
        ObjectNode resolved = template.deepCopy();
        for (String section : List.of("Resources", "Outputs")) {
            if (resolved.get(section) instanceof ObjectNode entries) {
                for (String name : names(entries)) {
                    JsonNode condition = entries.get(name).get("Condition");
                    if (condition != null && !conditions.holds(condition.asText(), new HashSet<>())) {
                        entries.remove(name);
                    }
                }
            }
        }
        for (String section : names(resolved)) {
            if (!section.equals("Conditions")) {
                resolved.set(section, conditions.resolveNode(resolved.get(section)));
            }
        }
        return resolved;
    }

    /** Whether the named condition holds for these parameter values (the others at their defaults). */
    static boolean holds(ObjectNode template, String condition, Map<String, String> parameterValues) {
        return new CloudFormationConditions(template, parameterValues).holds(condition, new HashSet<>());
    }

    /** The node with every Fn::If resolved; null when it is (or resolves to) AWS::NoValue. */
    private JsonNode resolveNode(JsonNode node) {
        if (isNoValue(node)) {
            return null;
        }
        if (node.isObject() && node.size() == 1 && node.has("Fn::If")) {
            JsonNode arguments = node.get("Fn::If");
            if (!arguments.isArray() || arguments.size() != 3 || !arguments.get(0).isTextual()) {
                throw new IllegalArgumentException("Fn::If takes [condition name, value if true, value if false],"
                        + " not " + arguments);
            }
            return resolveNode(holds(arguments.get(0).textValue(), new HashSet<>()) ? arguments.get(1)
                    : arguments.get(2));
        }
        if (node instanceof ObjectNode object) {
            for (String name : names(object)) {
                JsonNode value = resolveNode(object.get(name));
                if (value == null) {
                    object.remove(name);
                } else {
                    object.set(name, value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                JsonNode value = resolveNode(array.get(i));
                if (value == null) {
                    array.remove(i);
                } else {
                    array.set(i, value);
                }
            }
        }
        return node;
    }

    private boolean holds(String name, Set<String> evaluating) {
        JsonNode condition = template.path("Conditions").get(name);
        if (condition == null) {
            throw new IllegalArgumentException("the condition " + name + " is not declared in Conditions");
        }
        if (!evaluating.add(name)) {
            throw new IllegalArgumentException("the condition " + name + " refers to itself");
        }
        boolean holds = evaluate(condition, evaluating);
        evaluating.remove(name);
        return holds;
    }

    private boolean evaluate(JsonNode condition, Set<String> evaluating) {
        if (condition.isObject() && condition.size() == 1) {
            String function = condition.fieldNames().next();
            JsonNode arguments = condition.get(function);
            switch (function) {
                case "Condition":
                    return holds(arguments.asText(), evaluating);
                case "Fn::Equals":
                    if (arguments.isArray() && arguments.size() == 2) {
                        return value(arguments.get(0)).equals(value(arguments.get(1)));
                    }
                    break;
                case "Fn::Not":
                    if (arguments.isArray() && arguments.size() == 1) {
                        return !evaluate(arguments.get(0), evaluating);
                    }
                    break;
                case "Fn::And", "Fn::Or":
                    if (arguments.isArray() && arguments.size() >= 2) {
                        boolean and = function.equals("Fn::And");
                        for (JsonNode operand : arguments) {
                            if (evaluate(operand, evaluating) != and) {
                                return !and;
                            }
                        }
                        return and;
                    }
                    break;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("cannot evaluate the condition " + condition);
    }

    /** A value compared by Fn::Equals: a literal, or a parameter's value (CloudFormation compares them as text). */
    private String value(JsonNode node) {
        if (node.isValueNode()) {
            return node.asText();
        }
        if (node.isObject() && node.size() == 1 && node.get("Ref") != null && node.get("Ref").isTextual()) {
            String name = node.get("Ref").textValue();
            JsonNode parameter = template.path("Parameters").get(name);
            if (parameter == null) {
                throw new IllegalArgumentException("a condition refers to " + name + ", which is no parameter (this"
                        + " resolver evaluates parameters only)");
            }
            if (parameterValues.containsKey(name)) {
                return parameterValues.get(name);
            }
            JsonNode defaultValue = parameter.get("Default");
            if (defaultValue == null) {
                throw new IllegalArgumentException("the parameter " + name + " has no Default and no value was given");
            }
            checkAllowed(name, parameter, defaultValue.asText());
            return defaultValue.asText();
        }
        throw new IllegalArgumentException("cannot evaluate " + node + " inside a condition");
    }

    private static void checkAllowed(String name, JsonNode parameter, String value) {
        JsonNode allowed = parameter.get("AllowedValues");
        if (allowed == null) {
            return;
        }
        for (JsonNode a : allowed) {
            if (a.asText().equals(value)) {
                return;
            }
        }
        throw new IllegalArgumentException("the parameter " + name + " does not allow '" + value + "' (AllowedValues "
                + allowed + ")");
    }

    private static List<String> names(ObjectNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static boolean isNoValue(JsonNode node) {
        return node.isObject() && node.size() == 1 && NO_VALUE.equals(node.path("Ref").textValue());
    }
}
