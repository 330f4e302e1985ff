package io.callbridge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.LedgerTable;
import io.callbridge.web.MyOperatorWebhookResource;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code template.yaml} (the SAM application) in step with SAM's schema and with the code, since SAM CLI does
 * not run here: the function's handler and runtime, the HTTP routes against the JAX-RS resources, the environment
 * against {@link CallbridgeConfig}, the DynamoDB table against {@link CallLedger}, the IAM policy against the
 * DynamoDB calls in the sources, and the webhook URL output. Facts are read from the code (reflection, sources,
 * pom.xml, application.properties) rather than repeated here, so a change on either side shows up as a failure that
 * names what drifted. Each check is a function from a template to its list of problems; the negative tests feed it
 * altered copies of the template to show that every check can fail.
 */
class TemplateTest {
    private static final Path TEMPLATE = Path.of("template.yaml");
    private static final Path POM = Path.of("pom.xml");
    private static final Path MAIN_JAVA = Path.of("src", "main", "java");
    private static final Path APPLICATION_PROPERTIES =
            Path.of("src", "main", "resources", "application.properties");
    /** SAM's schema (draft-04), from the aws/serverless-application-model project; see schemas/README.md. */
    private static final String SAM_SCHEMA = "schemas/sam.schema.json";

    /** Where the application's classes live; every JAX-RS resource under it is a route of the function. */
    private static final String APP_PACKAGE = "io.callbridge";

    private static final String FUNCTION_TYPE = "AWS::Serverless::Function";
    private static final String HTTP_API_TYPE = "AWS::Serverless::HttpApi";
    private static final String TABLE_TYPE = "AWS::DynamoDB::Table";

    /** The entry point of quarkus-amazon-lambda(-http) for the JVM runtime. */
    private static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    /** The request handler behind QuarkusStreamHandler in quarkus-amazon-lambda-http. */
    private static final String HTTP_HANDLER = "io.quarkus.amazon.lambda.http.LambdaHttpHandler";
    /** What the quarkus-amazon-lambda packaging writes on {@code ./mvnw package}. */
    private static final String CODE_URI = "target/function.zip";
    /**
     * Config methods that are optional for the application to start but must be set in AWS: without a webhook token
     * {@code WebhookAuthenticator} refuses every delivery.
     */
    private static final Set<String> REQUIRED_IN_PRODUCTION = Set.of("webhookToken");
    /** JAX-RS routes ("METHOD /path") that exist in the code but are deliberately not on the HTTP API. None yet. */
    private static final Set<String> NOT_PUBLIC_ROUTES = Set.of();
    /** Runs only with CALLBRIDGE_CREATE_TABLE=true (local runs, tests); in AWS the template owns the table. */
    private static final Class<?> LOCAL_ONLY_DYNAMO_USER = LedgerTable.class;
    /** DynamoDbClient methods that are no DynamoDB API operation (and so need no IAM action). */
    private static final Set<String> NOT_DYNAMO_OPERATIONS =
            Set.of("waiter", "close", "serviceName", "serviceClientConfiguration", "utilities");
    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
            "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode template;
    private static JsonSchema samSchema;

    @BeforeAll
    static void readTemplate() throws IOException {
        assertTrue(Files.isRegularFile(TEMPLATE),
                "template.yaml not found in " + Path.of("").toAbsolutePath());
        template = CloudFormationYaml.read(TEMPLATE);
    }

    // ------------------------------------------------------------------------------------------------ reading YAML

    @Test
    void shortFormIntrinsicsAreReadAsCloudFormationJson() throws IOException {
        ObjectNode read = CloudFormationYaml.read("""
                A: !Ref Table
                B: !GetAtt Table.StreamArn
                C: !Sub "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/x"
                D: !Join [",", [!Ref X, !GetAtt [Y, Arn]]]
                E: !If [IsProd, !Ref P, !Ref "AWS::NoValue"]
                F: {Fn::GetAtt: [Z, Arn]}
                G: [plain, 1024, true, "2010-09-09", !!str 7]
                """);
        assertEquals(JSON.readTree("""
                {"A": {"Ref": "Table"},
                 "B": {"Fn::GetAtt": ["Table", "StreamArn"]},
                 "C": {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/x"},
                 "D": {"Fn::Join": [",", [{"Ref": "X"}, {"Fn::GetAtt": ["Y", "Arn"]}]]},
                 "E": {"Fn::If": ["IsProd", {"Ref": "P"}, {"Ref": "AWS::NoValue"}]},
                 "F": {"Fn::GetAtt": ["Z", "Arn"]},
                 "G": ["plain", 1024, true, "2010-09-09", "7"]}
                """), read);
        assertThrows(IOException.class, () -> CloudFormationYaml.read("A: !Reff X"), "a misspelt tag must fail");
        assertThrows(IOException.class, () -> CloudFormationYaml.read("A: !GetAtt Table"), "GetAtt needs A.B");
        assertThrows(IOException.class, () -> CloudFormationYaml.read("A: 1\nA: 2"), "duplicate keys must fail");
    }

    // ------------------------------------------------------------------------------------------------ SAM's schema

    @Test
    void samSchemaIsDraft04AndSelfContained() throws IOException {
        JsonNode schema;
        try (InputStream in = resource(SAM_SCHEMA)) {
            schema = JSON.readTree(in);
        }
        assertEquals("http://json-schema.org/draft-04/schema#", schema.path("$schema").asText(),
                SAM_SCHEMA + " is expected to be SAM's draft-04 schema");
        List<String> remote = new ArrayList<>();
        walk(schema, "", (path, node) -> {
            JsonNode ref = node.get("$ref");
            if (ref != null && !ref.asText().startsWith("#")) {
                remote.add(path + ": " + ref.asText());
            }
        });
        assertEquals(List.of(), remote, "the schema must not point outside itself: the tests never fetch a $ref");
    }

    @Test
    void templateIsValidAgainstSamSchema() {
        assertNoProblems("template.yaml does not validate against SAM's schema (" + SAM_SCHEMA + ")",
                schemaErrors(template));
    }

