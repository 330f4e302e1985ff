package io.callbridge.ledger;

import io.callbridge.call.Call;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The ledger's record of one call: its state, the call as known so far, the plan, and a checkpoint of every
 * Pipedrive object as soon as it exists, so a retry continues where the last attempt stopped.
 * Every write of a record is conditional on {@link #version()}, which is how concurrent deliveries of the same
 * call are kept apart without transactions.
 */
public final class CallRecord {
    private final String callKey;
    private CallState state;
    private long version;
    private long leaseUntilMs;
    private String leaseOwner;
    private Call call;
    private final Set<String> eventIds = new LinkedHashSet<>();
    private String planAction;
    private String planRule;
    private Long personId;
    private Long dealId;
    private Long activityId;
    private Long ownerId;
    private String ownerRule;
    private String writtenDigest;
    private Long personAttemptAtMs;
    private Long dealAttemptAtMs;
    private Long activityAttemptAtMs;
    private int attempts;
    private long nextTryAtMs;
    private String lastError;
    private Instant createdAt;
    private Instant updatedAt;
    private long expiresAtEpochSecond;

    public CallRecord(String callKey) {
        this.callKey = callKey;
    }

    public String callKey() { return callKey; }
    public CallState state() { return state; }
    public long version() { return version; }
    public long leaseUntilMs() { return leaseUntilMs; }
    public String leaseOwner() { return leaseOwner; }
    public Call call() { return call; }
    public Set<String> eventIds() { return eventIds; }
    public String planAction() { return planAction; }
    public String planRule() { return planRule; }
    public Long personId() { return personId; }
    public Long dealId() { return dealId; }
    public Long activityId() { return activityId; }
    public Long ownerId() { return ownerId; }
    public String ownerRule() { return ownerRule; }
    public String writtenDigest() { return writtenDigest; }
    public Long personAttemptAtMs() { return personAttemptAtMs; }
    public Long dealAttemptAtMs() { return dealAttemptAtMs; }
    public Long activityAttemptAtMs() { return activityAttemptAtMs; }
    public int attempts() { return attempts; }
    public long nextTryAtMs() { return nextTryAtMs; }
    public String lastError() { return lastError; }
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
    public long expiresAtEpochSecond() { return expiresAtEpochSecond; }

    public CallRecord state(CallState v) { state = v; return this; }
    public CallRecord version(long v) { version = v; return this; }
    public CallRecord lease(String owner, long untilMs) { leaseOwner = owner; leaseUntilMs = untilMs; return this; }
    public CallRecord call(Call v) { call = v; return this; }
    public CallRecord plan(String action, String rule) { planAction = action; planRule = rule; return this; }
    public CallRecord personId(Long v) { personId = v; return this; }
    public CallRecord dealId(Long v) { dealId = v; return this; }
    public CallRecord activityId(Long v) { activityId = v; return this; }
    public CallRecord owner(Long id, String rule) { ownerId = id; ownerRule = rule; return this; }
    public CallRecord writtenDigest(String v) { writtenDigest = v; return this; }
    public CallRecord personAttemptAtMs(Long v) { personAttemptAtMs = v; return this; }
    public CallRecord dealAttemptAtMs(Long v) { dealAttemptAtMs = v; return this; }
    public CallRecord activityAttemptAtMs(Long v) { activityAttemptAtMs = v; return this; }
    public CallRecord attempts(int v) { attempts = v; return this; }
    public CallRecord nextTryAtMs(long v) { nextTryAtMs = v; return this; }
    public CallRecord lastError(String v) { lastError = v; return this; }
    public CallRecord createdAt(Instant v) { createdAt = v; return this; }
    public CallRecord updatedAt(Instant v) { updatedAt = v; return this; }
    public CallRecord expiresAtEpochSecond(long v) { expiresAtEpochSecond = v; return this; }

    public boolean leaseValidAt(Instant now) {
        return state == CallState.IN_PROGRESS && leaseUntilMs > now.toEpochMilli();
    }

    /** When the replay should look at this record: a parked call's next try, a running call's lease end. */
    public long dueAtMs() {
        return state == CallState.IN_PROGRESS ? leaseUntilMs : nextTryAtMs;
    }

    public boolean expiredAt(Instant now) {
        return expiresAtEpochSecond > 0 && expiresAtEpochSecond < now.getEpochSecond();
    }
}
