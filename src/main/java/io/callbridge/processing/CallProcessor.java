package io.callbridge.processing;

import io.callbridge.call.ActivityContent;
import io.callbridge.call.Call;
import io.callbridge.call.CallActivityText;
import io.callbridge.call.CallDecider;
import io.callbridge.call.CallPlan;
import io.callbridge.call.CallPlan.Action;
import io.callbridge.call.CrmMatch;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.CallRecord;
import io.callbridge.ledger.CallState;
import io.callbridge.pipedrive.OwnerChoice;
import io.callbridge.pipedrive.PipedriveException;
import io.callbridge.pipedrive.PipedriveGateway;
import io.callbridge.pipedrive.PipedriveModels.ActivityWrite;
import io.callbridge.pipedrive.PipedriveModels.ContactValue;
import io.callbridge.pipedrive.PipedriveModels.Deal;
import io.callbridge.pipedrive.PipedriveModels.NewDeal;
import io.callbridge.pipedrive.PipedriveModels.NewPerson;
import io.callbridge.pipedrive.PipedriveModels.Participant;
import io.callbridge.pipedrive.PipedriveOwners;
import io.callbridge.pipedrive.PipedrivePersonFinder;
import io.callbridge.processing.CallOutcome.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Takes one call delivery from "received" to "in Pipedrive", exactly once.
 *
 * <ol>
 * <li><b>Claim</b> the call in the ledger with a conditional write (a lease), or recognise a repeated delivery.</li>
 * <li><b>Decide</b> once: look the number up in Pipedrive and apply the decision table; the plan is stored.</li>
 * <li><b>Converge</b>: create what the plan needs (person, deal, activity), checkpointing each id in the ledger
 * as soon as it exists; if a create may have been stored without us hearing back, look for it before creating
 * again. A later event of the same call (v2 call.summary after call.end) updates the one activity instead of
 * adding one.</li>
 * </ol>
 */
@ApplicationScoped
public class CallProcessor {
    static final Duration BUSY_WAIT = Duration.ofMillis(2500);
    static final int CREATE_ATTEMPTS = 3;

    private final CallLedger ledger;
    private final PipedrivePersonFinder finder;
    private final PipedriveOwners owners;
    private final PipedriveGateway pipedrive;
    private final CallActivityText text;
    private final CallbridgeConfig config;
    private final Clock clock;

    @Inject
    public CallProcessor(CallLedger ledger, PipedrivePersonFinder finder, PipedriveOwners owners,
            PipedriveGateway pipedrive, CallActivityText text, CallbridgeConfig config, Clock clock) {
        this.ledger = ledger;
        this.finder = finder;
        this.owners = owners;
        this.pipedrive = pipedrive;
        this.text = text;
        this.config = config;
        this.clock = clock;
    }

    public CallOutcome process(Call call, String eventId) {
        String me = UUID.randomUUID().toString();
        Instant deadline = clock.instant().plus(BUSY_WAIT);
        while (true) {
            Instant now = clock.instant();
            Optional<CallRecord> existing = ledger.find(call.callKey(), now);
            if (existing.isEmpty()) {
                CallRecord fresh = newRecord(call, eventId, me, now);
                if (ledger.create(fresh, now)) {
                    return converge(fresh);
                }
                continue; // another delivery created it a moment ago: look again
            }
            CallRecord record = existing.get();
            boolean seen = record.eventIds().contains(eventId);
            if (record.leaseValidAt(now)) {
                if (seen) {
                    return outcome(Kind.DUPLICATE, record, "this delivery is being processed right now");
                }
                if (now.isAfter(deadline)) {
                    return outcome(Kind.BUSY, record, "another event of this call is being processed; retry shortly");
                }
                pause(Duration.ofMillis(200));
                continue;
            }
            if (seen && record.state().finished()) {
                return outcome(Kind.DUPLICATE, record, null);
            }
            // Take over: a parked call, a crashed delivery whose lease ran out, or news about a finished call.
            if (!seen) {
                record.call(record.call().mergedWith(call));
                record.eventIds().add(eventId);
            }
            record.state(CallState.IN_PROGRESS)
                    .lease(me, leaseUntil(now))
                    .attempts(record.attempts() + 1)
                    .updatedAt(now);
            if (ledger.replace(record)) {
                return converge(record);
            }
        }
    }

