package io.callbridge.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.pipedrive.PipedriveUsage;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.time.Clock;

/**
 * CloudWatch metrics in Embedded Metric Format: one JSON document per handled call, printed on its own line to
 * stdout (Lambda sends stdout to CloudWatch Logs, which extracts the metrics; no PutMetricData call, no cost per
 * request). Metrics: {@code Calls} by {@code Outcome} (logged, duplicate, skipped, ignored, parked, accepted, failed,
 * rejected), {@code PipedriveRequests}, {@code PipedriveTokens}, {@code PipedriveLatency}, {@code Duration}.
 */
@Singleton
public class CallMetrics {
    boolean enabled;
    private final String namespace;
    private final ObjectMapper json;
    private final Clock clock;
    PrintStream out = System.out;

    @Inject
    public CallMetrics(CallbridgeConfig config, ObjectMapper json, Clock clock) {
        this.enabled = config.metricsEnabled();
        this.namespace = config.metricsNamespace();
        this.json = json;
        this.clock = clock;
    }

    public void record(String outcome, PipedriveUsage.Usage usage, long durationMs) {
        if (!enabled) {
            return;
        }
        out.println(document(outcome, usage, durationMs));
    }

    String document(String outcome, PipedriveUsage.Usage usage, long durationMs) {
        ObjectNode doc = json.createObjectNode();
        ObjectNode aws = doc.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        directive.putArray("Dimensions").addArray().add("Outcome");
        ArrayNode metrics = directive.putArray("Metrics");
        metric(metrics, "Calls", "Count");
        metric(metrics, "PipedriveRequests", "Count");
        metric(metrics, "PipedriveTokens", "Count");
        metric(metrics, "PipedriveLatency", "Milliseconds");
        metric(metrics, "Duration", "Milliseconds");
        doc.put("Outcome", outcome);
        doc.put("Calls", 1);
        doc.put("PipedriveRequests", usage.requests());
        doc.put("PipedriveTokens", usage.tokens());
        doc.put("PipedriveLatency", usage.millis());
        doc.put("Duration", durationMs);
        return doc.toString();
    }

    private static void metric(ArrayNode metrics, String name, String unit) {
        metrics.addObject().put("Name", name).put("Unit", unit);
    }
}
