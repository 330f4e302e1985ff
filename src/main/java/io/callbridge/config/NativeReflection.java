package io.callbridge.config;

import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.call.CallSource;
import io.callbridge.call.CallStatus;
import io.callbridge.call.Direction;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The domain types the ledger stores as JSON, registered for reflection so Jackson can read and write them
 * in a native image (the domain package itself stays free of framework annotations).
 */
@RegisterForReflection(targets = {Call.class, Agent.class, CallSource.class, CallStatus.class, Direction.class})
public final class NativeReflection {
    private NativeReflection() {
    }
}