    private CallRecord newRecord(Call call, String eventId, String me, Instant now) {
        CallRecord r = new CallRecord(call.callKey())
                .state(CallState.IN_PROGRESS)
                .lease(me, leaseUntil(now))
                .call(call)
                .attempts(1)
                .createdAt(now)
                .updatedAt(now)
                .expiresAtEpochSecond(now.plus(Duration.ofDays(config.retentionDays())).getEpochSecond());
        r.eventIds().add(eventId);
        return r;
    }

    private long leaseUntil(Instant now) {
        return now.plusSeconds(config.leaseSeconds()).toEpochMilli();
    }

    private CallOutcome converge(CallRecord record) {
        try {
            Call call = record.call();
            OwnerChoice owner = owners.ownerFor(call.ownerCandidate());
            if (record.planAction() == null) {
                CrmMatch match = finder.find(call.customerNumber());
                CallPlan plan = CallDecider.decide(call.direction(), match, config.policies());
                record.plan(plan.action().name(), plan.rule()).personId(plan.personId()).dealId(plan.dealId());
                checkpoint(record);
            }
            CallPlan plan = new CallPlan(Action.valueOf(record.planAction()), record.personId(), record.dealId(),
                    record.planRule());
            if (!plan.logsActivity()) {
                record.state(CallState.SKIPPED).lease(null, 0).owner(owner.userId(), owner.rule()).lastError(null);
                checkpoint(record);
                return outcome(Kind.SKIPPED, record, "policy " + plan.rule() + ": nothing written to Pipedrive");
            }
            if (plan.createsPerson() && record.personId() == null) {
                ensurePerson(record, owner);
            }
            if (plan.createsDeal() && record.dealId() == null) {
                ensureDeal(record, owner);
            }
            ensureActivity(record, plan, owner);
            record.state(CallState.LOGGED).lease(null, 0).lastError(null);
            checkpoint(record);
            return outcome(Kind.LOGGED, record, null);
        } catch (LeaseLost e) {
            return outcome(Kind.BUSY, record, "another delivery took this call over");
        } catch (PipedriveException e) {
            return park(record, e.getMessage());
        }
    }

    private void ensurePerson(CallRecord record, OwnerChoice owner) {
        Call call = record.call();
        long id = createOnce(record, record::personAttemptAtMs, record::personAttemptAtMs,
                () -> finder.personFor(call.customerNumber()),
                () -> pipedrive.createPerson(new NewPerson(text.personName(call),
                        List.of(new ContactValue(call.customerNumber(), true, "mobile")), owner.userId())).id()).id();
        record.personId(id);
        checkpoint(record);
    }

    private void ensureDeal(CallRecord record, OwnerChoice owner) {
        Call call = record.call();
        String title = text.dealTitle(call);
        long personId = record.personId();
        long id = createOnce(record, record::dealAttemptAtMs, record::dealAttemptAtMs,
                () -> pipedrive.newestOpenDeals(personId).stream()
                        .filter(d -> title.equals(d.title()))
                        .map(Deal::id).filter(Objects::nonNull).findFirst(),
                () -> pipedrive.createDeal(new NewDeal(title, personId, owner.userId(),
                        boxed(config.dealPipelineId()), boxed(config.dealStageId()))).id()).id();
        record.dealId(id);
        checkpoint(record);
    }