    static Stream<Arguments> schemaViolations() {
        return Stream.of(
                arguments("an event of an unknown Type", mutation(t -> event(t).put("Type", "HttpAPI")),
                        "/Resources/" + functionId(template)),
                arguments("an HttpApi event whose Method is a number",
                        mutation(t -> eventProperties(t).put("Method", 42)), "/Resources/" + functionId(template)),
                arguments("an HttpApi event with an unknown property",
                        mutation(t -> eventProperties(t).put("Verb", "POST")), "/Resources/" + functionId(template)),
                arguments("a misspelt function property", mutation(t -> functionProperties(t).put("Runtim", "java17")),
                        "/Resources/" + functionId(template)),
                arguments("a resource without its required Type",
                        mutation(t -> resource(t, httpApiId(t)).remove("Type")), "/Resources/" + httpApiId(template)),
                arguments("a misspelt Globals section",
                        mutation(t -> ((ObjectNode) t.get("Globals")).set("Functions", t.get("Globals").get("Function"))),
                        "/Globals"),
                arguments("no Resources section (required)", mutation(t -> t.remove("Resources")), "Resources"));
    }

    @ParameterizedTest(name = "SAM schema rejects {0}")
    @MethodSource("schemaViolations")
    void samSchemaRejectsBrokenTemplates(String mistake, Consumer<ObjectNode> mutation, String reportedAt) {
        ObjectNode broken = template.deepCopy();
        mutation.accept(broken);
        List<String> errors = schemaErrors(broken);
        assertTrue(errors.stream().anyMatch(e -> e.contains(reportedAt)),
                () -> "SAM's schema should reject " + mistake + " (at " + reportedAt + "), it reported " + errors);
    }

    // ------------------------------------------------------------------------------------ drift against the code

    @Test
    void functionRunsTheQuarkusHandlerOnTheJavaReleaseOfTheBuild() {
        assertNoProblems("the function's code settings drifted", functionProblems(template));
    }

    @Test
    void httpApiRoutesAreExactlyThePublicJaxRsRoutes() {
        assertNoProblems("the HTTP API routes drifted from the JAX-RS resources", routeProblems(template));
    }

    @Test
    void environmentMatchesCallbridgeConfig() {
        assertNoProblems("the function's environment drifted from CallbridgeConfig", environmentProblems(template));
    }

    @Test
    void tableMatchesTheLedgerCode() {
        assertNoProblems("the DynamoDB table drifted from CallLedger", tableProblems(template));
    }

    @Test
    void policyGrantsExactlyTheDynamoDbActionsTheCodeCalls() {
        assertNoProblems("the function's IAM policy drifted from the DynamoDB calls in src/main/java",
                policyProblems(template));
    }

    @Test
    void noWildcardActionsOrResourcesAnywhere() {
        assertNoProblems("template.yaml grants wildcard permissions", wildcardProblems(template));
    }

    @Test
    void outputsGiveTheWebhookUrl() {
        assertNoProblems("the Outputs do not give the webhook URL", outputProblems(template));
    }

    @Test
    void referencesPointToDeclaredNamesAndEveryParameterIsUsed() {
        assertNoProblems("template.yaml has dangling references or unused parameters", referenceProblems(template));
    }

