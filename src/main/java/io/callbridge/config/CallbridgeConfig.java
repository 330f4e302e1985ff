package io.callbridge.config;

import io.callbridge.call.CallPolicies;
import io.callbridge.call.OutgoingUnknownPolicy;
import io.callbridge.call.OutgoingWithoutDealPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Every setting of the webhook function. Each property {@code callbridge.x-y} is read from the
 * environment variable {@code CALLBRIDGE_X_Y}; the README lists them all.
 */
@ConfigMapping(prefix = "callbridge")
public interface CallbridgeConfig {

    /** Shared secret MyOperator sends with every webhook ({@code CALLBRIDGE_WEBHOOK_TOKEN}). */
    Optional<String> webhookToken();

    /**
     * The previous webhook token, still accepted while MyOperator is switched to the new one
     * ({@code CALLBRIDGE_WEBHOOK_TOKEN_PREVIOUS}); remove it once the rotation is done.
     */
    Optional<String> webhookTokenPrevious();

    /**
     * Source addresses allowed to post webhooks, as CIDR blocks or single addresses, comma-separated
     * ({@code CALLBRIDGE_WEBHOOK_ALLOWED_IPS}); empty allows every address (the token still applies).
     */
    Optional<List<String>> webhookAllowedIps();

    /** Largest webhook body accepted (bytes); larger ones are answered 413. */
    @WithDefault("262144")
    int maxBodyBytes();

    /** How long authenticated deliveries that could not be parsed are kept for inspection and replay (days). */
    @WithDefault("14")
    int rejectedRetentionDays();

    /** Base URL of the company's Pipedrive, e.g. {@code https://acme.pipedrive.com}. */
    String pipedriveBaseUrl();

    /** Pipedrive API token, sent as the {@code x-api-token} header (never in a URL). */
    String pipedriveApiToken();

    /** E-mail of the Pipedrive user who owns calls of agents without a Pipedrive account. */
    Optional<String> defaultOwnerEmail();

    /** Region for numbers written without a country code (ISO 3166 code). */
    @WithDefault("IN")
    String defaultRegion();

    @WithDefault("log-on-person")
    OutgoingWithoutDealPolicy outgoingWithoutDeal();

    @WithDefault("skip")
    OutgoingUnknownPolicy outgoingUnknown();

    /** Pipeline of new deals; Pipedrive's default pipeline when absent. */
    OptionalLong dealPipelineId();

    /** Stage of new deals; the pipeline's first stage when absent. */
    OptionalLong dealStageId();

    /** The DynamoDB table of the call ledger. */
    @WithDefault("callbridge")
    String table();

    /** Create the table at start-up when missing (local runs and tests; the SAM template creates it in AWS). */
    @WithDefault("false")
    boolean createTable();

    /** How long one delivery may own a call before another may take over (seconds). */
    @WithDefault("60")
    int leaseSeconds();

    /** How long call records are kept for de-duplication (days). */
    @WithDefault("400")
    int retentionDays();

    /**
     * How long a number's Pipedrive person, once found by a search, is used without searching again (days); the
     * person is still re-read and checked on every call. 0 searches for every call.
     */
    @WithDefault("7")
    int numberCacheDays();

    /**
     * How long the Pipedrive users list is reused before it is read again (seconds), by every function instance: the
     * user sync (every 15 minutes) re-reads it, so with the default a call rarely pays the 20 tokens it costs.
     */
    @WithDefault("1200")
    int usersCacheSeconds();

    /** Upper bound of one wait for Pipedrive's rate limit (Retry-After) inside a delivery (ms). */
    @WithDefault("3000")
    long pipedriveMaxWaitMs();

    /** Retries of one Pipedrive request after a transient failure (429 burst, 5xx, network). */
    @WithDefault("3")
    int pipedriveRetries();

    /**
     * Pipedrive requests per rolling 2 s window, across every instance of the functions
     * ({@code CALLBRIDGE_PIPEDRIVE_BURST_LIMIT}): Pipedrive's burst limit of an API token, by plan Lite 20, Growth 40,
     * Premium 100, Ultimate 120. The budget belongs to the token, so when other integrations use the same token give
     * Callbridge less. 0 turns the limiter off.
     */
    @WithDefault("20")
    int pipedriveBurstLimit();

    /**
     * Pipedrive searches per rolling 2 s window, across every instance ({@code CALLBRIDGE_PIPEDRIVE_SEARCH_LIMIT});
     * Pipedrive allows 10 on every plan. Searches count against the burst limit too. 0 turns this limit off.
     */
    @WithDefault("10")
    int pipedriveSearchLimit();

    /** Token of the admin routes ({@code /admin/...}); without it they refuse every request. */
    Optional<String> adminToken();

    /**
     * Time the webhook may spend on Pipedrive before it answers (ms). Work left over stays parked in the ledger,
     * the answer is still 2xx, and the replay finishes it.
     */
    @WithDefault("2500")
    long ackBudgetMs();

    /**
     * After a create that got no answer (timeout, dropped connection), how long to wait before looking for the
     * object and creating it again (ms): Pipedrive may still be storing it, and looking too early would miss it.
     */
    @WithDefault("30000")
    long createSettleMs();

    /** Time the replay may spend on one call (ms). */
    @WithDefault("20000")
    long replayCallBudgetMs();

    /** Calls parked longer than this are marked failed instead of being retried again (hours). */
    @WithDefault("72")
    int replayMaxAgeHours();

    /** How many parked calls one replay run takes on. */
    @WithDefault("50")
    int replayBatchSize();

    /**
     * The {@code requestContext.apiId} the scheduled events of template.yaml carry. Internal routes answer only
     * events with this id; API Gateway always sets the real API's id, so nobody can reach them from outside.
     */
    @WithDefault("callbridge-scheduler")
    String internalApiId();

    /**
     * MyOperator API token for the user sync, sent as MyOperator requires as the {@code token} query parameter
     * (never logged). Absent on plans without API access: the sync then works from the agents seen in webhooks.
     */
    Optional<String> myoperatorApiToken();

    /** Base URL of the MyOperator API. */
    @WithDefault("https://developers.myoperator.co")
    String myoperatorBaseUrl();

    /** Path of MyOperator's users list (some accounts use a {@code /search/...} prefix). */
    @WithDefault("/user")
    String myoperatorUsersPath();

    /** How long a warm function reuses the user mapping before reading it again (seconds). */
    @WithDefault("60")
    int mappingCacheSeconds();

    /**
     * Write CloudWatch metrics in Embedded Metric Format (one JSON line per call on stdout, turned into metrics by
     * CloudWatch Logs at no API cost).
     */
    @WithDefault("true")
    boolean metricsEnabled();

    /** CloudWatch namespace of those metrics. */
    @WithDefault("Callbridge")
    String metricsNamespace();

    /**
     * Where the secrets live in SSM Parameter Store ({@code CALLBRIDGE_SECRETS_SSM_PATH}, e.g. {@code /callbridge/}):
     * when set, {@link SsmSecretsConfigSourceFactory} reads the SecureString parameters {@code <path>webhook-token}
     * etc. at start-up and they win over the environment. Unset (local runs, tests): secrets come from the
     * environment or properties as before.
     */
    Optional<String> secretsSsmPath();

    /** Another SSM endpoint ({@code CALLBRIDGE_SECRETS_SSM_ENDPOINT}; tests, LocalStack); AWS's when unset. */
    Optional<String> secretsSsmEndpoint();

    default CallPolicies policies() {
        return new CallPolicies(outgoingWithoutDeal(), outgoingUnknown());
    }
}