    private void ensureActivity(CallRecord record, CallPlan plan, OwnerChoice owner) {
        Call call = record.call();
        ActivityContent content = text.describe(call);
        Long dealId = plan.onDeal() ? record.dealId() : null;
        Long personId = record.personId();
        ActivityWrite write = new ActivityWrite(content.subject(), "call", owner.userId(), dealId,
                personId == null ? null : List.of(new Participant(personId, true)), content.dueDate(),
                content.dueTime(), content.duration(), content.done(), content.note());
        String digest = digest(write);
        if (record.activityId() == null) {
            String marker = CallActivityText.callIdMarker(call.callKey());
            Obtained activity = createOnce(record, record::activityAttemptAtMs, record::activityAttemptAtMs,
                    () -> pipedrive.newestActivities(dealId, personId).stream()
                            .filter(a -> a.note() != null && a.note().contains(marker) && !Boolean.TRUE.equals(a.isDeleted()))
                            .map(a -> a.id()).filter(Objects::nonNull).findFirst(),
                    () -> pipedrive.createActivity(write).id());
            // A found activity may hold an older version of the call: it is brought up to date below.
            record.activityId(activity.id()).writtenDigest(activity.found() ? null : digest);
        }
        if (!digest.equals(record.writtenDigest())) {
            pipedrive.updateActivity(record.activityId(), write);
            record.writtenDigest(digest);
        }
        record.owner(owner.userId(), owner.rule());
    }

    /** An object id, and whether it was found (stored by an earlier attempt) rather than created now. */
    private record Obtained(long id, boolean found) {
    }

    /**
     * Creates a Pipedrive object at most once across all deliveries of a call. Before a create the attempt is
     * checkpointed; if an earlier attempt (this delivery's or a crashed one's) may have been stored, the object is
     * looked for first. A create that fails without an answer is looked for again before the next try.
     */
    private Obtained createOnce(CallRecord record, Supplier<Long> attemptedAt, Consumer<Long> markAttempt,
            Supplier<Optional<Long>> find, Supplier<Long> create) {
        if (attemptedAt.get() != null) {
            Optional<Long> found = find.get();
            if (found.isPresent()) {
                return new Obtained(found.get(), true);
            }
        }
        PipedriveException last = null;
        for (int attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                pause(Duration.ofMillis(250L * attempt));
                Optional<Long> found = find.get();
                if (found.isPresent()) {
                    return new Obtained(found.get(), true);
                }
            }
            markAttempt.accept(clock.millis());
            checkpoint(record);
            try {
                Long id = create.get();
                if (id == null) {
                    throw new PipedriveException(502, null, "Pipedrive confirmed a create without an id", null, false);
                }
                return new Obtained(id, false);
            } catch (PipedriveException e) {
                if (!e.writeMayHaveHappened()) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private CallOutcome park(CallRecord record, String reason) {
        record.state(CallState.PARKED).lease(null, 0).lastError(reason).updatedAt(clock.instant());
        try {
            checkpoint(record);
        } catch (LeaseLost e) {
            return outcome(Kind.BUSY, record, "another delivery took this call over");
        }
        return outcome(Kind.PARKED, record, reason);
    }

    private void checkpoint(CallRecord record) {
        record.updatedAt(clock.instant());
        if (!ledger.replace(record)) {
            throw new LeaseLost();
        }
    }

    private static CallOutcome outcome(Kind kind, CallRecord r, String detail) {
        return new CallOutcome(kind, r.callKey(), r.personId(), r.dealId(), r.activityId(), r.planRule(), r.ownerRule(),
                detail);
    }

    private static Long boxed(java.util.OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }

    private static String digest(ActivityWrite w) {
        String canonical = String.join("\u0001", String.valueOf(w.subject()), String.valueOf(w.ownerId()),
                String.valueOf(w.dealId()), String.valueOf(w.participants()), String.valueOf(w.dueDate()),
                String.valueOf(w.dueTime()), String.valueOf(w.duration()), String.valueOf(w.done()),
                String.valueOf(w.note()));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Our lease was taken over (we were slower than the lease): stop writing, the new holder continues. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("lease lost", null, false, false);
        }
    }
}