    static Stream<Arguments> drifts() {
        String usedAction = CodeFacts.DYNAMO_ACTIONS.keySet().stream() // one the code calls and the template grants
                .filter(a -> actions(template).toString().contains('"' + a + '"')).findFirst()
                .orElse(CodeFacts.DYNAMO_ACTIONS.keySet().iterator().next());
        return Stream.of(
                drift("Runtime written as a number (SAM's schema lets this pass)",
                        t -> functionProperties(t).put("Runtime", 17), "Runtime"),
                drift("Runtime of another Java release in Globals", t -> globalFunction(t).put("Runtime", "java8"),
                        "Runtime"),
                drift("another handler",
                        t -> functionProperties(t).put("Handler", "io.quarkus.amazon.lambda.runtime.QuarkusHandler"),
                        "Handler"),
                drift("CodeUri of another artifact", t -> functionProperties(t).put("CodeUri", "target/app.jar"),
                        "CodeUri"),
                drift("a misspelt route path", t -> eventProperties(t).put("Path",
                        eventProperties(t).get("Path").asText() + "-typo"), "-typo, but no JAX-RS resource method"),
                drift("the route on another method", t -> eventProperties(t).put("Method", "DELETE"), "routes DELETE"),
                drift("a REST-API (1.0) payload format", t -> eventProperties(t).put("PayloadFormatVersion", "1.0"),
                        "PayloadFormatVersion"),
                drift("the webhook route not exposed", t -> functionProperties(t).remove("Events"), "is not exposed"),
                drift("an event on no API of the template", t -> eventProperties(t).put("ApiId", "abc123"), "ApiId"),
                drift("a variable of no setting (e.g. misspelt)",
                        t -> environment(t).put(CodeFacts.ENV_PREFIX + "NO_SUCH_SETTING", "x"), "NO_SUCH_SETTING"),
                drift("a required setting left out", t -> environment(t).remove("CALLBRIDGE_PIPEDRIVE_API_TOKEN"),
                        "CALLBRIDGE_PIPEDRIVE_API_TOKEN"),
                drift("the webhook token left out", t -> environment(t).remove("CALLBRIDGE_WEBHOOK_TOKEN"),
                        "CALLBRIDGE_WEBHOOK_TOKEN"),
                drift("a required setting whose parameter defaults to empty",
                        t -> parameter(t, "PipedriveBaseUrl").put("Default", ""), "PipedriveBaseUrl"),
                drift("a table name written out", t -> environment(t).put("CALLBRIDGE_TABLE", "callbridge"),
                        "CALLBRIDGE_TABLE"),
                drift("the table created at start-up in AWS", t -> environment(t).put("CALLBRIDGE_CREATE_TABLE", "true"),
                        "CALLBRIDGE_CREATE_TABLE"),
                drift("a choice the code does not know",
                        t -> ((ArrayNode) parameter(t, "OutgoingUnknown").get("AllowedValues")).add("create-deal"),
                        "create-deal"),
                drift("a choice of the code not offered",
                        t -> parameter(t, "OutgoingUnknown").set("AllowedValues", strings("skip", "create-person")),
                        "CREATE_PERSON_AND_DEAL"),
                drift("a parameter default other than the code's",
                        t -> parameter(t, "DefaultPhoneRegion").put("Default", "US"), "DefaultPhoneRegion"),
                drift("a numeric range key", t -> ((ObjectNode) tableProperties(t).get("AttributeDefinitions").get(1))
                        .put("AttributeType", "N"), CallLedger.SK),
                drift("a renamed hash key", t -> ((ObjectNode) tableProperties(t).get("KeySchema").get(0))
                        .put("AttributeName", CallLedger.PK + "_typo"), "KeySchema"),
                drift("a renamed TTL attribute", t -> ((ObjectNode) tableProperties(t).get("TimeToLiveSpecification"))
                        .put("AttributeName", CallLedger.TTL_ATTRIBUTE + "_typo"), "TimeToLiveSpecification"),
                drift("TTL disabled", t -> ((ObjectNode) tableProperties(t).get("TimeToLiveSpecification"))
                        .put("Enabled", false), "Enabled"),
                drift("provisioned billing", t -> tableProperties(t).put("BillingMode", "PROVISIONED"), "BillingMode"),
                drift("an action the code does not call", t -> actions(t).add("dynamodb:DeleteTable"),
                        "dynamodb:DeleteTable"),
                drift("an action the code calls left out", t -> removeText(actions(t), usedAction), usedAction),
                drift("a wildcard action", t -> actions(t).add("dynamodb:*"), "dynamodb:*"),
                drift("a wildcard resource", t -> statement(t).put("Resource", "*"), "Resource"),
                drift("a managed policy", t -> ((ArrayNode) functionProperties(t).get("Policies"))
                        .add("AmazonDynamoDBFullAccess"), "AmazonDynamoDBFullAccess"),
                drift("a webhook URL with another path", t -> firstOutput(t).set("Value", NODES.objectNode()
                        .put("Fn::Sub", "https://${" + httpApiId(t) + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/hook")),
                        "Outputs"),
                drift("a reference to an undeclared resource",
                        t -> environment(t).set("CALLBRIDGE_TABLE", NODES.objectNode().put("Ref", "CallsTable")),
                        "CallsTable"),
                drift("an unused parameter", t -> environment(t).remove("CALLBRIDGE_DEAL_STAGE_ID"), "DealStageId"));
    }

    @ParameterizedTest(name = "drift caught: {0}")
    @MethodSource("drifts")
    void driftChecksReportEachDrift(String drift, Consumer<ObjectNode> mutation, String named) {
        ObjectNode drifted = template.deepCopy();
        mutation.accept(drifted);
        List<String> problems = allDriftProblems(drifted);
        assertTrue(problems.stream().anyMatch(p -> p.contains(named)),
                () -> "the drift checks missed " + drift + " (expected a problem naming '" + named + "'), they reported "
                        + problems);
    }

    // --------------------------------------------------------------------------------------------------- the checks

    private static List<String> allDriftProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        for (Function<ObjectNode, List<String>> check : List.<Function<ObjectNode, List<String>>>of(
                TemplateTest::functionProblems, TemplateTest::routeProblems, TemplateTest::environmentProblems,
                TemplateTest::tableProblems, TemplateTest::policyProblems, TemplateTest::wildcardProblems,
                TemplateTest::outputProblems, TemplateTest::referenceProblems)) {
            try {
                problems.addAll(check.apply(t));
            } catch (RuntimeException e) {
                problems.add(e.toString());
            }
        }
        return problems;
    }

    /** Handler, Runtime, CodeUri of the function (its own or from Globals.Function, as SAM merges them). */
    static List<String> functionProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        String fn = functionId(t);
        JsonNode handler = functionSetting(t, "Handler");
        if (handler == null || !HANDLER.equals(handler.textValue())) {
            problems.add(fn + ".Handler is " + describe(handler) + "; quarkus-amazon-lambda-http is invoked through "
                    + HANDLER);
        }
        String handlerClass = HANDLER.substring(0, HANDLER.indexOf("::"));
        String handlerMethod = HANDLER.substring(HANDLER.indexOf("::") + 2);
        try {
            Class<?> type = Class.forName(handlerClass, false, TemplateTest.class.getClassLoader());
            if (Arrays.stream(type.getMethods()).noneMatch(m -> m.getName().equals(handlerMethod))) {
                problems.add(handlerClass + " has no method " + handlerMethod);
            }
        } catch (ClassNotFoundException e) {
            problems.add("the handler class " + handlerClass + " is not on the classpath: is quarkus-amazon-lambda-http"
                    + " still a dependency?");
        }
        String release = javaRelease();
        JsonNode runtime = functionSetting(t, "Runtime");
        if (runtime == null || !("java" + release).equals(runtime.textValue())) {
            problems.add(fn + ".Runtime is " + describe(runtime) + ", but pom.xml compiles for Java " + release
                    + " (maven.compiler.release): expected java" + release);
        }
        JsonNode codeUri = functionSetting(t, "CodeUri");
        if (codeUri == null || !CODE_URI.equals(codeUri.textValue())) {
            problems.add(fn + ".CodeUri is " + describe(codeUri) + "; ./mvnw package writes " + CODE_URI);
        }
        JsonNode packageType = functionSetting(t, "PackageType");
        if (packageType != null && !"Zip".equals(packageType.textValue())) {
            problems.add(fn + ".PackageType is " + describe(packageType) + "; the build makes a zip, not an image");
        }
        return problems;
    }

