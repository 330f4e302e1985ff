package io.callbridge.testing.myoperator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: one {@link MyOperatorFake} shared by every test class of the JVM (token {@value #TOKEN}),
 * with the application's user sync pointed at it. Inject it as a field of type {@link MyOperatorFake}; call
 * {@link MyOperatorFake#reset()} in tests. Like PipedriveFakeResource, it is never stopped between classes.
 */
public class MyOperatorFakeResource implements QuarkusTestResourceLifecycleManager {
    public static final String TOKEN = "test-myoperator-token";

    private static MyOperatorFake shared;

    public static synchronized MyOperatorFake fake() {
        if (shared == null) {
            MyOperatorFake f = MyOperatorFake.start(TOKEN);
            Runtime.getRuntime().addShutdownHook(new Thread(f::close, "myoperator-fake-shutdown"));
            shared = f;
        }
        return shared;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("callbridge.myoperator-base-url", fake().baseUrl(),
                "callbridge.myoperator-api-token", TOKEN);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(fake(), new TestInjector.MatchesType(MyOperatorFake.class));
    }

    @Override
    public void stop() {
    }
}
