package io.callbridge.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The benchmark runs the application with its production settings where the test profile changes them for speed or
 * readability: the Pipedrive users list is cached 5 minutes (tests: never), a rate-limit wait may take 3 s
 * (tests: 1.5 s), an unanswered create settles 30 s (tests: 3 s). Vert.x gets enough worker threads for every
 * concurrent invocation, as N Lambda instances would have one each.
 */
public class BenchProfile implements QuarkusTestProfile {
    static final Map<String, String> OVERRIDES = Map.of(
            "callbridge.users-cache-seconds", "300",
            "callbridge.pipedrive-max-wait-ms", "3000",
            "callbridge.create-settle-ms", "30000",
            "quarkus.thread-pool.max-threads", "200");

    @Override
    public Map<String, String> getConfigOverrides() {
        return OVERRIDES;
    }
}