    /** Every HttpApi event routes to a JAX-RS method, and every public JAX-RS route has an HttpApi event. */
    static List<String> routeProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        Map<String, String> code = CodeFacts.ROUTES;
        Map<String, String> exposed = new TreeMap<>();
        String fn = functionId(t);
        Set<String> apis = resourcesOfType(t, HTTP_API_TYPE).keySet();
        for (Map.Entry<String, JsonNode> e : functionProperties(t).path("Events").properties()) {
            String where = fn + ".Events." + e.getKey();
            if (!"HttpApi".equals(e.getValue().path("Type").textValue())) {
                problems.add(where + " is of Type " + describe(e.getValue().get("Type"))
                        + "; Callbridge is reached through HttpApi events only");
                continue;
            }
            JsonNode properties = e.getValue().path("Properties");
            JsonNode apiId = properties.get("ApiId");
            if (apiId == null || !apis.contains(apiId.path("Ref").asText())) {
                problems.add(where + ".ApiId is " + describe(apiId) + "; expected !Ref to the template's "
                        + HTTP_API_TYPE + " " + apis);
            }
            JsonNode payload = properties.get("PayloadFormatVersion");
            if (payload != null && !CodeFacts.PAYLOAD_FORMAT.equals(payload.asText())) {
                problems.add(where + ".PayloadFormatVersion is " + describe(payload) + ", but the Quarkus Lambda HTTP "
                        + "handler reads payload format " + CodeFacts.PAYLOAD_FORMAT + " (HttpApi's default)");
            }
            JsonNode method = properties.get("Method");
            JsonNode path = properties.get("Path");
            if (method == null || !method.isTextual() || path == null || !path.isTextual()) {
                problems.add(where + " needs a text Method and Path, has " + describe(method) + " " + describe(path));
                continue;
            }
            String route = method.textValue().toUpperCase(Locale.ROOT) + " " + normalisePath(path.textValue());
            exposed.put(route, where);
            if (!code.containsKey(route)) {
                problems.add(where + " routes " + route + ", but no JAX-RS resource method handles it (the code has "
                        + code.keySet() + ")");
            } else if (NOT_PUBLIC_ROUTES.contains(route)) {
                problems.add(where + " exposes " + route + ", which is listed as not public");
            }
        }
        for (Map.Entry<String, String> route : code.entrySet()) {
            if (!exposed.containsKey(route.getKey()) && !NOT_PUBLIC_ROUTES.contains(route.getKey())) {
                problems.add("JAX-RS route " + route.getKey() + " (" + route.getValue() + ") is not exposed by any "
                        + "HttpApi event of " + fn + "; add one, or list it in NOT_PUBLIC_ROUTES if it must stay private");
            }
        }
        return problems;
    }

    /** CALLBRIDGE_* variables against the properties of CallbridgeConfig. */
    static List<String> environmentProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> env = effectiveEnvironment(t);
        Map<String, ConfigProperty> byEnv = CodeFacts.CONFIG.stream()
                .collect(Collectors.toMap(ConfigProperty::env, p -> p, (a, b) -> a, TreeMap::new));
        for (String name : env.keySet()) {
            if (name.startsWith(CodeFacts.ENV_PREFIX) && !byEnv.containsKey(name)
                    && !CodeFacts.ENV_READ_BY_PROPERTIES.contains(name)) {
                problems.add("the template sets " + name + ", but CallbridgeConfig has no such property (its variables: "
                        + byEnv.keySet() + ") and application.properties does not read it");
            }
        }
        for (String method : REQUIRED_IN_PRODUCTION) {
            if (CodeFacts.CONFIG.stream().noneMatch(p -> p.method().equals(method))) {
                problems.add("REQUIRED_IN_PRODUCTION names " + method + "(), which CallbridgeConfig no longer has");
            }
        }
        for (ConfigProperty p : CodeFacts.CONFIG) {
            JsonNode value = env.get(p.env());
            boolean required = p.required() || REQUIRED_IN_PRODUCTION.contains(p.method());
            if (value == null) {
                if (required) {
                    problems.add(p.name() + " has no default" + (p.required() ? "" : " usable in production")
                            + ", but the template does not set " + p.env());
                }
                continue;
            }
            if (required && value.isTextual() && value.textValue().isBlank()) {
                problems.add(p.env() + " is set to an empty value, but " + p.name() + " is required");
            }
            String parameterName = value.path("Ref").textValue();
            JsonNode parameter = parameterName == null ? null : t.path("Parameters").get(parameterName);
            if (parameter != null) {
                problems.addAll(parameterProblems(p, parameterName, parameter, required));
            }
        }
        ConfigProperty tableProperty = CodeFacts.property("table");
        String table = tableId(t);
        JsonNode tableValue = env.get(tableProperty.env());
        if (tableValue == null || !tableValue.equals(NODES.objectNode().put("Ref", table))) {
            problems.add(tableProperty.env() + " is " + describe(tableValue) + "; it must be !Ref " + table
                    + ", the template's DynamoDB table");
        }
        ConfigProperty createTable = CodeFacts.property("createTable");
        JsonNode createValue = env.get(createTable.env());
        if (createValue != null && !"false".equals(createValue.asText())) {
            problems.add(createTable.env() + " is " + describe(createValue) + "; in AWS the template owns the table (and"
                    + " the policy grants no CreateTable), so it must stay unset or false");
        }
        return problems;
    }

    private static List<String> parameterProblems(ConfigProperty p, String name, JsonNode parameter, boolean required) {
        List<String> problems = new ArrayList<>();
        JsonNode defaultValue = parameter.get("Default");
        if (required && defaultValue != null && defaultValue.asText().isBlank()) {
            problems.add("Parameter " + name + " (" + p.env() + ") defaults to empty, but " + p.name()
                    + " is required");
        }
        if (p.type().isEnum()) {
            Set<String> offered = new TreeSet<>();
            for (JsonNode allowed : parameter.path("AllowedValues")) {
                String constant = enumConstant(p.type(), allowed.asText());
                if (constant == null) {
                    problems.add("Parameter " + name + " allows '" + allowed.asText() + "', which " + p.name()
                            + " cannot read (" + p.type().getSimpleName() + " has " + constantNames(p.type()) + ")");
                } else {
                    offered.add(constant);
                }
            }
            if (parameter.has("AllowedValues") && !offered.equals(new TreeSet<>(constantNames(p.type())))) {
                Set<String> missing = new TreeSet<>(constantNames(p.type()));
                missing.removeAll(offered);
                if (!missing.isEmpty()) {
                    problems.add("Parameter " + name + " does not offer " + missing + " of " + p.type().getSimpleName()
                            + " (as " + missing.stream().map(TemplateTest::hyphenate).toList() + ")");
                }
            }
        }
        if (p.defaultValue() != null && defaultValue != null) {
            boolean same = p.type().isEnum()
                    ? enumConstant(p.type(), p.defaultValue()) != null
                            && enumConstant(p.type(), p.defaultValue()).equals(enumConstant(p.type(), defaultValue.asText()))
                    : p.defaultValue().equals(defaultValue.asText());
            if (!same) {
                problems.add("Parameter " + name + " defaults to '" + defaultValue.asText() + "', but " + p.name()
                        + " defaults to '" + p.defaultValue() + "' (@WithDefault): change one so they agree");
            }
        }
        return problems;
    }

    /** Key schema, attribute types, TTL and billing of the table against CallLedger. */
    static List<String> tableProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        String table = tableId(t);
        ObjectNode p = tableProperties(t);
        // CallLedger writes both keys as strings (AttributeValue.s), e.g. pk = CALL#<id>, sk = CALL
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(CallLedger.PK, "HASH");
        keys.put(CallLedger.SK, "RANGE");
        Map<String, String> keySchema = new LinkedHashMap<>();
        p.path("KeySchema").forEach(k -> keySchema.put(k.path("AttributeName").asText(), k.path("KeyType").asText()));
        if (!keySchema.equals(keys)) {
            problems.add(table + ".KeySchema is " + keySchema + "; CallLedger uses " + keys
                    + " (CallLedger.PK, CallLedger.SK)");
        }
        Map<String, String> types = new TreeMap<>(Map.of(CallLedger.PK, "S", CallLedger.SK, "S"));
        Map<String, String> definitions = new TreeMap<>();
        p.path("AttributeDefinitions")
                .forEach(a -> definitions.put(a.path("AttributeName").asText(), a.path("AttributeType").asText()));
        if (!definitions.equals(types)) {
            problems.add(table + ".AttributeDefinitions are " + definitions + "; CallLedger writes the keys as "
                    + types);
        }
        JsonNode ttl = p.path("TimeToLiveSpecification");
        if (!CallLedger.TTL_ATTRIBUTE.equals(ttl.path("AttributeName").textValue())) {
            problems.add(table + ".TimeToLiveSpecification.AttributeName is " + describe(ttl.get("AttributeName"))
                    + "; CallLedger.TTL_ATTRIBUTE is " + CallLedger.TTL_ATTRIBUTE);
        }
        if (!"true".equals(ttl.path("Enabled").asText())) {
            problems.add(table + ".TimeToLiveSpecification.Enabled is " + describe(ttl.get("Enabled"))
                    + "; expired call records must be deleted (true)");
        }
        if (!"PAY_PER_REQUEST".equals(p.path("BillingMode").textValue())) {
            problems.add(table + ".BillingMode is " + describe(p.get("BillingMode")) + "; expected PAY_PER_REQUEST"
                    + " (the code sets no capacity)");
        }
        return problems;
    }

    /** The function's statements grant exactly the DynamoDB actions the code calls, on the table's ARN only. */
    static List<String> policyProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        String fn = functionId(t);
        String table = tableId(t);
        JsonNode tableArn = NODES.objectNode().set("Fn::GetAtt", strings(table, "Arn"));
        ObjectNode p = functionProperties(t);
        if (p.has("Role")) {
            problems.add(fn + ".Role is set: its permissions cannot be checked here; use Policies statements");
        }
        JsonNode policies = p.get("Policies");
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : policies == null ? List.<JsonNode>of() : asList(policies)) {
            if (policy.isObject() && policy.has("Statement")) {
                statements.addAll(asList(policy.get("Statement")));
            } else {
                problems.add(fn + ".Policies has " + describe(policy) + ", whose permissions cannot be checked"
                        + " (managed policy or SAM policy template); write the statement out");
            }
        }
        Map<String, String> granted = new TreeMap<>(); // lower-case action -> as written
        for (JsonNode statement : statements) {
            if ("Deny".equals(statement.path("Effect").textValue())) {
                continue;
            }
            for (String not : List.of("NotAction", "NotResource")) {
                if (statement.has(not)) {
                    problems.add(fn + " statement " + statement.path("Sid").asText("") + " uses " + not
                            + ", which grants more than it names");
                }
            }
            for (JsonNode action : asList(statement.path("Action"))) {
                String a = action.asText();
                if (!a.toLowerCase(Locale.ROOT).startsWith("dynamodb:")) {
                    problems.add(fn + " is granted " + a + ", but the code calls no AWS API other than DynamoDB");
                } else {
                    granted.put(a.toLowerCase(Locale.ROOT), a);
                }
            }
            for (JsonNode resource : asList(statement.path("Resource"))) {
                if (!resource.equals(tableArn)) {
                    problems.add(fn + " statement " + statement.path("Sid").asText("") + " has Resource "
                            + describe(resource) + "; expected only " + tableArn + " (!GetAtt " + table + ".Arn)");
                }
            }
            if (!statement.has("Resource")) {
                problems.add(fn + " statement " + statement.path("Sid").asText("") + " has no Resource");
            }
        }
        Map<String, Set<String>> used = CodeFacts.DYNAMO_ACTIONS;
        for (Map.Entry<String, String> g : granted.entrySet()) {
            if (used.keySet().stream().noneMatch(u -> u.equalsIgnoreCase(g.getKey()))) {
                problems.add(fn + " is granted " + g.getValue() + ", which no code outside "
                        + LOCAL_ONLY_DYNAMO_USER.getSimpleName() + " calls (the code calls " + used.keySet() + ")");
            }
        }
        for (Map.Entry<String, Set<String>> u : used.entrySet()) {
            if (!granted.containsKey(u.getKey().toLowerCase(Locale.ROOT))) {
                problems.add(u.getValue() + " call " + u.getKey() + ", but " + fn + "'s policy does not grant it");
            }
        }
        return problems;
    }

    /** No Action/Resource anywhere in the template (any resource's policy) is or contains '*'. */
    static List<String> wildcardProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        walk(t, "", (path, node) -> {
            for (String key : List.of("Action", "NotAction", "Resource", "NotResource")) {
                for (JsonNode v : asList(node.path(key))) {
                    if (v.isTextual() && v.textValue().contains("*")) {
                        problems.add(path + "." + key + " is '" + v.textValue() + "': no wildcard actions or resources");
                    }
                }
            }
        });
        return problems;
    }

    /** An output gives https://<the HttpApi>.execute-api.<region>.<suffix><path> of the webhook (its POST route). */
    static List<String> outputProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        String api = httpApiId(t);
        String stage = properties(t, api).path("StageName").asText("$default");
        String stagePath = stage.equals("$default") ? "" : "/" + stage;
        Set<String> bases = Set.of("https://${" + api + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
                "https://${" + api + "}.execute-api.${AWS::Region}.amazonaws.com", "${" + api + ".ApiEndpoint}");
        Set<String> urls = new TreeSet<>();
        for (Map.Entry<String, JsonNode> output : t.path("Outputs").properties()) {
            JsonNode sub = output.getValue().path("Value").path("Fn::Sub");
            if (!sub.isMissingNode()) {
                urls.add(sub.isArray() ? sub.path(0).asText() : sub.asText());
            }
        }
        Set<String> paths = CodeFacts.ROUTES.entrySet().stream()
                .filter(r -> r.getKey().startsWith("POST ")
                        && r.getValue().startsWith(MyOperatorWebhookResource.class.getSimpleName() + "."))
                .map(r -> r.getKey().substring("POST ".length())).collect(Collectors.toCollection(TreeSet::new));
        if (paths.isEmpty()) {
            problems.add("found no POST method in " + MyOperatorWebhookResource.class.getSimpleName());
        }
        for (String path : paths) {
            if (bases.stream().noneMatch(base -> urls.contains(base + stagePath + path))) {
                problems.add("Outputs have no URL of " + path + " on " + api + ": expected a Value such as !Sub \""
                        + bases.iterator().next() + stagePath + path + "\"; the outputs' !Sub values are " + urls);
            }
        }
        return problems;
    }

    /** Ref, GetAtt and ${...} in Sub name declared parameters, resources or pseudo parameters; no parameter is idle. */
    static List<String> referenceProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        Set<String> parameters = new TreeSet<>();
        t.path("Parameters").fieldNames().forEachRemaining(parameters::add);
        Set<String> resources = new TreeSet<>();
        t.path("Resources").fieldNames().forEachRemaining(resources::add);
        Set<String> used = new TreeSet<>();
        walk(t, "", (path, node) -> {
            JsonNode ref = node.get("Ref");
            if (ref != null && ref.isTextual() && node.size() == 1) {
                checkName(ref.textValue(), false, path, parameters, resources, Set.of(), used, problems);
            }
            JsonNode getAtt = node.get("Fn::GetAtt");
            if (getAtt != null && node.size() == 1) {
                checkName(getAtt.path(0).asText(), true, path, parameters, resources, Set.of(), used, problems);
            }
            JsonNode sub = node.get("Fn::Sub");
            if (sub != null && node.size() == 1) {
                String text = sub.isArray() ? sub.path(0).asText() : sub.asText();
                Set<String> locals = new TreeSet<>();
                sub.path(1).fieldNames().forEachRemaining(locals::add);
                Matcher m = Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(text);
                while (m.find()) {
                    String name = m.group(1).trim();
                    boolean attribute = name.contains(".");
                    checkName(attribute ? name.substring(0, name.indexOf('.')) : name, attribute, path, parameters,
                            resources, locals, used, problems);
                }
            }
        });
        for (String parameter : parameters) {
            if (!used.contains(parameter)) {
                problems.add("Parameter " + parameter + " is referenced nowhere: it sets nothing");
            }
        }
        return problems;
    }

    private static void checkName(String name, boolean attribute, String path, Set<String> parameters,
            Set<String> resources, Set<String> locals, Set<String> used, List<String> problems) {
        if (locals.contains(name) || resources.contains(name)) {
            return;
        }
        if (!attribute && (parameters.contains(name) || PSEUDO_PARAMETERS.contains(name))) {
            used.add(name);
            return;
        }
        problems.add(path + " refers to " + name + ", which is no " + (attribute ? "resource" : "parameter or resource")
                + " of the template");
    }

    // ------------------------------------------------------------------------------------ what the code says

    /** A property of CallbridgeConfig: method, property name, environment variable, default. */
    record ConfigProperty(String method, String name, String env, Class<?> type, String defaultValue,
            boolean optional) {
        boolean required() {
            return defaultValue == null && !optional;
        }
    }

    /** Facts read once from the compiled classes, the sources, pom.xml and application.properties. */
    private static final class CodeFacts {
        static final String PREFIX = CallbridgeConfig.class.getAnnotation(ConfigMapping.class).prefix();
        static final String ENV_PREFIX = toEnv(PREFIX) + "_";
        static final List<ConfigProperty> CONFIG = configProperties();
        static final Set<String> ENV_READ_BY_PROPERTIES = envReadByApplicationProperties();
        static final Map<String, String> ROUTES = jaxRsRoutes();
        static final Map<String, Set<String>> DYNAMO_ACTIONS = dynamoActions();
        static final String PAYLOAD_FORMAT = payloadFormat();

        static ConfigProperty property(String method) {
            return CONFIG.stream().filter(p -> p.method().equals(method)).findFirst().orElseThrow(
                    () -> new IllegalStateException("CallbridgeConfig has no " + method + "(); update TemplateTest"));
        }

        private static List<ConfigProperty> configProperties() {
            ConfigMapping mapping = CallbridgeConfig.class.getAnnotation(ConfigMapping.class);
            if (mapping.namingStrategy() != ConfigMapping.NamingStrategy.KEBAB_CASE) {
                throw new IllegalStateException("CallbridgeConfig uses " + mapping.namingStrategy()
                        + "; TemplateTest derives names for KEBAB_CASE only");
            }
            List<ConfigProperty> properties = new ArrayList<>();
            for (Method m : CallbridgeConfig.class.getMethods()) {
                if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                    continue;
                }
                Class<?> type = m.getReturnType();
                boolean optional = type == Optional.class || type == OptionalInt.class || type == OptionalLong.class
                        || type == OptionalDouble.class;
                if (type.isInterface() && !optional && !type.getName().startsWith("java.")) {
                    throw new IllegalStateException("CallbridgeConfig." + m.getName() + "() is a nested group ("
                            + type.getName() + "); extend TemplateTest to name its properties");
                }
                WithName withName = m.getAnnotation(WithName.class);
                String name = PREFIX + "." + (withName != null ? withName.value() : kebab(m.getName()));
                WithDefault withDefault = m.getAnnotation(WithDefault.class);
                properties.add(new ConfigProperty(m.getName(), name, toEnv(name), type,
                        withDefault == null ? null : withDefault.value(), optional));
            }
            properties.sort((a, b) -> a.name().compareTo(b.name()));
            if (properties.isEmpty()) {
                throw new IllegalStateException("found no property in CallbridgeConfig");
            }
            return properties;
        }

        /** CALLBRIDGE_* variables that application.properties reads directly, e.g. ${CALLBRIDGE_X:default}. */
        private static Set<String> envReadByApplicationProperties() {
            Set<String> names = new TreeSet<>();
            Matcher m = Pattern.compile("\\$\\{(" + Pattern.quote(ENV_PREFIX) + "[A-Z0-9_]+)")
                    .matcher(read(APPLICATION_PROPERTIES));
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        /** "METHOD /path" -> Class.method, of every JAX-RS resource method among the compiled main classes. */
        private static Map<String, String> jaxRsRoutes() {
            Path classes = Path.of("target", "classes"); // Maven's output, unless the class says otherwise
            try {
                Path source = Path.of(
                        CallbridgeConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isDirectory(source.resolve(APP_PACKAGE.replace('.', '/')))) {
                    classes = source;
                }
            } catch (URISyntaxException | RuntimeException e) {
                // a class loader without a file code source (e.g. Quarkus' own): keep Maven's output folder
            }
            List<Class<?>> types = new ArrayList<>();
            try (Stream<Path> files = Files.walk(classes.resolve(APP_PACKAGE.replace('.', '/')))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String relative = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                    types.add(Class.forName(relative.substring(0, relative.length() - ".class".length()), false,
                            TemplateTest.class.getClassLoader()));
                }
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalStateException("cannot list the compiled classes in " + classes, e);
            }
            Properties config = new Properties();
            try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES, StandardCharsets.UTF_8)) {
                config.load(reader);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            String applicationPath = types.stream().map(c -> c.getAnnotation(ApplicationPath.class))
                    .filter(a -> a != null).map(ApplicationPath::value).findFirst().orElse("");
            String prefix = config.getProperty("quarkus.http.root-path", "") + "/"
                    + config.getProperty("quarkus.rest.path", applicationPath);
            Map<String, String> routes = new TreeMap<>();
            for (Class<?> type : types) {
                jakarta.ws.rs.Path classPath = type.getAnnotation(jakarta.ws.rs.Path.class);
                if (classPath == null || type.isInterface()) {
                    continue; // interfaces with @Path are REST clients here (e.g. PipedriveApi)
                }
                for (Method m : type.getMethods()) {
                    String verb = httpMethod(m);
                    jakarta.ws.rs.Path methodPath = m.getAnnotation(jakarta.ws.rs.Path.class);
                    if (verb == null && methodPath != null) {
                        throw new IllegalStateException(type.getSimpleName() + "." + m.getName() + " is a sub-resource"
                                + " locator; TemplateTest does not follow those yet");
                    }
                    if (verb != null) {
                        String path = normalisePath(prefix + "/" + classPath.value() + "/"
                                + (methodPath == null ? "" : methodPath.value()));
                        routes.put(verb + " " + path, type.getSimpleName() + "." + m.getName());
                    }
                }
            }
            if (routes.isEmpty()) {
                throw new IllegalStateException("found no JAX-RS resource method under " + classes);
            }
            return routes;
        }

        /** The HttpApi payload format quarkus-amazon-lambda-http reads: 2.0 when it takes APIGatewayV2HTTPEvent. */
        private static String payloadFormat() {
            try {
                Class<?> handler = Class.forName(HTTP_HANDLER, false, TemplateTest.class.getClassLoader());
                return Arrays.stream(handler.getMethods()).anyMatch(m -> m.getName().equals("handleRequest")
                        && m.getParameterTypes()[0].getSimpleName().equals("APIGatewayV2HTTPEvent")) ? "2.0" : "1.0";
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(HTTP_HANDLER + " is not on the classpath: is quarkus-amazon-lambda-http"
                        + " still the Lambda extension?", e);
            }
        }

        private static String httpMethod(Method m) {
            for (Annotation a : m.getAnnotations()) {
                HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
                if (verb != null) {
                    return verb.value();
                }
            }
            return null;
        }

        /** "dynamodb:Action" -> source files, of every DynamoDbClient call in src/main/java but the local-only one. */
        private static Map<String, Set<String>> dynamoActions() {
            Path localOnly = MAIN_JAVA.resolve(LOCAL_ONLY_DYNAMO_USER.getName().replace('.', '/') + ".java");
            if (!Files.isRegularFile(localOnly)) {
                throw new IllegalStateException(localOnly + " is gone; update LOCAL_ONLY_DYNAMO_USER");
            }
            Map<String, Set<String>> actions = new TreeMap<>();
            try (Stream<Path> files = Files.walk(MAIN_JAVA)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    if (file.equals(localOnly)) {
                        continue;
                    }
                    String source = read(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                    Matcher declared = Pattern.compile("\\bDynamoDbClient\\s+(\\w+)").matcher(source);
                    Set<String> clients = new TreeSet<>();
                    while (declared.find()) {
                        clients.add(declared.group(1));
                    }
                    for (String client : clients) {
                        Matcher call = Pattern.compile("\\b" + Pattern.quote(client) + "\\s*\\.\\s*(\\w+)\\s*\\(")
                                .matcher(source);
                        while (call.find()) {
                            String operation = call.group(1).replaceFirst("Paginator$", "");
                            if (!NOT_DYNAMO_OPERATIONS.contains(operation)) {
                                actions.computeIfAbsent("dynamodb:" + Character.toUpperCase(operation.charAt(0))
                                        + operation.substring(1), k -> new TreeSet<>()).add(file.getFileName().toString());
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (actions.isEmpty()) {
                throw new IllegalStateException("found no DynamoDbClient call in " + MAIN_JAVA + " (outside "
                        + localOnly.getFileName() + "): does the code reach DynamoDB another way now?");
            }
            return actions;
        }
    }

    // ------------------------------------------------------------------------------------------- schema helpers

    private static synchronized JsonSchema samSchema() {
        if (samSchema == null) {
            // only the classpath may be read: a remote $ref fails instead of going to the network
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
                    builder -> builder.schemaLoaders(loaders -> loaders.add(
                            new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:")))));
            samSchema = factory.getSchema(SchemaLocation.of("classpath:" + SAM_SCHEMA),
                    SchemaValidatorsConfig.builder().build());
            samSchema.initializeValidators();
        }
        return samSchema;
    }

    private static List<String> schemaErrors(JsonNode t) {
        return samSchema().validate(t).stream().map(ValidationMessage::toString).distinct().sorted().toList();
    }

    // ------------------------------------------------------------------------------------------ template helpers

    private static ObjectNode resources(ObjectNode t) {
        if (!(t.get("Resources") instanceof ObjectNode resources)) {
            throw new IllegalStateException("template.yaml has no Resources");
        }
        return resources;
    }

    private static ObjectNode resource(ObjectNode t, String id) {
        return (ObjectNode) resources(t).get(id);
    }

    private static Map<String, ObjectNode> resourcesOfType(ObjectNode t, String type) {
        Map<String, ObjectNode> found = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : resources(t).properties()) {
            if (type.equals(e.getValue().path("Type").textValue())) {
                found.put(e.getKey(), (ObjectNode) e.getValue());
            }
        }
        return found;
    }

    private static String onlyId(ObjectNode t, String type) {
        Set<String> ids = resourcesOfType(t, type).keySet();
        if (ids.size() != 1) {
            throw new IllegalStateException("template.yaml should have exactly one " + type + ", it has " + ids);
        }
        return ids.iterator().next();
    }

    private static String functionId(ObjectNode t) {
        return onlyId(t, FUNCTION_TYPE);
    }

    private static String httpApiId(ObjectNode t) {
        return onlyId(t, HTTP_API_TYPE);
    }

    private static String tableId(ObjectNode t) {
        return onlyId(t, TABLE_TYPE);
    }

    private static ObjectNode properties(ObjectNode t, String id) {
        JsonNode properties = resource(t, id).get("Properties");
        return properties instanceof ObjectNode o ? o : NODES.objectNode();
    }

    private static ObjectNode functionProperties(ObjectNode t) {
        return properties(t, functionId(t));
    }

    private static ObjectNode tableProperties(ObjectNode t) {
        return properties(t, tableId(t));
    }

    private static ObjectNode globalFunction(ObjectNode t) {
        return (ObjectNode) t.path("Globals").path("Function");
    }

    /** A function setting as SAM applies it: the function's own, else Globals.Function's. */
    private static JsonNode functionSetting(ObjectNode t, String name) {
        JsonNode own = functionProperties(t).get(name);
        return own != null ? own : t.path("Globals").path("Function").get(name);
    }

    /** Globals.Function's variables overlaid with the function's, as SAM merges them. */
    private static Map<String, JsonNode> effectiveEnvironment(ObjectNode t) {
        Map<String, JsonNode> env = new TreeMap<>();
        for (JsonNode source : List.of(t.path("Globals").path("Function"), functionProperties(t))) {
            source.path("Environment").path("Variables").properties().forEach(e -> env.put(e.getKey(), e.getValue()));
        }
        return env;
    }

    private static ObjectNode environment(ObjectNode t) {
        return (ObjectNode) functionProperties(t).path("Environment").path("Variables");
    }

    private static ObjectNode event(ObjectNode t) {
        Iterator<JsonNode> events = functionProperties(t).path("Events").elements();
        return (ObjectNode) events.next();
    }

    private static ObjectNode eventProperties(ObjectNode t) {
        return (ObjectNode) event(t).get("Properties");
    }

    private static ObjectNode parameter(ObjectNode t, String name) {
        if (!(t.path("Parameters").get(name) instanceof ObjectNode parameter)) {
            throw new IllegalStateException("drifts() alters Parameter " + name + ", which template.yaml no longer has");
        }
        return parameter;
    }

    private static ObjectNode statement(ObjectNode t) {
        return (ObjectNode) functionProperties(t).path("Policies").path(0).path("Statement").path(0);
    }

    private static ArrayNode actions(ObjectNode t) {
        return (ArrayNode) statement(t).get("Action");
    }

    private static ObjectNode firstOutput(ObjectNode t) {
        return (ObjectNode) t.path("Outputs").elements().next();
    }

    private static void removeText(ArrayNode array, String text) {
        for (int i = 0; i < array.size(); i++) {
            if (text.equals(array.get(i).asText())) {
                array.remove(i);
                return;
            }
        }
        throw new IllegalStateException(text + " not in " + array);
    }

    private static ArrayNode strings(String... values) {
        ArrayNode array = NODES.arrayNode();
        Arrays.stream(values).forEach(array::add);
        return array;
    }

    /** One element as a list of one, an array as its elements, a missing node as nothing. */
    private static List<JsonNode> asList(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return List.of();
        }
        List<JsonNode> list = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(list::add);
        } else {
            list.add(node);
        }
        return list;
    }

    /** Visits every object node with its path ($.A.B[0]). */
    private static void walk(JsonNode node, String path, java.util.function.BiConsumer<String, JsonNode> visitor) {
        String here = path.isEmpty() ? "$" : path;
        if (node.isObject()) {
            visitor.accept(here, node);
            node.properties().forEach(e -> walk(e.getValue(), here + "." + e.getKey(), visitor));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), here + "[" + i + "]", visitor);
            }
        }
    }

    // --------------------------------------------------------------------------------------------------- little ones

    private static Arguments drift(String what, Consumer<ObjectNode> mutation, String named) {
        return arguments(what, mutation, named);
    }

    private static Consumer<ObjectNode> mutation(Consumer<ObjectNode> mutation) {
        return mutation;
    }

    private static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + ":\n - " + String.join("\n - ", new LinkedHashSet<>(problems)));
        }
    }

    /** "/a//b/{id: [0-9]+}/" -> "/a/b/{id}": the form HttpApi and JAX-RS paths are compared in. */
    private static String normalisePath(String path) {
        String p = ("/" + path).replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String describe(JsonNode node) {
        return node == null || node.isMissingNode() ? "not set" : node.toString();
    }

    /** fooBarBaz -> foo-bar-baz (SmallRye's KEBAB_CASE). */
    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase(Locale.ROOT);
    }

    /** callbridge.foo-bar -> CALLBRIDGE_FOO_BAR (MicroProfile Config's environment variable rule). */
    private static String toEnv(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** LOG_ON_PERSON -> log-on-person, the form SmallRye's enum converter accepts besides the constant itself. */
    private static String hyphenate(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<String> constantNames(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList();
    }

    /** The constant a configured value names, or null. */
    private static String enumConstant(Class<?> enumType, String value) {
        return constantNames(enumType).stream().filter(c -> c.equals(value) || hyphenate(c).equals(value)).findFirst()
                .orElse(null);
    }

    private static String javaRelease() {
        Matcher m = Pattern.compile("<maven\\.compiler\\.release>\\s*(\\d+)\\s*</maven\\.compiler\\.release>")
                .matcher(read(POM));
        if (!m.find()) {
            throw new IllegalStateException("pom.xml has no <maven.compiler.release>; cannot tell the Java release");
        }
        return m.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file.toAbsolutePath(), e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = TemplateTest.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the test classpath");
        }
        return in;
    }
}
