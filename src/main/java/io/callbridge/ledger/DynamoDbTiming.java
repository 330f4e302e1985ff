package io.callbridge.ledger;

import io.quarkus.runtime.annotations.RegisterForReflection;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Times every DynamoDB client call, from the SDK's first hook to its last (marshalling, signing, the HTTP exchange,
 * SDK retries, unmarshalling), into {@link DynamoDbUsage} of the calling thread. The synchronous client runs all
 * hooks on the caller's thread. Registered with {@code quarkus.dynamodb.interceptors} in application.properties.
 */
@RegisterForReflection
public class DynamoDbTiming implements ExecutionInterceptor {
    private static final ExecutionAttribute<Long> STARTED = startedAttribute();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        done(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        done(attributes); // a failed conditional write is a request too
    }

    /**
     * The SDK refuses two attributes with one name JVM-wide, and a test JVM may load this class more than once (one
     * class loader per application start): a later copy takes the next free name. (No random name: the class may be
     * initialised while the native image is built.)
     */
    private static ExecutionAttribute<Long> startedAttribute() {
        for (int copy = 0; ; copy++) {
            try {
                return new ExecutionAttribute<>("callbridge.dynamodb.started" + (copy == 0 ? "" : "#" + copy));
            } catch (IllegalArgumentException nameTaken) {
                // an earlier copy of this class holds the name
            }
        }
    }

    private static void done(ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(STARTED);
        if (started != null) {
            DynamoDbUsage.record(System.nanoTime() - started);
        }
    }
}
