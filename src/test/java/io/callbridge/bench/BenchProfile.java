package io.callbridge.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The benchmark runs the application with its production settings where the test profile changes them for speed or
 * readability: the Pipedrive users list is cached 20 minutes (tests: never), a rate-limit wait may take 3 s
 * (tests: 1.5 s), an unanswered create settles 30 s (tests: 3 s). Vert.x gets enough worker threads for every
 * concurrent invocation, as N Lambda instances would have one each. The shared client-side Pipedrive limiter gets the
 * limits the fake enforces ({@code bench.pipedriveBurstLimit}, {@code bench.pipedriveSearchLimit}), as a deployment
 * is configured for its plan; with the fake's limits off it stays on, at 1000 per 2 s (it still reads and writes its
 * DynamoDB item for every request, as in production, but never holds one back).
 */
public class BenchProfile implements QuarkusTestProfile {
    static final Map<String, String> OVERRIDES = Map.of(
            "callbridge.users-cache-seconds", "1200",
            "callbridge.pipedrive-max-wait-ms", "3000",
            "callbridge.create-settle-ms", "30000",
            "quarkus.thread-pool.max-threads", "200");

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> all = new java.util.HashMap<>(OVERRIDES);
        all.put("callbridge.pipedrive-burst-limit", limit("bench.pipedriveBurstLimit"));
        all.put("callbridge.pipedrive-search-limit", limit("bench.pipedriveSearchLimit"));
        return all;
    }

    private static String limit(String benchProperty) {
        int fake = Integer.getInteger(benchProperty, 0);
        return String.valueOf(fake > 0 ? fake : 1000);
    }
}
