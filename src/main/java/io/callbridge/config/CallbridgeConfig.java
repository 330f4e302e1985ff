package io.callbridge.config;

import io.callbridge.call.CallPolicies;
import io.callbridge.call.OutgoingUnknownPolicy;
import io.callbridge.call.OutgoingWithoutDealPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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

    /** How long the Pipedrive users list is reused before it is read again (seconds). */
    @WithDefault("300")
    int usersCacheSeconds();

    /** Upper bound of one wait for Pipedrive's rate limit (Retry-After) inside a delivery (ms). */
    @WithDefault("3000")
    long pipedriveMaxWaitMs();

    /** Retries of one Pipedrive request after a transient failure (429 burst, 5xx, network). */
    @WithDefault("3")
    int pipedriveRetries();

    default CallPolicies policies() {
        return new CallPolicies(outgoingWithoutDeal(), outgoingUnknown());
    }
}
