package io.callbridge.call;

import java.util.Objects;

/** The configurable parts of the decision table. */
public record CallPolicies(OutgoingWithoutDealPolicy outgoingWithoutDeal, OutgoingUnknownPolicy outgoingUnknown) {
    public CallPolicies {
        Objects.requireNonNull(outgoingWithoutDeal, "outgoingWithoutDeal");
        Objects.requireNonNull(outgoingUnknown, "outgoingUnknown");
    }

    public static CallPolicies defaults() {
        return new CallPolicies(OutgoingWithoutDealPolicy.LOG_ON_PERSON, OutgoingUnknownPolicy.SKIP);
    }
}
