package io.callbridge.testing.pipedrive;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource: one {@link PipedriveFake} shared by every test class of the JVM (token
 * {@value #TOKEN}), with the application pointed at it:
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(PipedriveFakeResource.class)   // or @WithTestResource(PipedriveFakeResource.class)
 * class CallLoggingTest {
 *     PipedriveFake pipedrive;                          // injected (any field of type PipedriveFake)
 *
 *     @BeforeEach void clean() { pipedrive.reset(); }
 * }
 * }</pre>
 *
 * The fake is never stopped between test classes (it is closed by a JVM shutdown hook, and its threads are
 * daemons); call {@link PipedriveFake#reset()} in tests. With Quarkus 3.34 the injected field and the static
 * {@link #fake()} are the same instance (checked); the injected field stays correct even if a future Quarkus loads
 * test classes and test resources in different class loaders.
 */
public class PipedriveFakeResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-pipedrive-token";

    private static PipedriveFake shared;

    /** The shared fake, started on first use. */
    public static synchronized PipedriveFake fake() {
        if (shared == null) {
            PipedriveFake f = PipedriveFake.start(TOKEN);
            Runtime.getRuntime().addShutdownHook(new Thread(f::close, "pipedrive-fake-shutdown"));
            shared = f;
        }
        return shared;
    }

    @Override
    public Map<String, String> start() {
        PipedriveFake f = fake();
        return Map.of(
                "callbridge.pipedrive-base-url", f.baseUrl(),
                "callbridge.pipedrive-api-token", TOKEN);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(fake(), new TestInjector.MatchesType(PipedriveFake.class));
    }

    @Override
    public void stop() {
        // shared across test classes: closed by the shutdown hook
    }
}
