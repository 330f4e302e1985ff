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
import io.callbridge.config.SsmSecretsConfigSourceFactory;
import io.callbridge.config.SsmSecretsConfigSourceFactory.Secret;
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
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code template.yaml} (the SAM application) in step with SAM's schema and with the code, since SAM CLI does
 * not run here: every function's handler, runtime and memory (its own or from {@code Globals.Function}) for each value
 * of the {@value #RUNTIME_PARAMETER} parameter, the JVM build and the native one (see {@link Build};
 * {@link CloudFormationConditions} resolves the template's conditions as CloudFormation would), the HTTP API routes
 * against the public JAX-RS resources, the schedules against the internal ones (under {@value #INTERNAL_PATH}), each
 * function's environment against {@link CallbridgeConfig}, the DynamoDB table and its indexes against
 * {@link CallLedger}, each function's IAM policy against the DynamoDB calls in the sources and the SSM parameters
 * {@link SsmSecretsConfigSourceFactory} reads (no secret as a template parameter or variable), and the webhook URL
 * output. Facts are read from the code (reflection, sources, pom.xml, application.properties) rather than repeated
 * here, so a change on either side shows up as a failure that names what drifted. Each check is a function from a
 * template to its list of problems; the negative tests feed it altered copies of the template to show that every
 * check can fail.
 */
class TemplateTest {
    private static final Path TEMPLATE = Path.of("template.yaml");
    private static final Path POM = Path.of("pom.xml");
    private static final Path MAIN_JAVA = Path.of("src", "main", "java");
    private static final Path APPLICATION_PROPERTIES =
            Path.of("src", "main", "resources", "application.properties");
    /** SAM's schema (draft-04), from the aws/serverless-application-model project; see schemas/README.md. */
    private static final String SAM_SCHEMA = "schemas/sam.schema.json";

    /** Where the application's classes live; every JAX-RS resource under it is a route of the functions. */
    private static final String APP_PACKAGE = "io.callbridge";

    private static final String FUNCTION_TYPE = "AWS::Serverless::Function";
    private static final String HTTP_API_TYPE = "AWS::Serverless::HttpApi";
    private static final String TABLE_TYPE = "AWS::DynamoDB::Table";
    /** The event type of the public routes. */
    private static final String HTTP_API_EVENT = "HttpApi";
    /** The event types that call internal routes (with a synthetic HTTP API event as Input). */
    private static final Set<String> SCHEDULE_EVENTS = Set.of("Schedule", "ScheduleV2");

    /** The entry point of quarkus-amazon-lambda(-http) for the JVM runtime. */
    private static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    /** The request handler behind QuarkusStreamHandler in quarkus-amazon-lambda-http. */
    private static final String HTTP_HANDLER = "io.quarkus.amazon.lambda.http.LambdaHttpHandler";
    /** What the quarkus-amazon-lambda packaging writes on {@code ./mvnw package}, with and without -Pnative. */
    private static final String CODE_URI = "target/function.zip";
    /** The template parameter that says which build {@value #CODE_URI} holds; its values are {@link Build}'s. */
    private static final String RUNTIME_PARAMETER = "Runtime";
    /**
     * The Lambda runtime of the native build. Not provided.al2: Quarkus' native container build (the UBI 9 Mandrel
     * builder image, Quarkus 3.19 on) links the bootstrap against glibc 2.34, and Amazon Linux 2 has glibc 2.26
     * ("GLIBC_2.34 not found" at every cold start, quarkusio/quarkus#47058); Amazon Linux 2023 has 2.34.
     */
    private static final String NATIVE_RUNTIME = "provided.al2023";
    /** What the native bootstrap needs in its environment (as Quarkus' own sam.native.yaml sets it). */
    private static final Map<String, String> NATIVE_ENVIRONMENT = Map.of("DISABLE_SIGNAL_HANDLERS", "true");
    /** The memory Lambda lets a function have, in MB. */
    private static final int MIN_MEMORY = 128;
    private static final int MAX_MEMORY = 10240;
    /** Function properties SAM does not take in {@code Globals.Function}: each function must set its own. */
    private static final Set<String> NOT_GLOBAL = Set.of("Policies", "Role", "Events");
    /**
     * Config methods that are optional for the application to start but must be set in AWS: without a webhook token
     * {@code WebhookAuthenticator} refuses every delivery, without an admin token {@code AdminResource} refuses every
     * request (and the template exposes the admin routes).
     */
    private static final Set<String> REQUIRED_IN_PRODUCTION = Set.of("webhookToken", "adminToken");
    /**
     * The secrets, which the code reads from SSM Parameter Store at start-up ({@link SsmSecretsConfigSourceFactory}),
     * never from a template value: the template sets only the path, and grants {@value #SSM_ACTION} on exactly these
     * parameters under it.
     */
    private static final List<Secret> SSM_SECRETS = SsmSecretsConfigSourceFactory.SECRETS;
    /** The one SSM call of the code: GetParameters, with decryption (the AWS-managed key needs no kms grant). */
    private static final String SSM_ACTION = "ssm:GetParameters";
    /** An SSM parameter's ARN up to its name; the name starts with '/', so "parameter" + "/callbridge/x". */
    private static final String SSM_PARAMETER_ARN =
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter";
    /**
     * JAX-RS routes under this path (after the application's root path) are internal: never routed by the HTTP API,
     * called only by Schedule events whose Input is a synthetic HTTP API event carrying
     * {@link CallbridgeConfig#internalApiId()} (see {@code InternalResource}).
     */
    private static final String INTERNAL_PATH = "/internal";
    /** The table's key as CallLedger writes it (both strings: pk = CALL#<id>, sk = CALL). */
    private static final List<KeyAttribute> TABLE_KEY = List.of(new KeyAttribute(CallLedger.PK, "HASH", "S"),
            new KeyAttribute(CallLedger.SK, "RANGE", "S"));
    /**
     * The secondary indexes the code queries, by name: their key (queue is a string such as "parked", dueAt epoch
     * milliseconds) and projection (the code reads whole records from the index). The sources' indexName(...) calls
     * must name exactly these.
     */
    private static final Map<String, IndexSpec> INDEXES = Map.of(CallLedger.QUEUE_INDEX, new IndexSpec(
            List.of(new KeyAttribute(CallLedger.QUEUE, "HASH", "S"), new KeyAttribute(CallLedger.DUE_AT, "RANGE", "N")),
            "ALL"));
    /** Runs only with CALLBRIDGE_CREATE_TABLE=true (local runs, tests); in AWS the template owns the table. */
    private static final Class<?> LOCAL_ONLY_DYNAMO_USER = LedgerTable.class;
    /** DynamoDbClient methods that are no DynamoDB API operation (and so need no IAM action). */
    private static final Set<String> NOT_DYNAMO_OPERATIONS =
            Set.of("waiter", "close", "serviceName", "serviceClientConfiguration", "utilities");
    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
            "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What {@value #CODE_URI} can hold, by the value of the {@value #RUNTIME_PARAMETER} parameter that deploys it:
     * the jar of {@code ./mvnw package} (the default: the build every other instruction makes) or the native
     * bootstrap of {@code ./mvnw package -Pnative}.
     */
    enum Build {
        JVM("jvm"), NATIVE("native");

        final String parameterValue;

        Build(String parameterValue) {
            this.parameterValue = parameterValue;
        }

        @Override
        public String toString() {
            return RUNTIME_PARAMETER + "=" + parameterValue;
        }
    }

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

    @ParameterizedTest(name = "with {0}, the template as deployed is valid against SAM's schema")
    @EnumSource(Build.class)
    void eachBuildsTemplateIsValidAgainstSamSchema(Build build) {
        assertNoProblems("with " + build + ", template.yaml does not validate against SAM's schema ("
                + SAM_SCHEMA + ")", schemaErrors(resolved(template, build)));
    }

    static Stream<Arguments> schemaViolations() {
        String webhookFunction = "/Resources/" + webhookFunctionId(template);
        return Stream.of(
                arguments("an event of an unknown Type", mutation(t -> event(t).put("Type", "HttpAPI")),
                        webhookFunction),
                arguments("an HttpApi event whose Method is a number",
                        mutation(t -> eventProperties(t).put("Method", 42)), webhookFunction),
                arguments("an HttpApi event with an unknown property",
                        mutation(t -> eventProperties(t).put("Verb", "POST")), webhookFunction),
                arguments("a misspelt function property", mutation(t -> functionProperties(t).put("Runtim", "java17")),
                        webhookFunction),
                arguments("a Schedule event with an unknown property",
                        mutation(t -> scheduleProperties(t).put("Payload", "{}")),
                        "/Resources/" + scheduledFunctionId(template)),
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
    void functionsRunTheQuarkusHandlerOnTheJavaReleaseOfTheBuild() {
        assertNoProblems("the functions' code settings drifted", functionProblems(template));
    }

    @Test
    void runtimeParameterOffersBothBuildsAndDefaultsToTheJvm() {
        JsonNode parameter = template.path("Parameters").path(RUNTIME_PARAMETER);
        assertEquals("String", parameter.path("Type").asText(), "Parameter " + RUNTIME_PARAMETER + ".Type");
        assertEquals(Set.of("jvm", "native"), new TreeSet<>(texts(parameter.path("AllowedValues"))),
                "Parameter " + RUNTIME_PARAMETER + ".AllowedValues");
        assertEquals(Build.JVM.parameterValue, parameter.path("Default").asText(),
                "a deployment that does not say which build it deploys must get the one ./mvnw package makes");
        ObjectNode byDefault = CloudFormationConditions.resolve(template, Map.of());
        for (String fn : functionIds(byDefault)) {
            assertEquals(JVM_RUNTIME, functionSetting(byDefault, fn, "Runtime").asText(),
                    fn + ".Runtime without parameter values");
            assertEquals(HANDLER, functionSetting(byDefault, fn, "Handler").asText(),
                    fn + ".Handler without parameter values");
        }
    }

    @ParameterizedTest(name = "with {0}, every function gets that build's runtime, handler and environment")
    @EnumSource(Build.class)
    void eachBuildGetsItsRuntimeHandlerAndEnvironment(Build build) {
        ObjectNode t = resolved(template, build);
        assertTrue(!functionIds(t).isEmpty(), "template.yaml has no " + FUNCTION_TYPE);
        for (String fn : functionIds(t)) {
            String where = build + ": " + fn + ".";
            assertEquals(CODE_URI, functionSetting(t, fn, "CodeUri").asText(), where + "CodeUri");
            Map<String, JsonNode> env = effectiveEnvironment(t, fn);
            switch (build) {
                case JVM -> {
                    assertEquals(JVM_RUNTIME, functionSetting(t, fn, "Runtime").asText(), where + "Runtime");
                    assertEquals(HANDLER, functionSetting(t, fn, "Handler").asText(), where + "Handler");
                }
                case NATIVE -> {
                    assertEquals(NATIVE_RUNTIME, functionSetting(t, fn, "Runtime").asText(), where + "Runtime");
                    JsonNode handler = functionSetting(t, fn, "Handler");
                    assertTrue(handler != null && handler.isTextual() && !handler.textValue().isBlank(),
                            where + "Handler must be some text (SAM requires one for a zip; provided.* ignores it),"
                                    + " is " + describe(handler));
                    NATIVE_ENVIRONMENT.forEach((name, value) -> assertEquals(value,
                            env.containsKey(name) ? env.get(name).asText() : null, where + "Environment " + name));
                }
                default -> fail("no expectations for " + build);
            }
        }
    }

    @Test
    void theNativeBuildTakesLessMemoryThanTheJvm() {
        ObjectNode jvm = resolved(template, Build.JVM);
        ObjectNode nativeBuild = resolved(template, Build.NATIVE);
        for (String fn : functionIds(template)) {
            int jvmMemory = functionSetting(jvm, fn, "MemorySize").asInt();
            int nativeMemory = functionSetting(nativeBuild, fn, "MemorySize").asInt();
            assertTrue(nativeMemory < jvmMemory, () -> fn + ": the native build is given " + nativeMemory
                    + " MB, the JVM " + jvmMemory + " MB; a native image needs a fraction of the JVM's heap");
        }
    }

    @Test
    void conditionsAreResolvedAsCloudFormationDecides() throws IOException {
        ObjectNode t = CloudFormationYaml.read("""
                Parameters:
                  Mode: {Type: String, Default: a, AllowedValues: [a, b]}
                  Size: {Type: Number, Default: 3}
                  Free: {Type: String}
                Conditions:
                  IsB: !Equals [!Ref Mode, b]
                  IsA: !Not [!Condition IsB]
                  Big: !Equals [!Ref Size, 5]
                  BigB: !And [!Condition IsB, !Condition Big]
                  AOrBig: !Or [!Condition IsA, !Condition Big]
                Resources:
                  Always:
                    Type: X
                    Properties:
                      Pick: !If [IsB, bee, !If [Big, big-a, small-a]]
                      Gone: !If [IsB, !Ref "AWS::NoValue", kept]
                      List: [one, !If [IsA, !Ref "AWS::NoValue", two], !Ref Free]
                      Both: !If [BigB, both, not-both]
                      Either: !If [AOrBig, either, neither]
                  OnlyB:
                    Type: X
                    Condition: IsB
                """);
        ObjectNode byDefault = CloudFormationConditions.resolve(t, Map.of());
        assertEquals(JSON.readTree("""
                {"Pick": "small-a", "Gone": "kept", "List": ["one", {"Ref": "Free"}],
                 "Both": "not-both", "Either": "either"}
                """), byDefault.path("Resources").path("Always").path("Properties"));
        List<String> resources = new ArrayList<>();
        byDefault.path("Resources").fieldNames().forEachRemaining(resources::add);
        assertEquals(List.of("Always"), resources, "a resource whose Condition is false is left out");
        ObjectNode b = CloudFormationConditions.resolve(t, Map.of("Mode", "b", "Size", "5"));
        assertEquals(JSON.readTree("""
                {"Pick": "bee", "List": ["one", "two", {"Ref": "Free"}], "Both": "both", "Either": "either"}
                """), b.path("Resources").path("Always").path("Properties"));
        assertTrue(b.path("Resources").has("OnlyB"));
        assertEquals(t.get("Conditions"), b.get("Conditions"), "the Conditions section stays as written");
        assertThrows(IllegalArgumentException.class, () -> CloudFormationConditions.resolve(t, Map.of("Mode", "c")),
                "a value the parameter does not allow");
        assertThrows(IllegalArgumentException.class, () -> CloudFormationConditions.resolve(t, Map.of("Modus", "a")),
                "a parameter the template does not declare");
        ObjectNode undeclared = t.deepCopy();
        ((ObjectNode) undeclared.path("Resources").path("Always").path("Properties")).set("X",
                NODES.objectNode().set("Fn::If", NODES.arrayNode().add("IsC").add("c").add("d")));
        assertThrows(IllegalArgumentException.class, () -> CloudFormationConditions.resolve(undeclared, Map.of()),
                "an !If naming no declared condition");
        ObjectNode onFree = t.deepCopy();
        ((ObjectNode) onFree.get("Conditions")).set("IsB", NODES.objectNode().set("Fn::Equals",
                NODES.arrayNode().add(NODES.objectNode().put("Ref", "Free")).add("b")));
        assertThrows(IllegalArgumentException.class, () -> CloudFormationConditions.resolve(onFree, Map.of()),
                "a condition on a parameter with neither value nor default");
        assertEquals("bee", CloudFormationConditions.resolve(onFree, Map.of("Free", "b"))
                .path("Resources").path("Always").path("Properties").path("Pick").asText());
    }

    @Test
    void httpApiRoutesAreExactlyThePublicJaxRsRoutes() {
        assertNoProblems("the HTTP API routes drifted from the JAX-RS resources", routeProblems(template));
    }

    @Test
    void schedulesCallEveryInternalRouteAsTheInternalApi() {
        assertNoProblems("the schedules drifted from the internal JAX-RS routes", scheduleProblems(template));
    }

    @Test
    void environmentMatchesCallbridgeConfig() {
        assertNoProblems("a function's environment drifted from CallbridgeConfig", environmentProblems(template));
    }

    @Test
    void tableMatchesTheLedgerCode() {
        assertNoProblems("the DynamoDB table drifted from CallLedger", tableProblems(template));
    }

    @Test
    void policyGrantsExactlyTheDynamoDbActionsTheCodeCalls() {
        assertNoProblems("a function's IAM policy drifted from the DynamoDB calls in src/main/java",
                policyProblems(template));
    }

    @Test
    void secretsComeFromSsmNotFromTheTemplate() {
        assertNoProblems("template.yaml carries a secret as a parameter", secretProblems(template));
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

    @Test
    void anInternalApiIdSetInTheTemplateIsTheOneSchedulesMustSend() {
        String variable = CodeFacts.property("internalApiId").env();
        ObjectNode t = template.deepCopy();
        environment(t).put(variable, "ops-scheduler");
        List<String> stale = scheduleProblems(t);
        assertTrue(stale.stream().anyMatch(p -> p.contains(variable) && p.contains("ops-scheduler")),
                () -> "with " + variable + " set, schedules sending the default apiId must be reported: " + stale);
        for (String fn : functionIds(t)) {
            for (JsonNode event : properties(t, fn).path("Events")) {
                if (SCHEDULE_EVENTS.contains(event.path("Type").asText())) {
                    editInput((ObjectNode) event.path("Properties"),
                            in -> ((ObjectNode) in.path("requestContext")).put("apiId", "ops-scheduler"));
                }
            }
        }
        assertNoProblems("schedules sending the apiId the template sets must pass", scheduleProblems(t));
        assertNoProblems("the environment with " + variable + " set must pass", environmentProblems(t));
    }

    @Test
    void dynamoScanFindsEveryCallStyle() {
        String source = """
                package io.callbridge.sample;
                class Sample {
                    private final DynamoDbClient dynamo;
                    @Inject
                    software.amazon.awssdk.services.dynamodb.DynamoDbClient other;
                    static DynamoDbClient create() { return null; }
                    void run(DynamoDbClient client, Map<String, AttributeValue> key) {
                        // dynamo.scan(ScanRequest.builder().build());
                        /* dynamo.batchWriteItem( */
                        String s = "dynamo.transactWriteItems(x) /* no comment (";
                        char c = '(';
                        String url = "http://example.com"; dynamo.getItem(GetItemRequest.builder().key(key).build());
                        dynamo.deleteItem(b -> b.tableName(t).key(key(a, ")")));
                        this.dynamo.putItem(PutItemRequest.builder().item(item).build());
                        other . updateItem (UpdateItemRequest.builder().build());
                        client.queryPaginator(q -> q.indexName("by-phone")).items();
                        dynamo.query(QueryRequest.builder().tableName(t).indexName(CallLedger.QUEUE_INDEX).build());
                        dynamo.query(QueryRequest.builder().indexName(QUEUE_INDEX).build());
                        dynamo.waiter().waitUntilTableExists(b -> b.tableName(t));
                        dynamo.close();
                    }
                }
                """;
        Function<String, String> constants = expression -> CodeFacts.constant(expression, CallLedger.class);
        assertEquals(List.of(new DynamoCall("dynamodb:GetItem", null), new DynamoCall("dynamodb:DeleteItem", null),
                new DynamoCall("dynamodb:PutItem", null), new DynamoCall("dynamodb:UpdateItem", null),
                new DynamoCall("dynamodb:Query", "by-phone"), new DynamoCall("dynamodb:Query", CallLedger.QUEUE_INDEX),
                new DynamoCall("dynamodb:Query", CallLedger.QUEUE_INDEX)), CodeFacts.dynamoCalls(source, constants));
        assertThrows(IllegalStateException.class, () -> CodeFacts.dynamoCalls("""
                void run(DynamoDbClient dynamo) {
                    QueryRequest q = QueryRequest.builder().indexName("by-phone").build();
                    dynamo.query(q);
                }
                """, constants), "an index named outside the call cannot be told apart: the scan must refuse it");
        assertTrue(CodeFacts.DYNAMO_INDEX_ACTIONS.getOrDefault(CallLedger.QUEUE_INDEX, Map.of())
                .containsKey("dynamodb:Query"), () -> "the sources query " + CallLedger.QUEUE_INDEX
                        + " (CallLedger.queued, PendingEvents.all), the scan found " + CodeFacts.DYNAMO_INDEX_ACTIONS);
    }

    static Stream<Arguments> drifts() {
        String usedAction = CodeFacts.DYNAMO_ACTIONS.keySet().stream() // one the code calls and the template grants
                .filter(a -> actions(template).toString().contains('"' + a + '"')).findFirst()
                .orElse(CodeFacts.DYNAMO_ACTIONS.keySet().iterator().next());
        String webhookFunction = webhookFunctionId(template);
        String scheduledFunction = scheduledFunctionId(template);
        String internalRoute = CodeFacts.INTERNAL_ROUTES.keySet().iterator().next();
        String internalMethod = internalRoute.substring(0, internalRoute.indexOf(' '));
        String internalPath = internalRoute.substring(internalRoute.indexOf(' ') + 1);
        String publicRoute = CodeFacts.ROUTES.keySet().stream().filter(r -> r.startsWith("POST ")
                && !CodeFacts.INTERNAL_ROUTES.containsKey(r) && !r.contains("{")).findFirst().orElseThrow();
        String apiIdVariable = CodeFacts.property("internalApiId").env();
        String table = tableId(template);
        String indexArn = "${" + table + ".Arn}/index/" + CallLedger.QUEUE_INDEX;
        String pathVariable = CodeFacts.property("secretsSsmPath").env();
        String pathParameter = ssmPathParameter(template, webhookFunction);
        String adminTokenArn = ssmArn(pathParameter, "admin-token");
        return Stream.of(
                // function settings, per function and through Globals
                drift("Runtime written as a number (SAM's schema lets this pass)",
                        t -> functionProperties(t).put("Runtime", 17), "Runtime"),
                drift("Runtime of another Java release in Globals", t -> globalFunction(t).put("Runtime", "java8"),
                        "Runtime"),
                drift("one function overriding the Runtime", t -> properties(t, scheduledFunction).put("Runtime",
                        "java11"), scheduledFunction + ".Runtime"),
                drift("another handler",
                        t -> functionProperties(t).put("Handler", "io.quarkus.amazon.lambda.runtime.QuarkusHandler"),
                        "Handler"),
                drift("CodeUri of another artifact", t -> functionProperties(t).put("CodeUri", "target/app.jar"),
                        "CodeUri"),
                drift("a third function without the Quarkus handler", t -> {
                    ObjectNode extra = resource(t, scheduledFunction).deepCopy();
                    ((ObjectNode) extra.get("Properties")).remove("Events");
                    ((ObjectNode) extra.get("Properties")).put("Handler", "index.handler");
                    resources(t).set("ExtraFunction", extra);
                }, "ExtraFunction.Handler"),
                drift("Policies in Globals (SAM does not take them there)",
                        t -> globalFunction(t).set("Policies", functionProperties(t).get("Policies").deepCopy()),
                        "Globals.Function.Policies"),
                // the two builds
                drift("the native build on provided.al2 (glibc 2.26; the bootstrap needs 2.34)",
                        t -> setForBuild(t, "Runtime", Build.NATIVE, NODES.textNode("provided.al2")),
                        "[" + Build.NATIVE + "] " + webhookFunction + ".Runtime is \"provided.al2\""),
                drift("the JVM build on java17 (AWS blocks creating java17 functions since 2026-07-31)",
                        t -> setForBuild(t, "Runtime", Build.JVM, NODES.textNode("java17")),
                        "[" + Build.JVM + "] " + webhookFunction + ".Runtime is \"java17\""),
                drift("one Runtime whatever the parameter says", t -> globalFunction(t).put("Runtime",
                        JVM_RUNTIME), "[" + Build.NATIVE + "] " + webhookFunction + ".Runtime"),
                drift("the JVM build without the Quarkus handler", t -> setForBuild(t, "Handler", Build.JVM,
                        NODES.textNode("not.used.in.provided.runtime")), "[" + Build.JVM + "] " + webhookFunction
                                + ".Handler"),
                drift("the native build without a Handler (SAM requires one for a zip)", t -> setForBuild(t, "Handler",
                        Build.NATIVE, NODES.objectNode().put("Ref", "AWS::NoValue")),
                        "[" + Build.NATIVE + "] " + webhookFunction + ".Handler is not set"),
                drift("the native build without DISABLE_SIGNAL_HANDLERS", t -> environment(t)
                        .remove("DISABLE_SIGNAL_HANDLERS"), "Environment DISABLE_SIGNAL_HANDLERS is not set"),
                drift("a memory size Lambda does not take", t -> setForBuild(t, "MemorySize", Build.NATIVE,
                        NODES.numberNode(64)), "[" + Build.NATIVE + "] " + webhookFunction + ".MemorySize is 64"),
                drift("no Runtime parameter", t -> ((ObjectNode) t.get("Parameters")).remove(RUNTIME_PARAMETER),
                        "no Parameter " + RUNTIME_PARAMETER),
                drift("the Runtime parameter defaulting to native", t -> parameter(t, RUNTIME_PARAMETER)
                        .put("Default", Build.NATIVE.parameterValue), "Parameter " + RUNTIME_PARAMETER
                                + " defaults to \"native\""),
                drift("the Runtime parameter without a default", t -> parameter(t, RUNTIME_PARAMETER).remove("Default"),
                        "Parameter " + RUNTIME_PARAMETER + " defaults to not set"),
                drift("the Runtime parameter offering the JVM only", t -> parameter(t, RUNTIME_PARAMETER)
                        .set("AllowedValues", strings(Build.JVM.parameterValue)), "allowing [jvm]"),
                drift("an !If on a misspelt condition", t -> ((ArrayNode) globalFunction(t).path("Runtime")
                        .get("Fn::If")).set(0, NODES.textNode("IsNativ")), "condition IsNativ"),
                drift("a condition used nowhere", t -> ((ObjectNode) t.get("Conditions")).set("IsProd",
                        NODES.objectNode().set("Fn::Equals", strings("a", "b"))), "Condition IsProd is used nowhere"),
                // HTTP API routes
                drift("a misspelt route path", t -> eventProperties(t).put("Path",
                        eventProperties(t).get("Path").asText() + "-typo"), "-typo, but no JAX-RS resource method"),
                drift("the route on another method", t -> eventProperties(t).put("Method", "DELETE"), "routes DELETE"),
                drift("a REST-API (1.0) payload format", t -> eventProperties(t).put("PayloadFormatVersion", "1.0"),
                        "PayloadFormatVersion"),
                drift("the webhook route not exposed", t -> functionProperties(t).remove("Events"), "is not exposed"),
                drift("an event on no API of the template", t -> eventProperties(t).put("ApiId", "abc123"), "ApiId"),
                drift("an internal route exposed on the HTTP API", t -> addHttpApiEvent(t, webhookFunction,
                        internalMethod, internalPath), "exposes the internal route " + internalRoute),
                drift("an internal route exposed on the HTTP API by the scheduled function",
                        t -> addHttpApiEvent(t, scheduledFunction, internalMethod, internalPath),
                        "exposes the internal route " + internalRoute),
                drift("a route on two functions", t -> addHttpApiEvent(t, scheduledFunction,
                        eventProperties(t).get("Method").asText(), eventProperties(t).get("Path").asText()),
                        "routes already"),
                drift("an event type the code cannot take (REST API)", t -> ((ObjectNode) functionProperties(t)
                        .get("Events")).set("RestRoute", NODES.objectNode().put("Type", "Api").set("Properties",
                                NODES.objectNode().put("Method", "post").put("Path", "/webhooks/other"))),
                        "RestRoute is of Type"),
                drift("routes defined in an OpenAPI body", t -> properties(t, httpApiId(t)).set("DefinitionBody",
                        NODES.objectNode().put("openapi", "3.0.1")), "DefinitionBody"),
                // schedules and their synthetic events
                drift("a schedule Input pointing at a missing route",
                        t -> editInput(scheduleProperties(t), in -> retarget(in, internalMethod, internalPath + "s")),
                        "which is no internal JAX-RS route"),
                drift("a schedule Input pointing at a public route", t -> editInput(scheduleProperties(t),
                        in -> retarget(in, "POST", publicRoute.substring("POST ".length()))),
                        "which is no internal JAX-RS route"),
                drift("a schedule Input with another apiId", t -> editInput(scheduleProperties(t),
                        in -> ((ObjectNode) in.get("requestContext")).put("apiId", "abc123")), "requestContext.apiId is \"abc123\""),
                drift("a schedule Input without apiId", t -> editInput(scheduleProperties(t),
                        in -> ((ObjectNode) in.get("requestContext")).remove("apiId")), "requestContext.apiId"),
                drift("CALLBRIDGE_INTERNAL_API_ID set but the Input left as it was",
                        t -> environment(t).put(apiIdVariable, "ops-scheduler"), apiIdVariable),
                drift("one function overriding CALLBRIDGE_INTERNAL_API_ID", t -> functionEnvironment(t,
                        scheduledFunction).put(apiIdVariable, "ops-scheduler"), apiIdVariable + " of " + scheduledFunction),
                drift("CALLBRIDGE_INTERNAL_API_ID from a parameter (the Input is literal)", t -> environment(t)
                        .set(apiIdVariable, NODES.objectNode().put("Ref", "ReplaySchedule")), apiIdVariable + " is"),
                drift("a schedule Input whose routeKey is another route", t -> editInput(scheduleProperties(t),
                        in -> in.put("routeKey", internalMethod + " " + internalPath + "/other")), ".routeKey is"),
                drift("a schedule Input whose requestContext.http.path differs from rawPath",
                        t -> editInput(scheduleProperties(t), in -> ((ObjectNode) in.path("requestContext").path("http"))
                                .put("path", internalPath + "/other")), "requestContext.http.path"),
                drift("a schedule Input whose requestContext.routeKey is another route",
                        t -> editInput(scheduleProperties(t), in -> ((ObjectNode) in.path("requestContext"))
                                .put("routeKey", "GET " + internalPath)), "requestContext.routeKey"),
                drift("a schedule Input of payload format 1.0", t -> editInput(scheduleProperties(t),
                        in -> in.put("version", "1.0")), ".version is"),
                drift("a schedule Input that is not JSON", t -> scheduleProperties(t).put("Input", "{\"version\": 2.0"),
                        "is not JSON"),
                drift("a schedule Input written as YAML, not JSON text", t -> scheduleProperties(t).set("Input",
                        NODES.objectNode().put("rawPath", internalPath)), "must be JSON text"),
                drift("a schedule without Input (an EventBridge event Quarkus cannot route)",
                        t -> scheduleProperties(t).remove("Input"), "has no Input"),
                drift("the internal route called by no schedule", t -> ((ObjectNode) properties(t, scheduledFunction)
                        .get("Events")).remove(scheduleEventName(t)), "is called by no"),
                drift("the only schedule disabled", t -> scheduleProperties(t).put("Enabled", false), "is called by no"),
                // environment
                drift("a variable of no setting (e.g. misspelt)",
                        t -> environment(t).put(CodeFacts.ENV_PREFIX + "NO_SUCH_SETTING", "x"), "NO_SUCH_SETTING"),
                drift("a required setting left out", t -> environment(t).remove("CALLBRIDGE_PIPEDRIVE_BASE_URL"),
                        "CALLBRIDGE_PIPEDRIVE_BASE_URL"),
                drift("the SSM path left out: no Pipedrive token", t -> environment(t).remove(pathVariable),
                        "(CALLBRIDGE_PIPEDRIVE_API_TOKEN) has no default and is a secret read from SSM"),
                drift("the SSM path left out: no webhook token", t -> environment(t).remove(pathVariable),
                        "(CALLBRIDGE_WEBHOOK_TOKEN) has no default usable in production"),
                drift("the SSM path left out: no admin token", t -> environment(t).remove(pathVariable),
                        "(CALLBRIDGE_ADMIN_TOKEN) has no default usable in production"),
                drift("a required setting emptied by one function",
                        t -> functionEnvironment(t, scheduledFunction).put("CALLBRIDGE_PIPEDRIVE_BASE_URL", ""),
                        scheduledFunction + ": CALLBRIDGE_PIPEDRIVE_BASE_URL"),
                // secrets: from SSM only
                drift("a secret as a plain value", t -> environment(t).put("CALLBRIDGE_WEBHOOK_TOKEN", "s3cret-token"),
                        "CALLBRIDGE_WEBHOOK_TOKEN is set in the template"),
                drift("a secret set by one function", t -> functionEnvironment(t, scheduledFunction)
                        .put("CALLBRIDGE_PIPEDRIVE_API_TOKEN", "x"),
                        scheduledFunction + ": CALLBRIDGE_PIPEDRIVE_API_TOKEN is set in the template"),
                drift("a secret from a NoEcho parameter again", t -> {
                    ((ObjectNode) t.get("Parameters")).set("AdminToken", NODES.objectNode().put("Type", "String")
                            .put("NoEcho", true).put("MinLength", 16));
                    environment(t).set("CALLBRIDGE_ADMIN_TOKEN", NODES.objectNode().put("Ref", "AdminToken"));
                }, "AdminToken is NoEcho"),
                drift("a NoEcho parameter again, even unused by a secret variable", t -> parameter(t, "DefaultOwnerEmail")
                        .put("NoEcho", true), "DefaultOwnerEmail is NoEcho"),
                drift("the SSM path written out", t -> environment(t).put(pathVariable, "/callbridge/"),
                        pathVariable + " is \"/callbridge/\""),
                drift("the SSM path emptied by one function", t -> functionEnvironment(t, scheduledFunction)
                        .put(pathVariable, ""), scheduledFunction + ": " + pathVariable + " is"),
                drift("the SSM path parameter without its pattern", t -> parameter(t, pathParameter)
                        .remove("AllowedPattern"), pathParameter + " (the SSM path of the secrets) has AllowedPattern"),
                drift("the SSM path parameter taking paths without a trailing slash", t -> parameter(t, pathParameter)
                        .put("AllowedPattern", "^/.*$"), pathParameter + " (the SSM path of the secrets) has"),
                drift("the SSM path defaulting to no path", t -> parameter(t, pathParameter).put("Default",
                        "/callbridge"), "Parameter " + pathParameter + " defaults to"),
                drift("a required setting whose parameter defaults to empty",
                        t -> parameter(t, "PipedriveBaseUrl").put("Default", ""), "PipedriveBaseUrl"),
                drift("a table name written out", t -> environment(t).put("CALLBRIDGE_TABLE", "callbridge"),
                        "CALLBRIDGE_TABLE"),
                drift("a table name written out by one function", t -> functionEnvironment(t, scheduledFunction)
                        .put("CALLBRIDGE_TABLE", "callbridge"), scheduledFunction + ": CALLBRIDGE_TABLE"),
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
                drift("a numeric parameter default other than the code's",
                        t -> parameter(t, "ReplayMaxAgeHours").put("Default", 48), "ReplayMaxAgeHours"),
                // table and index
                drift("a numeric range key", t -> attributeDefinition(t, CallLedger.SK).put("AttributeType", "N"),
                        CallLedger.SK),
                drift("a renamed hash key", t -> ((ObjectNode) tableProperties(t).get("KeySchema").get(0))
                        .put("AttributeName", CallLedger.PK + "_typo"), "KeySchema"),
                drift("a renamed TTL attribute", t -> ((ObjectNode) tableProperties(t).get("TimeToLiveSpecification"))
                        .put("AttributeName", CallLedger.TTL_ATTRIBUTE + "_typo"), "TimeToLiveSpecification"),
                drift("TTL disabled", t -> ((ObjectNode) tableProperties(t).get("TimeToLiveSpecification"))
                        .put("Enabled", false), "Enabled"),
                drift("provisioned billing", t -> tableProperties(t).put("BillingMode", "PROVISIONED"), "BillingMode"),
                drift("the queue index left out", t -> tableProperties(t).remove("GlobalSecondaryIndexes"),
                        "has no GlobalSecondaryIndex " + CallLedger.QUEUE_INDEX),
                drift("the queue index left out: its attribute definitions are unused",
                        t -> tableProperties(t).remove("GlobalSecondaryIndexes"),
                        CallLedger.DUE_AT + ", which no KeySchema"),
                drift("the queue index renamed", t -> queueIndex(t).put("IndexName", "by-queue"), "by-queue"),
                drift("the queue index keyed the other way round", t -> {
                    ArrayNode keys = (ArrayNode) queueIndex(t).get("KeySchema");
                    ((ObjectNode) keys.get(0)).put("KeyType", "RANGE");
                    ((ObjectNode) keys.get(1)).put("KeyType", "HASH");
                }, CallLedger.QUEUE_INDEX + ".KeySchema"),
                drift("the queue index without range key", t -> ((ArrayNode) queueIndex(t).get("KeySchema")).remove(1),
                        CallLedger.QUEUE_INDEX + ".KeySchema"),
                drift("dueAt as a string", t -> attributeDefinition(t, CallLedger.DUE_AT).put("AttributeType", "S"),
                        CallLedger.DUE_AT + "=S"),
                drift("the queue index projecting keys only", t -> ((ObjectNode) queueIndex(t).get("Projection"))
                        .put("ProjectionType", "KEYS_ONLY"), "ProjectionType"),
                drift("an unused attribute definition", t -> ((ArrayNode) tableProperties(t).get("AttributeDefinitions"))
                        .add(NODES.objectNode().put("AttributeName", "callKey").put("AttributeType", "S")),
                        "callKey, which no KeySchema"),
                drift("a key attribute without definition", t -> removeDefinition(t, CallLedger.QUEUE),
                        CallLedger.QUEUE + " is a key attribute"),
                drift("an index no code queries", t -> {
                    ObjectNode extra = queueIndex(t).deepCopy().put("IndexName", "by-phone");
                    ((ArrayNode) extra.get("KeySchema")).remove(1);
                    ((ArrayNode) tableProperties(t).get("GlobalSecondaryIndexes")).add(extra);
                }, "by-phone, which no code queries"),
                drift("capacity on an index of an on-demand table", t -> queueIndex(t).set("ProvisionedThroughput",
                        NODES.objectNode().put("ReadCapacityUnits", 5).put("WriteCapacityUnits", 5)),
                        "ProvisionedThroughput"),
                // IAM
                drift("an action the code does not call", t -> actions(t).add("dynamodb:DeleteTable"),
                        "dynamodb:DeleteTable"),
                drift("an action the code calls left out", t -> removeText(actions(t), usedAction), usedAction),
                drift("an action left out of one function only", t -> removeText(actions(t, scheduledFunction),
                        usedAction), scheduledFunction + "'s policy does not grant " + usedAction),
                drift("Query not granted on the index", t -> removeResource(statement(t), indexArn),
                        "is not granted dynamodb:Query on " + indexArn),
                drift("Query not granted on the index by one function",
                        t -> removeResource(statement(t, scheduledFunction), indexArn),
                        scheduledFunction + " is not granted dynamodb:Query on " + indexArn),
                drift("the index granted, but not for Query", t -> {
                    ObjectNode s = statement(t);
                    removeResource(s, indexArn);
                    ObjectNode onIndex = s.deepCopy().put("Sid", "IndexRead");
                    onIndex.set("Action", strings("dynamodb:GetItem"));
                    onIndex.set("Resource", NODES.arrayNode().add(subNode(indexArn)));
                    ((ArrayNode) functionProperties(t).get("Policies").get(0).get("Statement")).add(onIndex);
                }, "is not granted dynamodb:Query on " + indexArn),
                drift("the index ARN of no index of the code", t -> resourceArray(statement(t))
                        .add(subNode("${" + table + ".Arn}/index/by-phone")), "/index/by-phone"),
                drift("a wildcard action", t -> actions(t).add("dynamodb:*"), "dynamodb:*"),
                drift("a wildcard resource", t -> statement(t).put("Resource", "*"), "Resource"),
                drift("a wildcard index ARN in a !Sub", t -> resourceArray(statement(t))
                        .add(subNode("${" + table + ".Arn}/index/*")), "/index/*"),
                // IAM for the secrets
                drift("an SSM parameter not granted", t -> removeResource(ssmStatement(t, webhookFunction),
                        adminTokenArn), adminTokenArn + "\" at start-up, but is not granted"),
                drift("an SSM parameter not granted by one function", t -> removeResource(ssmStatement(t,
                        scheduledFunction), adminTokenArn), scheduledFunction + " reads the SSM parameter"),
                drift("the SSM statement left out of one function", t -> removeSsmStatement(t, scheduledFunction),
                        "it has no " + SSM_ACTION + " statement"),
                drift("an SSM parameter the code does not read", t -> resourceArray(ssmStatement(t, webhookFunction))
                        .add(subNode(ssmArn(pathParameter, "database-password"))), "database-password"),
                drift("an SSM parameter ARN with the path written out", t -> resourceArray(ssmStatement(t,
                        webhookFunction)).add(subNode(SSM_PARAMETER_ARN + "/callbridge/webhook-token")),
                        "parameter/callbridge/webhook-token"),
                drift("an SSM parameter ARN with a doubled slash", t -> resourceArray(ssmStatement(t, webhookFunction))
                        .add(subNode(SSM_PARAMETER_ARN + "/${" + pathParameter + "}webhook-token")),
                        "parameter/${" + pathParameter + "}webhook-token"),
                drift("a wildcard SSM parameter", t -> resourceArray(ssmStatement(t, webhookFunction))
                        .add(subNode(SSM_PARAMETER_ARN + "${" + pathParameter + "}*")), "${" + pathParameter + "}*"),
                drift("a path-wide SSM action", t -> ((ArrayNode) ssmStatement(t, webhookFunction).get("Action"))
                        .add("ssm:GetParametersByPath"), "ssm:GetParametersByPath"),
                drift("a wildcard SSM action", t -> ((ArrayNode) ssmStatement(t, webhookFunction).get("Action"))
                        .add("ssm:*"), "ssm:*"),
                drift("kms:Decrypt granted (the AWS-managed key needs none)", t -> ((ArrayNode) ssmStatement(t,
                        webhookFunction).get("Action")).add("kms:Decrypt"), "kms:Decrypt"),
                drift("GetParameters mixed into the DynamoDB statement", t -> actions(t).add(SSM_ACTION),
                        "together with DynamoDB actions"),
                drift("SSM granted to a function that reads no secret", t -> environment(t).remove(pathVariable),
                        "none (it does not set " + pathVariable + ")"),
                drift("a managed policy", t -> ((ArrayNode) functionProperties(t).get("Policies"))
                        .add("AmazonDynamoDBFullAccess"), "AmazonDynamoDBFullAccess"),
                drift("a SAM policy template on one function", t -> ((ArrayNode) properties(t, scheduledFunction)
                        .get("Policies")).add(NODES.objectNode().set("DynamoDBCrudPolicy",
                                NODES.objectNode().set("TableName", NODES.objectNode().put("Ref", table)))),
                        scheduledFunction + ".Policies has"),
                // outputs and references
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
                TemplateTest::functionProblems, TemplateTest::routeProblems, TemplateTest::scheduleProblems,
                TemplateTest::environmentProblems, TemplateTest::tableProblems, TemplateTest::policyProblems,
                TemplateTest::wildcardProblems, TemplateTest::outputProblems, TemplateTest::referenceProblems,
                TemplateTest::secretProblems)) {
            try {
                problems.addAll(check.apply(t));
            } catch (RuntimeException e) {
                problems.add(e.toString());
            }
        }
        return problems;
    }

    /**
     * Handler, Runtime, CodeUri, MemorySize of every function (its own or from Globals.Function, as SAM merges them),
     * for each {@link Build}: the template as deployed with that value of {@value #RUNTIME_PARAMETER}.
     */
    static List<String> functionProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        List<String> functions = functionIds(t);
        if (functions.isEmpty()) {
            problems.add("template.yaml has no " + FUNCTION_TYPE);
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
        JsonNode globals = t.path("Globals").path("Function");
        for (String property : NOT_GLOBAL) {
            if (globals.has(property)) {
                problems.add("Globals.Function." + property + " is set, but SAM does not take " + property
                        + " in Globals: set it on each function");
            }
        }
        problems.addAll(runtimeParameterProblems(t.path("Parameters").get(RUNTIME_PARAMETER)));
        for (Build build : Build.values()) {
            ObjectNode deployed;
            try {
                deployed = resolved(t, build);
            } catch (IllegalArgumentException e) {
                problems.add("with " + build + ", the template cannot be resolved: " + e.getMessage());
                continue;
            }
            for (String fn : functionIds(deployed)) {
                buildProblems(deployed, fn, build).forEach(p -> problems.add("[" + build + "] " + p));
            }
        }
        return problems;
    }

    /** One function's code settings in the template as deployed for one build. */
    private static List<String> buildProblems(ObjectNode t, String fn, Build build) {
        List<String> problems = new ArrayList<>();
        JsonNode handler = functionSetting(t, fn, "Handler");
        JsonNode runtime = functionSetting(t, fn, "Runtime");
        switch (build) {
            case JVM -> {
                if (handler == null || !HANDLER.equals(handler.textValue())) {
                    problems.add(fn + ".Handler is " + describe(handler) + "; quarkus-amazon-lambda-http is invoked"
                            + " through " + HANDLER);
                }
                int release = Integer.parseInt(javaRelease());
                Matcher java = Pattern.compile("java(\\d+)").matcher(runtime == null || !runtime.isTextual() ? ""
                        : runtime.textValue());
                if (!java.matches() || Integer.parseInt(java.group(1)) < release
                        || !SUPPORTED_JAVA_RUNTIMES.contains(runtime.textValue())) {
                    problems.add(fn + ".Runtime is " + describe(runtime) + "; pom.xml compiles for Java " + release
                            + " (maven.compiler.release), which runs on the Lambda Java runtimes AWS still lets one"
                            + " create and update: " + SUPPORTED_JAVA_RUNTIMES + " (java17 is blocked since 2026-07-31)");
                }
            }
            case NATIVE -> {
                if (handler == null || !handler.isTextual() || handler.textValue().isBlank()) {
                    problems.add(fn + ".Handler is " + describe(handler) + "; the native bootstrap ignores it, but SAM"
                            + " requires one for a zip (e.g. not.used.in.provided.runtime, as Quarkus writes)");
                }
                if (runtime == null || !NATIVE_RUNTIME.equals(runtime.textValue())) {
                    problems.add(fn + ".Runtime is " + describe(runtime) + "; the native bootstrap runs on "
                            + NATIVE_RUNTIME + " (not provided.al2: the bootstrap Quarkus' container build makes"
                            + " needs glibc 2.34, Amazon Linux 2 has 2.26)");
                }
                Map<String, JsonNode> env = effectiveEnvironment(t, fn);
                NATIVE_ENVIRONMENT.forEach((name, value) -> {
                    if (!env.containsKey(name) || !value.equals(env.get(name).asText())) {
                        problems.add(fn + ": Environment " + name + " is " + describe(env.get(name))
                                + "; the native bootstrap needs \"" + value + "\"");
                    }
                });
            }
            default -> problems.add("functionProblems() has no expectations for " + build);
        }
        JsonNode codeUri = functionSetting(t, fn, "CodeUri");
        if (codeUri == null || !CODE_URI.equals(codeUri.textValue())) {
            problems.add(fn + ".CodeUri is " + describe(codeUri) + "; ./mvnw package writes " + CODE_URI);
        }
        JsonNode packageType = functionSetting(t, fn, "PackageType");
        if (packageType != null && !"Zip".equals(packageType.textValue())) {
            problems.add(fn + ".PackageType is " + describe(packageType) + "; the build makes a zip, not an image");
        }
        JsonNode memory = functionSetting(t, fn, "MemorySize");
        boolean wholeMb = memory != null && (memory.isIntegralNumber() || memory.isTextual())
                && memory.asText().matches("\\d{1,5}");
        if (memory != null && (!wholeMb || Integer.parseInt(memory.asText()) < MIN_MEMORY
                || Integer.parseInt(memory.asText()) > MAX_MEMORY)) {
            problems.add(fn + ".MemorySize is " + describe(memory) + "; Lambda takes a whole number of MB from "
                    + MIN_MEMORY + " to " + MAX_MEMORY);
        }
        return problems;
    }

    /** The parameter choosing the build: exactly the builds there are, the JVM one by default. */
    private static List<String> runtimeParameterProblems(JsonNode parameter) {
        if (parameter == null) {
            return List.of("template.yaml has no Parameter " + RUNTIME_PARAMETER + ": nothing says whether "
                    + CODE_URI + " holds the jar or the native bootstrap");
        }
        List<String> problems = new ArrayList<>();
        Set<String> builds = Arrays.stream(Build.values()).map(b -> b.parameterValue)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> allowed = new TreeSet<>(texts(parameter.path("AllowedValues")));
        if (!"String".equals(parameter.path("Type").asText()) || !builds.equals(allowed)) {
            problems.add("Parameter " + RUNTIME_PARAMETER + " is " + describe(parameter.get("Type")) + " allowing "
                    + allowed + "; it must be a String allowing exactly " + builds);
        }
        if (!Build.JVM.parameterValue.equals(parameter.path("Default").asText(null))) {
            problems.add("Parameter " + RUNTIME_PARAMETER + " defaults to " + describe(parameter.get("Default"))
                    + "; it must default to " + Build.JVM.parameterValue + ", the build ./mvnw package makes");
        }
        return problems;
    }

    /**
     * The HttpApi events of all functions together route exactly the public JAX-RS routes, each once; no internal
     * route (under {@value #INTERNAL_PATH}) is on the HTTP API; no function has an event of another kind.
     */
    static List<String> routeProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        Map<String, String> code = CodeFacts.ROUTES;
        Map<String, String> internal = CodeFacts.INTERNAL_ROUTES;
        Map<String, String> exposed = new TreeMap<>();
        Set<String> apis = resourcesOfType(t, HTTP_API_TYPE).keySet();
        for (String api : apis) {
            for (String definition : List.of("DefinitionBody", "DefinitionUri")) {
                if (properties(t, api).has(definition)) {
                    problems.add(api + "." + definition + " is set: routes defined there cannot be checked against"
                            + " the code; define routes as HttpApi events of the functions");
                }
            }
        }
        List<String> functions = functionIds(t);
        for (String fn : functions) {
            for (Map.Entry<String, JsonNode> e : properties(t, fn).path("Events").properties()) {
                String where = fn + ".Events." + e.getKey();
                String type = e.getValue().path("Type").textValue();
                if (SCHEDULE_EVENTS.contains(type)) {
                    continue; // scheduleProblems
                }
                if (!HTTP_API_EVENT.equals(type)) {
                    problems.add(where + " is of Type " + describe(e.getValue().get("Type")) + "; Callbridge is reached"
                            + " through HttpApi events (public routes) and Schedule events (internal routes) only");
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
                    problems.add(where + ".PayloadFormatVersion is " + describe(payload) + ", but the Quarkus Lambda"
                            + " HTTP handler reads payload format " + CodeFacts.PAYLOAD_FORMAT + " (HttpApi's default)");
                }
                JsonNode method = properties.get("Method");
                JsonNode path = properties.get("Path");
                if (method == null || !method.isTextual() || path == null || !path.isTextual()) {
                    problems.add(where + " needs a text Method and Path, has " + describe(method) + " " + describe(path));
                    continue;
                }
                String route = method.textValue().toUpperCase(Locale.ROOT) + " " + normalisePath(path.textValue());
                String before = exposed.putIfAbsent(route, where);
                if (before != null) {
                    problems.add(where + " routes " + route + ", which " + before + " routes already: an HTTP API takes"
                            + " each route once");
                }
                if (!code.containsKey(route)) {
                    problems.add(where + " routes " + route + ", but no JAX-RS resource method handles it (the code has "
                            + code.keySet() + ")");
                } else if (internal.containsKey(route)) {
                    problems.add(where + " exposes the internal route " + route + " (" + code.get(route) + ") on the"
                            + " HTTP API; routes under " + INTERNAL_PATH + " must be reached through Schedule events only");
                }
            }
        }
        for (Map.Entry<String, String> route : code.entrySet()) {
            if (!internal.containsKey(route.getKey()) && !exposed.containsKey(route.getKey())) {
                problems.add("JAX-RS route " + route.getKey() + " (" + route.getValue() + ") is not exposed by any "
                        + "HttpApi event of " + functions + "; add one, or move it under " + INTERNAL_PATH
                        + " if only schedules may call it");
            }
        }
        return problems;
    }

    /**
     * Every Schedule event sends, as its Input, a synthetic HTTP API (2.0) event for an internal JAX-RS route, with
     * the internal apiId InternalResource answers (CALLBRIDGE_INTERNAL_API_ID as the function sets it, else the
     * {@code @WithDefault} of {@link CallbridgeConfig#internalApiId()}); every internal route is called by one.
     */
    static List<String> scheduleProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        Map<String, String> internal = CodeFacts.INTERNAL_ROUTES;
        Map<String, List<String>> called = new TreeMap<>();
        ConfigProperty idProperty = CodeFacts.property("internalApiId");
        for (String fn : functionIds(t)) {
            JsonNode set = effectiveEnvironment(t, fn).get(idProperty.env());
            String apiId = null;
            String apiIdSource;
            if (set == null) {
                apiId = idProperty.defaultValue();
                apiIdSource = "the @WithDefault of CallbridgeConfig." + idProperty.method() + "()";
            } else {
                apiIdSource = idProperty.env() + " of " + fn;
                if (set.isTextual() && !set.textValue().isBlank()) {
                    apiId = set.textValue();
                }
            }
            for (Map.Entry<String, JsonNode> e : properties(t, fn).path("Events").properties()) {
                if (!SCHEDULE_EVENTS.contains(e.getValue().path("Type").textValue())) {
                    continue;
                }
                String where = fn + ".Events." + e.getKey();
                if (apiId == null) {
                    problems.add(where + " cannot carry the internal apiId: " + (set == null
                            ? "CallbridgeConfig." + idProperty.method() + "() has no @WithDefault and " + fn
                                    + " does not set " + idProperty.env()
                            : idProperty.env() + " is " + describe(set) + " on " + fn + ", but the Input is literal JSON,"
                                    + " so it must be a literal, non-empty id"));
                }
                JsonNode properties = e.getValue().path("Properties");
                String route = scheduledRoute(where, properties.get("Input"), apiId, apiIdSource, problems);
                boolean enabled = !"false".equals(properties.path("Enabled").asText())
                        && !"DISABLED".equals(properties.path("State").asText());
                if (route != null && enabled) {
                    called.computeIfAbsent(route, k -> new ArrayList<>()).add(where);
                }
            }
        }
        for (Map.Entry<String, String> route : internal.entrySet()) {
            if (!called.containsKey(route.getKey())) {
                problems.add("internal JAX-RS route " + route.getKey() + " (" + route.getValue() + ") is called by no"
                        + " enabled Schedule event: give a function a Schedule event whose Input is an HTTP API event"
                        + " for it, or move it out of " + INTERNAL_PATH + " and onto the HTTP API");
            }
        }
        return problems;
    }

    /** The internal route a schedule's Input calls, or null (with the problems added) when it calls none. */
    private static String scheduledRoute(String where, JsonNode input, String apiId, String apiIdSource,
            List<String> problems) {
        if (input == null) {
            problems.add(where + " has no Input: quarkus-amazon-lambda-http takes API Gateway events only, so a"
                    + " schedule must send a synthetic HTTP API event for an internal route");
            return null;
        }
        if (!input.isTextual()) {
            problems.add(where + ".Input is " + describe(input) + "; it must be JSON text (EventBridge sends the"
                    + " string as it is)");
            return null;
        }
        JsonNode event;
        try {
            event = JSON.readTree(input.textValue());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            problems.add(where + ".Input is not JSON: " + e.getOriginalMessage());
            return null;
        }
        if (!event.isObject()) {
            problems.add(where + ".Input is " + describe(event) + "; expected an HTTP API event (a JSON object)");
            return null;
        }
        String in = where + ".Input";
        if (!CodeFacts.PAYLOAD_FORMAT.equals(event.path("version").asText())) {
            problems.add(in + ".version is " + describe(event.get("version")) + "; the Quarkus Lambda HTTP handler reads"
                    + " HTTP API events of payload format " + CodeFacts.PAYLOAD_FORMAT);
        }
        JsonNode context = event.path("requestContext");
        String method = context.path("http").path("method").textValue();
        String rawPath = event.path("rawPath").textValue();
        if (method == null || rawPath == null) {
            problems.add(in + " needs rawPath and requestContext.http.method (text), has " + describe(event.get("rawPath"))
                    + " and " + describe(context.path("http").get("method")));
            return null;
        }
        String target = null;
        for (String route : CodeFacts.INTERNAL_ROUTES.keySet()) {
            int space = route.indexOf(' ');
            if (route.substring(0, space).equals(method) && pathMatches(route.substring(space + 1), rawPath)) {
                target = route;
            }
        }
        if (target == null) {
            problems.add(in + " calls " + method + " " + rawPath + ", which is no internal JAX-RS route (schedules call"
                    + " routes under " + INTERNAL_PATH + "; the code has " + CodeFacts.INTERNAL_ROUTES.keySet() + ")");
            return null;
        }
        if (!target.equals(event.path("routeKey").textValue())) {
            problems.add(in + ".routeKey is " + describe(event.get("routeKey")) + "; it calls " + target);
        }
        if (!rawPath.equals(context.path("http").path("path").textValue())) {
            problems.add(in + ".requestContext.http.path is " + describe(context.path("http").get("path"))
                    + "; expected the rawPath, " + rawPath);
        }
        if (context.has("routeKey") && !target.equals(context.get("routeKey").textValue())) {
            problems.add(in + ".requestContext.routeKey is " + describe(context.get("routeKey")) + "; it calls "
                    + target);
        }
        if (apiId != null && !apiId.equals(context.path("apiId").textValue())) {
            problems.add(in + ".requestContext.apiId is " + describe(context.get("apiId")) + ", but " + target + " answers only the internal apiId \"" + apiId
                    + "\" (" + apiIdSource + ")");
        }
        return target;
    }

    /** CALLBRIDGE_* variables of each function (Globals merged with its own) against CallbridgeConfig. */
    static List<String> environmentProblems(ObjectNode t) {
        Set<String> problems = new LinkedHashSet<>(); // parameters are shared: report their problems once
        for (String method : REQUIRED_IN_PRODUCTION) {
            if (CodeFacts.CONFIG.stream().noneMatch(p -> p.method().equals(method))) {
                problems.add("REQUIRED_IN_PRODUCTION names " + method + "(), which CallbridgeConfig no longer has");
            }
        }
        for (String fn : functionIds(t)) {
            problems.addAll(environmentProblems(t, fn));
        }
        return new ArrayList<>(problems);
    }

    private static List<String> environmentProblems(ObjectNode t, String fn) {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> env = effectiveEnvironment(t, fn);
        Map<String, ConfigProperty> byEnv = CodeFacts.CONFIG.stream()
                .collect(Collectors.toMap(ConfigProperty::env, p -> p, (a, b) -> a, TreeMap::new));
        String pathVariable = CodeFacts.property("secretsSsmPath").env();
        JsonNode pathValue = env.get(pathVariable);
        String pathParameter = ssmPathParameter(t, fn);
        if (pathValue != null && pathParameter == null) {
            problems.add(fn + ": " + pathVariable + " is " + describe(pathValue) + "; it must be !Ref of the template's"
                    + " parameter naming the SSM path of the secrets (the IAM policy is written against it)");
        }
        if (pathParameter != null) {
            problems.addAll(ssmPathParameterProblems(pathParameter, t.path("Parameters").get(pathParameter)));
        }
        Set<String> secretProperties = SSM_SECRETS.stream().map(Secret::property).collect(Collectors.toSet());
        for (Secret secret : SSM_SECRETS) {
            String variable = toEnv(secret.property());
            if (env.containsKey(variable)) {
                problems.add(fn + ": " + variable + " is set in the template (" + describe(env.get(variable)) + "), but"
                        + " it is a secret: it must come from SSM (SecureString <" + pathVariable + ">"
                        + secret.parameter() + "), never from a template value or parameter");
            }
        }
        for (String name : env.keySet()) {
            if (name.startsWith(CodeFacts.ENV_PREFIX) && !byEnv.containsKey(name)
                    && !CodeFacts.ENV_READ_BY_PROPERTIES.contains(name)) {
                problems.add(fn + ": the template sets " + name + ", but CallbridgeConfig has no such property (its"
                        + " variables: " + byEnv.keySet() + ") and application.properties does not read it");
            }
        }
        for (ConfigProperty p : CodeFacts.CONFIG) {
            JsonNode value = env.get(p.env());
            boolean required = p.required() || REQUIRED_IN_PRODUCTION.contains(p.method());
            if (value == null) {
                if (required && secretProperties.contains(p.name())) {
                    if (pathParameter == null) {
                        problems.add(fn + ": " + p.name() + " (" + p.env() + ") has no default" + (p.required() ? ""
                                : " usable in production") + " and is a secret read from SSM, but the template does"
                                + " not set " + pathVariable + " to the SSM path parameter");
                    }
                } else if (required) {
                    problems.add(fn + ": " + p.name() + " has no default" + (p.required() ? "" : " usable in production")
                            + ", but the template does not set " + p.env());
                }
                continue;
            }
            if (required && value.isTextual() && value.textValue().isBlank()) {
                problems.add(fn + ": " + p.env() + " is set to an empty value, but " + p.name() + " is required");
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
            problems.add(fn + ": " + tableProperty.env() + " is " + describe(tableValue) + "; it must be !Ref " + table
                    + ", the template's DynamoDB table");
        }
        ConfigProperty createTable = CodeFacts.property("createTable");
        JsonNode createValue = env.get(createTable.env());
        if (createValue != null && !"false".equals(createValue.asText())) {
            problems.add(fn + ": " + createTable.env() + " is " + describe(createValue) + "; in AWS the template owns"
                    + " the table (and the policy grants no CreateTable), so it must stay unset or false");
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

    /** The parameter a function's CALLBRIDGE_SECRETS_SSM_PATH refers to (!Ref), or null. */
    private static String ssmPathParameter(ObjectNode t, String fn) {
        JsonNode value = effectiveEnvironment(t, fn).get(CodeFacts.property("secretsSsmPath").env());
        String name = value == null ? null : value.path("Ref").textValue();
        return name != null && t.path("Parameters").has(name) ? name : null;
    }

    /** The SSM path parameter takes exactly the paths the code takes, and defaults to one of them. */
    private static List<String> ssmPathParameterProblems(String name, JsonNode parameter) {
        List<String> problems = new ArrayList<>();
        String pattern = SsmSecretsConfigSourceFactory.PATH.pattern();
        if (!pattern.equals(parameter.path("AllowedPattern").textValue())) {
            problems.add("Parameter " + name + " (the SSM path of the secrets) has AllowedPattern "
                    + describe(parameter.get("AllowedPattern")) + "; it must be \"" + pattern + "\", the paths"
                    + " SsmSecretsConfigSourceFactory takes (the ARNs are written as parameter${" + name + "}<name>)");
        }
        JsonNode defaultValue = parameter.get("Default");
        if (defaultValue == null || !SsmSecretsConfigSourceFactory.PATH.matcher(defaultValue.asText()).matches()) {
            problems.add("Parameter " + name + " defaults to " + describe(defaultValue) + ", which is no SSM path"
                    + " such as /callbridge/ (starting and ending with '/')");
        }
        if (parameter.path("NoEcho").asBoolean(false)) {
            problems.add("Parameter " + name + " is NoEcho, but a path is no secret");
        }
        return problems;
    }

    /** No secret is a template parameter any more: nothing is NoEcho (the secrets live in SSM Parameter Store). */
    static List<String> secretProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> parameter : t.path("Parameters").properties()) {
            if (parameter.getValue().path("NoEcho").asBoolean(false)
                    || "true".equalsIgnoreCase(parameter.getValue().path("NoEcho").asText())) {
                problems.add("Parameter " + parameter.getKey() + " is NoEcho: a secret as a template parameter ends up"
                        + " in the functions' plain environment; put it in SSM Parameter Store as a SecureString under"
                        + " the secrets path instead (SsmSecretsConfigSourceFactory.SECRETS)");
            }
        }
        return problems;
    }

    /** The ARNs of the SSM parameters a function reads at start-up: none unless it sets the SSM path. */
    private static Set<String> ssmArns(ObjectNode t, String fn) {
        String parameter = ssmPathParameter(t, fn);
        return parameter == null ? Set.of() : SSM_SECRETS.stream().map(s -> ssmArn(parameter, s.parameter()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String ssmArn(String pathParameter, String secret) {
        return SSM_PARAMETER_ARN + "${" + pathParameter + "}" + secret;
    }

    /** Key schema, attribute definitions, secondary indexes, TTL and billing of the table against CallLedger. */
    static List<String> tableProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        String table = tableId(t);
        ObjectNode p = tableProperties(t);
        Map<String, String> keys = keyTypes(TABLE_KEY);
        Map<String, String> keySchema = keySchema(p.path("KeySchema"));
        if (!keySchema.equals(keys)) {
            problems.add(table + ".KeySchema is " + keySchema + "; CallLedger uses " + keys
                    + " (CallLedger.PK, CallLedger.SK)");
        }
        // every key attribute of the table and of its indexes, with the type the code writes it as
        Map<String, String> types = new TreeMap<>();
        TABLE_KEY.forEach(k -> types.put(k.name(), k.type()));
        INDEXES.values().forEach(i -> i.keys().forEach(k -> types.put(k.name(), k.type())));
        Map<String, String> definitions = new TreeMap<>();
        for (JsonNode a : p.path("AttributeDefinitions")) {
            String name = a.path("AttributeName").asText();
            if (definitions.put(name, a.path("AttributeType").asText()) != null) {
                problems.add(table + ".AttributeDefinitions define " + name + " twice");
            }
        }
        if (!definitions.equals(types)) {
            problems.add(table + ".AttributeDefinitions are " + definitions + "; CallLedger writes the keys of the"
                    + " table and its indexes as " + types);
        }
        Map<String, JsonNode> indexes = new TreeMap<>();
        Map<String, String> kinds = new TreeMap<>();
        for (String kind : List.of("GlobalSecondaryIndexes", "LocalSecondaryIndexes")) {
            for (JsonNode index : p.path(kind)) {
                String name = index.path("IndexName").asText();
                if (indexes.put(name, index) != null) {
                    problems.add(table + " has two indexes named " + name);
                }
                kinds.put(name, kind);
            }
        }
        Set<String> keyed = new TreeSet<>(keySchema.keySet());
        indexes.values().forEach(index -> keyed.addAll(keySchema(index.path("KeySchema")).keySet()));
        for (String defined : definitions.keySet()) {
            if (!keyed.contains(defined)) {
                problems.add(table + ".AttributeDefinitions define " + defined + ", which no KeySchema of the table or"
                        + " its indexes uses: CloudFormation rejects unused attribute definitions");
            }
        }
        for (String key : keyed) {
            if (!definitions.containsKey(key)) {
                problems.add(table + ": " + key + " is a key attribute of the table or an index, but has no"
                        + " AttributeDefinition");
            }
        }
        boolean onDemand = "PAY_PER_REQUEST".equals(p.path("BillingMode").textValue());
        for (Map.Entry<String, IndexSpec> spec : new TreeMap<>(INDEXES).entrySet()) {
            String name = spec.getKey();
            JsonNode index = indexes.get(name);
            if (index == null || !"GlobalSecondaryIndexes".equals(kinds.get(name))) {
                problems.add(table + " has no GlobalSecondaryIndex " + name + " (CallLedger.QUEUE_INDEX), which "
                        + CodeFacts.DYNAMO_INDEX_ACTIONS.getOrDefault(name, Map.of()).values().stream()
                                .flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new))
                        + " query");
                continue;
            }
            Map<String, String> expected = keyTypes(spec.getValue().keys());
            Map<String, String> actual = keySchema(index.path("KeySchema"));
            if (!actual.equals(expected)) {
                problems.add(table + " index " + name + ".KeySchema is " + actual + "; the code queries it by "
                        + expected + " (CallLedger.QUEUE, CallLedger.DUE_AT)");
            }
            JsonNode projection = index.path("Projection").get("ProjectionType");
            if (projection == null || !spec.getValue().projection().equals(projection.asText())) {
                problems.add(table + " index " + name + ".Projection.ProjectionType is " + describe(projection)
                        + "; the code reads whole records from it: expected " + spec.getValue().projection());
            }
            if (onDemand && index.has("ProvisionedThroughput")) {
                problems.add(table + " index " + name + " has ProvisionedThroughput, but the table is billed"
                        + " PAY_PER_REQUEST: CloudFormation rejects it");
            }
        }
        for (String name : indexes.keySet()) {
            if (!INDEXES.containsKey(name)) {
                problems.add(table + " has index " + name + ", which no code queries (it only costs writes); the code"
                        + " queries " + new TreeSet<>(INDEXES.keySet()));
            }
        }
        for (Map.Entry<String, Map<String, Set<String>>> queried : CodeFacts.DYNAMO_INDEX_ACTIONS.entrySet()) {
            if (!INDEXES.containsKey(queried.getKey())) {
                problems.add("the code queries index " + queried.getKey() + " (" + queried.getValue() + "), which"
                        + " TemplateTest.INDEXES does not describe: add its key schema there");
            }
        }
        for (String name : INDEXES.keySet()) {
            if (!CodeFacts.DYNAMO_INDEX_ACTIONS.containsKey(name)) {
                problems.add("TemplateTest.INDEXES describes " + name + ", which no code in " + MAIN_JAVA
                        + " queries any more: remove it there (and the index from template.yaml)");
            }
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
        if (!onDemand) {
            problems.add(table + ".BillingMode is " + describe(p.get("BillingMode")) + "; expected PAY_PER_REQUEST"
                    + " (the code sets no capacity)");
        }
        return problems;
    }

    /**
     * Each function's statements grant exactly the DynamoDB actions the code calls, on the table's ARN, and the
     * actions the code calls on an index also on that index's ARN; no other resource. Besides, in a statement of its
     * own, {@value #SSM_ACTION} on exactly the SSM parameters the function reads (none unless it sets the path).
     */
    static List<String> policyProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        String table = tableId(t);
        String tableArn = "${" + table + ".Arn}";
        Map<String, String> indexArns = new TreeMap<>(); // ARN -> index, of the indexes the code queries
        CodeFacts.DYNAMO_INDEX_ACTIONS.keySet().forEach(index -> indexArns.put(indexArn(table, index), index));
        String expectedResources = "!GetAtt " + table + ".Arn" + indexArns.keySet().stream()
                .map(arn -> " and !Sub \"" + arn + "\"").collect(Collectors.joining());
        Map<String, Set<String>> used = CodeFacts.DYNAMO_ACTIONS;
        List<String> functions = functionIds(t);
        for (String fn : functions) {
            ObjectNode p = properties(t, fn);
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
            Map<String, Set<String>> grantedOn = new TreeMap<>(); // resource ARN -> lower-case actions
            Set<String> ssmExpected = ssmArns(t, fn);
            Set<String> ssmGranted = new TreeSet<>();
            boolean ssmStatement = false;
            for (JsonNode statement : statements) {
                if ("Deny".equals(statement.path("Effect").textValue())) {
                    continue;
                }
                String sid = fn + " statement " + statement.path("Sid").asText("");
                for (String not : List.of("NotAction", "NotResource")) {
                    if (statement.has(not)) {
                        problems.add(sid + " uses " + not + ", which grants more than it names");
                    }
                }
                Set<String> actions = new TreeSet<>();
                boolean ssm = false;
                for (JsonNode action : asList(statement.path("Action"))) {
                    String a = action.asText();
                    if (a.equalsIgnoreCase(SSM_ACTION)) {
                        ssm = true;
                    } else if (!a.toLowerCase(Locale.ROOT).startsWith("dynamodb:")) {
                        problems.add(fn + " is granted " + a + ", but the code calls no AWS API other than DynamoDB"
                                + " and " + SSM_ACTION + " (the secrets at start-up; with the AWS-managed key"
                                + " alias/aws/ssm no kms grant is needed)");
                    } else {
                        granted.put(a.toLowerCase(Locale.ROOT), a);
                        actions.add(a.toLowerCase(Locale.ROOT));
                    }
                }
                if (ssm && !actions.isEmpty()) {
                    problems.add(sid + " grants " + SSM_ACTION + " together with DynamoDB actions; give the secrets a"
                            + " statement of their own");
                }
                ssmStatement |= ssm;
                for (JsonNode resource : asList(statement.path("Resource"))) {
                    String arn = arnText(resource);
                    if (ssm) {
                        if (arn == null || !ssmExpected.contains(arn)) {
                            problems.add(sid + " grants " + SSM_ACTION + " on " + describe(resource) + "; expected"
                                    + " exactly the parameters " + fn + " reads: " + (ssmExpected.isEmpty()
                                            ? "none (it does not set " + CodeFacts.property("secretsSsmPath").env() + ")"
                                            : ssmExpected.stream().map(x -> "!Sub \"" + x + "\"").toList()));
                        } else {
                            ssmGranted.add(arn);
                        }
                        continue;
                    }
                    if (arn == null || !(arn.equals(tableArn) || indexArns.containsKey(arn))) {
                        problems.add(sid + " has Resource " + describe(resource) + "; expected only "
                                + expectedResources + " (the table, and the indexes the code queries)");
                    } else {
                        grantedOn.computeIfAbsent(arn, k -> new TreeSet<>()).addAll(actions);
                    }
                }
                if (!statement.has("Resource")) {
                    problems.add(sid + " has no Resource");
                }
            }
            for (String arn : ssmExpected) {
                if (!ssmGranted.contains(arn)) {
                    problems.add(fn + " reads the SSM parameter !Sub \"" + arn + "\" at start-up, but is not granted "
                            + SSM_ACTION + " on it" + (ssmStatement ? "" : " (it has no " + SSM_ACTION + " statement)"));
                }
            }
            for (Map.Entry<String, String> g : granted.entrySet()) {
                if (used.keySet().stream().noneMatch(u -> u.equalsIgnoreCase(g.getKey()))) {
                    problems.add(fn + " is granted " + g.getValue() + ", which no code outside "
                            + LOCAL_ONLY_DYNAMO_USER.getSimpleName() + " calls (the code calls " + used.keySet() + ")");
                }
            }
            Set<String> onTable = grantedOn.getOrDefault(tableArn, Set.of());
            for (Map.Entry<String, Set<String>> u : used.entrySet()) {
                if (!onTable.contains(u.getKey().toLowerCase(Locale.ROOT))) {
                    problems.add(u.getValue() + " call " + u.getKey() + ", but " + fn + "'s policy does not grant "
                            + u.getKey() + " on " + tableArn + " (!GetAtt " + table + ".Arn)");
                }
            }
            for (Map.Entry<String, Map<String, Set<String>>> index : CodeFacts.DYNAMO_INDEX_ACTIONS.entrySet()) {
                String arn = indexArn(table, index.getKey());
                Set<String> onIndex = grantedOn.getOrDefault(arn, Set.of());
                for (Map.Entry<String, Set<String>> u : index.getValue().entrySet()) {
                    if (!onIndex.contains(u.getKey().toLowerCase(Locale.ROOT))) {
                        problems.add(u.getValue() + " call " + u.getKey() + " on index " + index.getKey() + ", but " + fn
                                + " is not granted " + u.getKey() + " on " + arn + " (!Sub \"" + arn + "\")");
                    }
                }
            }
        }
        return problems;
    }

    /** No Action/Resource anywhere in the template (any resource's policy, inside !Sub/!Join too) has a '*'. */
    static List<String> wildcardProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        walk(t, "", (path, node) -> {
            for (String key : List.of("Action", "NotAction", "Resource", "NotResource")) {
                for (JsonNode v : asList(node.path(key))) {
                    for (String text : texts(v)) {
                        if (text.contains("*")) {
                            problems.add(path + "." + key + " is '" + text + "': no wildcard actions or resources");
                        }
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

    /**
     * Ref, GetAtt and ${...} in Sub name declared parameters, resources or pseudo parameters; Fn::If, Condition and a
     * resource's Condition name declared conditions; no parameter and no condition is idle.
     */
    static List<String> referenceProblems(ObjectNode t) {
        List<String> problems = new ArrayList<>();
        Set<String> parameters = new TreeSet<>();
        t.path("Parameters").fieldNames().forEachRemaining(parameters::add);
        Set<String> resources = new TreeSet<>();
        t.path("Resources").fieldNames().forEachRemaining(resources::add);
        Set<String> conditions = new TreeSet<>();
        t.path("Conditions").fieldNames().forEachRemaining(conditions::add);
        Set<String> used = new TreeSet<>();
        Set<String> usedConditions = new TreeSet<>();
        for (Map.Entry<String, JsonNode> section : List.of(Map.entry("Resources", t.path("Resources")),
                Map.entry("Outputs", t.path("Outputs")))) {
            section.getValue().properties().forEach(e -> {
                if (e.getValue().has("Condition")) {
                    checkCondition(e.getValue().get("Condition").asText(), "$." + section.getKey() + "." + e.getKey(),
                            conditions, usedConditions, problems);
                }
            });
        }
        walk(t, "", (path, node) -> {
            JsonNode fnIf = node.get("Fn::If");
            if (fnIf != null && node.size() == 1) {
                checkCondition(fnIf.path(0).asText(), path, conditions, usedConditions, problems);
            }
            JsonNode condition = node.get("Condition");
            if (condition != null && condition.isTextual() && node.size() == 1) {
                checkCondition(condition.textValue(), path, conditions, usedConditions, problems);
            }
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
        for (String condition : conditions) {
            if (!usedConditions.contains(condition)) {
                problems.add("Condition " + condition + " is used nowhere: it decides nothing");
            }
        }
        return problems;
    }

    private static void checkCondition(String name, String path, Set<String> conditions, Set<String> used,
            List<String> problems) {
        if (conditions.contains(name)) {
            used.add(name);
        } else {
            problems.add(path + " names the condition " + name + ", which Conditions does not declare");
        }
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

    /** A key attribute of the table or an index: name, HASH or RANGE, and its DynamoDB type. */
    record KeyAttribute(String name, String keyType, String type) {
    }

    /** What the code needs of a secondary index: its key (in KeySchema order) and projection. */
    record IndexSpec(List<KeyAttribute> keys, String projection) {
    }

    /** A DynamoDbClient call in the sources: the IAM action it needs and the index it reads (null: the table). */
    record DynamoCall(String action, String index) {
    }

    /** Facts read once from the compiled classes, the sources, pom.xml and application.properties. */
    private static final class CodeFacts {
        static final String PREFIX = CallbridgeConfig.class.getAnnotation(ConfigMapping.class).prefix();
        static final String ENV_PREFIX = toEnv(PREFIX) + "_";
        static final List<ConfigProperty> CONFIG = configProperties();
        static final Set<String> ENV_READ_BY_PROPERTIES = envReadByApplicationProperties();
        static final List<Class<?>> CLASSES = applicationClasses();
        /** The path every JAX-RS route starts with: quarkus.http.root-path, quarkus.rest.path or @ApplicationPath. */
        static final String ROUTE_PREFIX = routePrefix();
        static final Map<String, String> ROUTES = jaxRsRoutes();
        /** The routes under {@value TemplateTest#INTERNAL_PATH}: never on the HTTP API, called by schedules. */
        static final Map<String, String> INTERNAL_ROUTES = internalRoutes();
        /** "dynamodb:Action" -> source files, of every DynamoDbClient call (on the table or an index). */
        static final Map<String, Set<String>> DYNAMO_ACTIONS;
        /** index -> "dynamodb:Action" -> source files, of the calls that read a secondary index. */
        static final Map<String, Map<String, Set<String>>> DYNAMO_INDEX_ACTIONS;
        static final String PAYLOAD_FORMAT = payloadFormat();

        static {
            Map<String, Set<String>> actions = new TreeMap<>();
            Map<String, Map<String, Set<String>>> indexActions = new TreeMap<>();
            dynamoCallsBySource().forEach((file, calls) -> calls.forEach(call -> {
                actions.computeIfAbsent(call.action(), k -> new TreeSet<>()).add(file);
                if (call.index() != null) {
                    indexActions.computeIfAbsent(call.index(), k -> new TreeMap<>())
                            .computeIfAbsent(call.action(), k -> new TreeSet<>()).add(file);
                }
            }));
            DYNAMO_ACTIONS = actions;
            DYNAMO_INDEX_ACTIONS = indexActions;
        }

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

        /** The compiled main classes under APP_PACKAGE (not initialised). */
        private static List<Class<?>> applicationClasses() {
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
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    String relative = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                    types.add(Class.forName(relative.substring(0, relative.length() - ".class".length()), false,
                            TemplateTest.class.getClassLoader()));
                }
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalStateException("cannot list the compiled classes in " + classes, e);
            }
            return types;
        }

        private static String routePrefix() {
            Properties config = new Properties();
            try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES, StandardCharsets.UTF_8)) {
                config.load(reader);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            String applicationPath = CLASSES.stream().map(c -> c.getAnnotation(ApplicationPath.class))
                    .filter(a -> a != null).map(ApplicationPath::value).findFirst().orElse("");
            return normalisePath(config.getProperty("quarkus.http.root-path", "") + "/"
                    + config.getProperty("quarkus.rest.path", applicationPath));
        }

        /** "METHOD /path" -> Class.method, of every JAX-RS resource method among the compiled main classes. */
        private static Map<String, String> jaxRsRoutes() {
            Map<String, String> routes = new TreeMap<>();
            for (Class<?> type : CLASSES) {
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
                        String path = normalisePath(ROUTE_PREFIX + "/" + classPath.value() + "/"
                                + (methodPath == null ? "" : methodPath.value()));
                        routes.put(verb + " " + path, type.getSimpleName() + "." + m.getName());
                    }
                }
            }
            if (routes.isEmpty()) {
                throw new IllegalStateException("found no JAX-RS resource method among " + CLASSES.size()
                        + " classes under " + APP_PACKAGE);
            }
            return routes;
        }

        private static Map<String, String> internalRoutes() {
            String internal = normalisePath(ROUTE_PREFIX + "/" + INTERNAL_PATH);
            Map<String, String> routes = new TreeMap<>();
            ROUTES.forEach((route, handler) -> {
                String path = route.substring(route.indexOf(' ') + 1);
                if (path.equals(internal) || path.startsWith(internal + "/")) {
                    routes.put(route, handler);
                }
            });
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

        /** Source file name -> its DynamoDbClient calls, of every file in src/main/java but the local-only one. */
        private static Map<String, List<DynamoCall>> dynamoCallsBySource() {
            Path localOnly = MAIN_JAVA.resolve(LOCAL_ONLY_DYNAMO_USER.getName().replace('.', '/') + ".java");
            if (!Files.isRegularFile(localOnly)) {
                throw new IllegalStateException(localOnly + " is gone; update LOCAL_ONLY_DYNAMO_USER");
            }
            Map<String, List<DynamoCall>> calls = new TreeMap<>();
            try (Stream<Path> files = Files.walk(MAIN_JAVA)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    if (file.equals(localOnly)) {
                        continue;
                    }
                    String relative = MAIN_JAVA.relativize(file).toString()
                            .replace(file.getFileSystem().getSeparator(), ".");
                    String className = relative.substring(0, relative.length() - ".java".length());
                    Class<?> own = CLASSES.stream().filter(c -> c.getName().equals(className)).findFirst().orElse(null);
                    List<DynamoCall> found;
                    try {
                        found = dynamoCalls(read(file), expression -> constant(expression, own));
                    } catch (IllegalStateException e) {
                        throw new IllegalStateException(file + ": " + e.getMessage(), e);
                    }
                    if (!found.isEmpty()) {
                        calls.put(file.getFileName().toString(), found);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (calls.isEmpty()) {
                throw new IllegalStateException("found no DynamoDbClient call in " + MAIN_JAVA + " (outside "
                        + localOnly.getFileName() + "): does the code reach DynamoDB another way now?");
            }
            return calls;
        }

        /**
         * The DynamoDbClient calls of one Java source, in order: {@code x.op(...)} on every variable, parameter or
         * field {@code x} declared as a DynamoDbClient, whatever the argument (a request, a builder lambda such as
         * {@code b -> b.key(...)}), outside comments and string literals. A call whose arguments set
         * {@code indexName(...)} reads that index; {@code indexName} anywhere else cannot be told apart and fails.
         */
        static List<DynamoCall> dynamoCalls(String source, Function<String, String> constants) {
            String[] stripped = stripCommentsAndLiterals(source);
            String code = stripped[0]; // comments blanked
            String skeleton = stripped[1]; // comments and the insides of literals blanked: same offsets
            Set<String> clients = new TreeSet<>();
            Matcher declared = Pattern.compile("\\bDynamoDbClient\\s+(\\w+)\\b(?!\\s*\\()").matcher(skeleton);
            while (declared.find()) {
                clients.add(declared.group(1));
            }
            TreeMap<Integer, DynamoCall> calls = new TreeMap<>();
            List<int[]> callArguments = new ArrayList<>();
            for (String client : clients) {
                Matcher call = Pattern.compile("(?<![\\w$])" + Pattern.quote(client) + "\\s*\\.\\s*(\\w+)\\s*\\(")
                        .matcher(skeleton);
                while (call.find()) {
                    String operation = call.group(1).replaceFirst("Paginator$", "");
                    if (NOT_DYNAMO_OPERATIONS.contains(operation)) {
                        continue;
                    }
                    int open = call.end() - 1;
                    int close = closingParenthesis(skeleton, open);
                    callArguments.add(new int[] {open, close});
                    Matcher index = Pattern.compile("\\bindexName\\s*\\(").matcher(skeleton).region(open + 1, close);
                    String indexName = null;
                    if (index.find()) {
                        int indexOpen = index.end() - 1;
                        String expression = code.substring(indexOpen + 1, closingParenthesis(skeleton, indexOpen)).trim();
                        indexName = constants.apply(expression);
                    }
                    calls.put(call.start(), new DynamoCall("dynamodb:" + Character.toUpperCase(operation.charAt(0))
                            + operation.substring(1), indexName));
                }
            }
            Matcher anyIndex = Pattern.compile("\\bindexName\\s*\\(").matcher(skeleton);
            while (anyIndex.find()) {
                int at = anyIndex.start();
                if (callArguments.stream().noneMatch(span -> span[0] < at && at < span[1])) {
                    throw new IllegalStateException("indexName(...) outside the arguments of a DynamoDbClient call (at "
                            + "offset " + at + "): TemplateTest cannot tell which call reads the index; build the"
                            + " request inside the call, or extend the scan");
                }
            }
            return new ArrayList<>(calls.values());
        }

        /** The value of an index name expression: a string literal, or a static String constant of an app class. */
        static String constant(String expression, Class<?> own) {
            Matcher literal = Pattern.compile("\"([^\"\\\\]*)\"").matcher(expression);
            if (literal.matches()) {
                return literal.group(1);
            }
            Matcher constant = Pattern.compile("(?:([\\w.]*\\w)\\s*\\.\\s*)?(\\w+)").matcher(expression);
            if (constant.matches()) {
                String qualifier = constant.group(1);
                List<Class<?>> owners = qualifier == null ? (own == null ? List.of() : List.of(own))
                        : CLASSES.stream().filter(c -> c.getName().equals(qualifier)
                                || c.getName().endsWith("." + qualifier)).toList();
                for (Class<?> owner : owners) {
                    try {
                        Field field = owner.getDeclaredField(constant.group(2));
                        if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                            field.setAccessible(true);
                            return (String) field.get(null);
                        }
                    } catch (NoSuchFieldException | IllegalAccessException e) {
                        // try the next candidate
                    }
                }
            }
            throw new IllegalStateException("cannot tell which index indexName(" + expression + ") names: TemplateTest"
                    + " reads string literals and static String constants of " + APP_PACKAGE + " classes");
        }

        /** The offset of the ')' closing the '(' at {@code open}, in a source whose literals are blanked. */
        private static int closingParenthesis(String skeleton, int open) {
            int depth = 0;
            for (int i = open; i < skeleton.length(); i++) {
                char c = skeleton.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    return i;
                }
            }
            throw new IllegalStateException("unbalanced parentheses after offset " + open);
        }

        /**
         * {code, skeleton} of a Java source, both as long as it: code has the comments blanked, skeleton also the
         * contents of string, text block and char literals (so no '(' or "//" in a literal misleads the scan).
         */
        private static String[] stripCommentsAndLiterals(String source) {
            char[] code = source.toCharArray();
            char[] skeleton = source.toCharArray();
            int i = 0;
            int n = source.length();
            while (i < n) {
                if (source.startsWith("//", i)) {
                    while (i < n && source.charAt(i) != '\n') {
                        code[i] = ' ';
                        skeleton[i++] = ' ';
                    }
                } else if (source.startsWith("/*", i)) {
                    int end = source.indexOf("*/", i + 2);
                    end = end < 0 ? n : end + 2;
                    for (; i < end; i++) {
                        if (source.charAt(i) != '\n') {
                            code[i] = ' ';
                            skeleton[i] = ' ';
                        }
                    }
                } else if (source.startsWith("\"\"\"", i)) {
                    i += 3;
                    while (i < n && !source.startsWith("\"\"\"", i)) {
                        if (source.charAt(i) == '\\' && i + 1 < n) {
                            skeleton[i++] = ' ';
                        }
                        if (source.charAt(i) != '\n') {
                            skeleton[i] = ' ';
                        }
                        i++;
                    }
                    i += 3;
                } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                    char quote = source.charAt(i++);
                    while (i < n && source.charAt(i) != quote && source.charAt(i) != '\n') {
                        if (source.charAt(i) == '\\' && i + 1 < n) {
                            skeleton[i++] = ' ';
                        }
                        skeleton[i++] = ' ';
                    }
                    i++;
                } else {
                    i++;
                }
            }
            return new String[] {new String(code), new String(skeleton)};
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

    /** Every AWS::Serverless::Function, by id. */
    private static List<String> functionIds(ObjectNode t) {
        return new ArrayList<>(resourcesOfType(t, FUNCTION_TYPE).keySet());
    }

    /** The first function (by id) with an event of one of these types: what the negative tests alter. */
    private static String functionWithEvent(ObjectNode t, Set<String> types) {
        for (String fn : functionIds(t)) {
            for (JsonNode event : properties(t, fn).path("Events")) {
                if (types.contains(event.path("Type").asText())) {
                    return fn;
                }
            }
        }
        throw new IllegalStateException("template.yaml has no function with an event of Type " + types
                + "; the negative tests need one");
    }

    /** The function the HTTP API routes to (the first with an HttpApi event). */
    private static String webhookFunctionId(ObjectNode t) {
        return functionWithEvent(t, Set.of(HTTP_API_EVENT));
    }

    /** The first function with a Schedule event. */
    private static String scheduledFunctionId(ObjectNode t) {
        return functionWithEvent(t, SCHEDULE_EVENTS);
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

    /** The properties of the webhook function (see {@link #webhookFunctionId}). */
    private static ObjectNode functionProperties(ObjectNode t) {
        return properties(t, webhookFunctionId(t));
    }

    private static ObjectNode tableProperties(ObjectNode t) {
        return properties(t, tableId(t));
    }

    private static ObjectNode globalFunction(ObjectNode t) {
        return (ObjectNode) t.path("Globals").path("Function");
    }

    /** The template as deployed for one build (see {@link CloudFormationConditions}); the other parameters at default. */
    private static ObjectNode resolved(ObjectNode t, Build build) {
        return CloudFormationConditions.resolve(t, Map.of(RUNTIME_PARAMETER, build.parameterValue));
    }

    /** Sets the value a Globals.Function property written as !If takes for one build (for the negative tests). */
    private static void setForBuild(ObjectNode t, String property, Build build, JsonNode value) {
        if (!(globalFunction(t).path(property).get("Fn::If") instanceof ArrayNode fnIf) || fnIf.size() != 3) {
            throw new IllegalStateException("drifts() alters the " + build + " value of Globals.Function." + property
                    + ", which is no !If any more");
        }
        boolean holds = CloudFormationConditions.holds(t, fnIf.get(0).asText(),
                Map.of(RUNTIME_PARAMETER, build.parameterValue));
        fnIf.set(holds ? 1 : 2, value);
    }

    /** A function setting as SAM applies it: the function's own, else Globals.Function's. */
    private static JsonNode functionSetting(ObjectNode t, String fn, String name) {
        JsonNode own = properties(t, fn).get(name);
        return own != null ? own : t.path("Globals").path("Function").get(name);
    }

    /** Globals.Function's variables overlaid with the function's, as SAM merges them. */
    private static Map<String, JsonNode> effectiveEnvironment(ObjectNode t, String fn) {
        Map<String, JsonNode> env = new TreeMap<>();
        for (JsonNode source : List.of(t.path("Globals").path("Function"), properties(t, fn))) {
            source.path("Environment").path("Variables").properties().forEach(e -> env.put(e.getKey(), e.getValue()));
        }
        return env;
    }

    /** The variables the functions share: Globals.Function's when it has some, else the webhook function's. */
    private static ObjectNode environment(ObjectNode t) {
        JsonNode shared = t.path("Globals").path("Function").path("Environment").path("Variables");
        return shared instanceof ObjectNode o ? o : functionEnvironment(t, webhookFunctionId(t));
    }

    /** A function's own variables (created when it has none). */
    private static ObjectNode functionEnvironment(ObjectNode t, String fn) {
        return properties(t, fn).withObject("/Environment").withObject("/Variables");
    }

    /** The first HttpApi event of the webhook function. */
    private static ObjectNode event(ObjectNode t) {
        for (JsonNode e : functionProperties(t).path("Events")) {
            if (HTTP_API_EVENT.equals(e.path("Type").asText())) {
                return (ObjectNode) e;
            }
        }
        throw new IllegalStateException("no HttpApi event");
    }

    private static ObjectNode eventProperties(ObjectNode t) {
        return (ObjectNode) event(t).get("Properties");
    }

    /** The name of the first Schedule event of the scheduled function. */
    private static String scheduleEventName(ObjectNode t) {
        for (Map.Entry<String, JsonNode> e : properties(t, scheduledFunctionId(t)).path("Events").properties()) {
            if (SCHEDULE_EVENTS.contains(e.getValue().path("Type").asText())) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("no Schedule event");
    }

    private static ObjectNode scheduleProperties(ObjectNode t) {
        return (ObjectNode) properties(t, scheduledFunctionId(t)).path("Events").path(scheduleEventName(t))
                .get("Properties");
    }

    /** Rewrites a schedule's Input (JSON text) through {@code edit}. */
    private static void editInput(ObjectNode scheduleProperties, Consumer<ObjectNode> edit) {
        try {
            ObjectNode input = (ObjectNode) JSON.readTree(scheduleProperties.get("Input").textValue());
            edit.accept(input);
            scheduleProperties.put("Input", JSON.writeValueAsString(input));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points a synthetic HTTP API event at another route, consistently. */
    private static void retarget(ObjectNode event, String method, String path) {
        event.put("routeKey", method + " " + path).put("rawPath", path);
        ObjectNode context = (ObjectNode) event.get("requestContext");
        context.put("routeKey", method + " " + path);
        ((ObjectNode) context.get("http")).put("method", method).put("path", path);
    }

    private static void addHttpApiEvent(ObjectNode t, String fn, String method, String path) {
        ObjectNode properties = NODES.objectNode();
        properties.set("ApiId", NODES.objectNode().put("Ref", httpApiId(t)));
        properties.put("Method", method).put("Path", path);
        properties(t, fn).withObject("/Events").set("Added" + method + path.replaceAll("\\W", ""),
                NODES.objectNode().put("Type", HTTP_API_EVENT).set("Properties", properties));
    }

    private static ObjectNode parameter(ObjectNode t, String name) {
        if (!(t.path("Parameters").get(name) instanceof ObjectNode parameter)) {
            throw new IllegalStateException("drifts() alters Parameter " + name + ", which template.yaml no longer has");
        }
        return parameter;
    }

    private static ObjectNode attributeDefinition(ObjectNode t, String name) {
        for (JsonNode a : tableProperties(t).path("AttributeDefinitions")) {
            if (name.equals(a.path("AttributeName").asText())) {
                return (ObjectNode) a;
            }
        }
        throw new IllegalStateException("drifts() alters the AttributeDefinition of " + name + ", which is gone");
    }

    private static void removeDefinition(ObjectNode t, String name) {
        ArrayNode definitions = (ArrayNode) tableProperties(t).get("AttributeDefinitions");
        for (int i = 0; i < definitions.size(); i++) {
            if (name.equals(definitions.get(i).path("AttributeName").asText())) {
                definitions.remove(i);
                return;
            }
        }
        throw new IllegalStateException("no AttributeDefinition of " + name);
    }

    private static ObjectNode queueIndex(ObjectNode t) {
        for (JsonNode index : tableProperties(t).path("GlobalSecondaryIndexes")) {
            if (CallLedger.QUEUE_INDEX.equals(index.path("IndexName").asText())) {
                return (ObjectNode) index;
            }
        }
        throw new IllegalStateException("drifts() alters the index " + CallLedger.QUEUE_INDEX + ", which is gone");
    }

    /** The first statement of the webhook function's first policy. */
    private static ObjectNode statement(ObjectNode t) {
        return statement(t, webhookFunctionId(t));
    }

    private static ObjectNode statement(ObjectNode t, String fn) {
        return (ObjectNode) properties(t, fn).path("Policies").path(0).path("Statement").path(0);
    }

    /** A function's statement granting ssm:GetParameters. */
    private static ObjectNode ssmStatement(ObjectNode t, String fn) {
        for (JsonNode policy : properties(t, fn).path("Policies")) {
            for (JsonNode statement : policy.path("Statement")) {
                if (texts(statement.path("Action")).contains(SSM_ACTION)) {
                    return (ObjectNode) statement;
                }
            }
        }
        throw new IllegalStateException(fn + " has no statement granting " + SSM_ACTION);
    }

    private static void removeSsmStatement(ObjectNode t, String fn) {
        ObjectNode ssm = ssmStatement(t, fn);
        for (JsonNode policy : properties(t, fn).path("Policies")) {
            ArrayNode statements = (ArrayNode) policy.path("Statement");
            for (int i = 0; i < statements.size(); i++) {
                if (statements.get(i) == ssm) {
                    statements.remove(i);
                    return;
                }
            }
        }
    }

    private static ArrayNode actions(ObjectNode t) {
        return (ArrayNode) statement(t).get("Action");
    }

    private static ArrayNode actions(ObjectNode t, String fn) {
        return (ArrayNode) statement(t, fn).get("Action");
    }

    private static ArrayNode resourceArray(ObjectNode statement) {
        return (ArrayNode) statement.get("Resource");
    }

    /** Removes the Resource whose ARN (see {@link #arnText}) is {@code arn}. */
    private static void removeResource(ObjectNode statement, String arn) {
        ArrayNode resources = resourceArray(statement);
        for (int i = 0; i < resources.size(); i++) {
            if (arn.equals(arnText(resources.get(i)))) {
                resources.remove(i);
                return;
            }
        }
        throw new IllegalStateException(arn + " not in " + resources);
    }

    private static ObjectNode subNode(String text) {
        return NODES.objectNode().put("Fn::Sub", text);
    }

    private static String indexArn(String table, String index) {
        return "${" + table + ".Arn}/index/" + index;
    }

    /**
     * A Resource as !Sub text: "${T.Arn}" for !GetAtt T.Arn, "${X}" for !Ref X, !Sub text as written, !Join of
     * those joined; null when it cannot tell (e.g. !Sub with its own variables, !If).
     */
    private static String arnText(JsonNode r) {
        if (r.isTextual()) {
            return r.textValue();
        }
        if (!r.isObject() || r.size() != 1) {
            return null;
        }
        if (r.has("Ref")) {
            return r.get("Ref").isTextual() ? "${" + r.get("Ref").textValue() + "}" : null;
        }
        JsonNode getAtt = r.get("Fn::GetAtt");
        if (getAtt != null) {
            if (getAtt.isTextual()) {
                return "${" + getAtt.textValue() + "}";
            }
            return getAtt.isArray() && getAtt.size() == 2 ? "${" + getAtt.get(0).asText() + "." + getAtt.get(1).asText()
                    + "}" : null;
        }
        JsonNode sub = r.get("Fn::Sub");
        if (sub != null) {
            if (sub.isTextual()) {
                return sub.textValue();
            }
            return sub.isArray() && sub.path(0).isTextual() && sub.path(1).size() == 0 ? sub.get(0).textValue() : null;
        }
        JsonNode join = r.get("Fn::Join");
        if (join != null && join.isArray() && join.size() == 2 && join.get(1).isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode part : join.get(1)) {
                String text = arnText(part);
                if (text == null) {
                    return null;
                }
                parts.add(text);
            }
            return String.join(join.get(0).asText(), parts);
        }
        return null;
    }

    /** Every text inside a node (intrinsics included). */
    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isTextual()) {
            texts.add(node.textValue());
        }
        node.forEach(child -> texts.addAll(texts(child)));
        return texts;
    }

    /** AttributeName -> KeyType of a KeySchema, in its order. */
    private static Map<String, String> keySchema(JsonNode schema) {
        Map<String, String> keys = new LinkedHashMap<>();
        schema.forEach(k -> keys.put(k.path("AttributeName").asText(), k.path("KeyType").asText()));
        return keys;
    }

    private static Map<String, String> keyTypes(List<KeyAttribute> attributes) {
        Map<String, String> keys = new LinkedHashMap<>();
        attributes.forEach(k -> keys.put(k.name(), k.keyType()));
        return keys;
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

    /** Whether a concrete path (a rawPath) matches a route path with {param} and {proxy+} segments. */
    private static boolean pathMatches(String route, String path) {
        StringBuilder regex = new StringBuilder();
        Matcher param = Pattern.compile("\\{(\\w+)(\\+?)}").matcher(route);
        int last = 0;
        while (param.find()) {
            regex.append(Pattern.quote(route.substring(last, param.start())))
                    .append(param.group(2).isEmpty() ? "[^/]+" : ".+");
            last = param.end();
        }
        regex.append(Pattern.quote(route.substring(last)));
        return path.matches(regex.toString());
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

    /**
     * The JVM build's runtime. The code is compiled for Java 17 (the design card); Lambda's java17 runtime was
     * deprecated on 2026-06-30 and can no longer be created (2026-07-31) or updated (2026-08-31), so the bytecode
     * runs on java21 (supported until 2029).
     */
    static final String JVM_RUNTIME = "java21";
    /** Lambda Java runtimes that can be created and updated today (AWS runtime lifecycle, as cfn-lint 1.51 has it). */
    static final Set<String> SUPPORTED_JAVA_RUNTIMES = Set.of("java21", "java25");

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
