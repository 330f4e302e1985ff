package io.callbridge.processing;

import io.callbridge.call.ActivityContent;
import io.callbridge.call.Call;
import io.callbridge.call.CallActivityText;
import io.callbridge.call.CallDecider;
import io.callbridge.call.CallPlan;
import io.callbridge.call.CallPlan.Action;
import io.callbridge.call.CrmMatch;
import io.callbridge.call.Text;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.CallRecord;
import io.callbridge.ledger.CallState;
import io.callbridge.ledger.NumberLocks;
import io.callbridge.ledger.PendingEvents;
import io.callbridge.pipedrive.OwnerChoice;
import io.callbridge.pipedrive.PipedriveException;
import io.callbridge.pipedrive.PipedriveGateway;
import io.callbridge.pipedrive.PipedriveModels.ActivityWrite;
import io.callbridge.pipedrive.PipedriveModels.ContactValue;
import io.callbridge.pipedrive.PipedriveModels.Deal;
import io.callbridge.pipedrive.PipedriveModels.NewDeal;
import io.callbridge.pipedrive.PipedriveModels.NewPerson;
import io.callbridge.pipedrive.PipedriveModels.Participant;
import io.callbridge.pipedrive.PipedrivePersonFinder;
import io.callbridge.pipedrive.TimeBudget;
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
import org.jboss.logging.Logger;

/**
 * Takes one call from "received" to "in Pipedrive", exactly once, whatever MyOperator and Pipedrive do.
 *
 * <ol>
 * <li><b>Claim</b> the call in the ledger with a conditional write and a lease, or recognise a repeated
 * delivery. An event that arrives while another delivery holds the call is kept as a pending event.</li>
 * <li><b>Decide</b> once: look the number up in Pipedrive and apply the decision table; the plan is stored.</li>
 * <li><b>Converge</b>: create what the plan needs (person, deal, activity), checkpointing each id as soon as it
 * exists. A create that may have been stored without an answer is looked for before it is tried again. Creating a
 * person or deal holds a short per-number lock, so simultaneous calls from one new number share them. A later
 * event of the same call updates the one activity instead of adding one.</li>
 * <li>Work that cannot finish now (Pipedrive failing, rate limits, the time budget spent) is <b>parked</b> with a
 * next-try time; the replay continues it from its checkpoints.</li>
 * </ol>
 */
@ApplicationScoped
public class CallProcessor {
    private static final Logger LOG = Logger.getLogger(CallProcessor.class);
    static final int CREATE_ATTEMPTS = 3;
    static final Duration NUMBER_LOCK = Duration.ofSeconds(15);
    /** How long what a call created for a number is trusted over Pipedrive's search (which lags behind). */
    static final Duration NUMBER_MEMO_TRUSTED = Duration.ofMinutes(10);
    static final Duration POLL = Duration.ofMillis(150);
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final CallLedger ledger;
    private final PendingEvents pending;
    private final NumberLocks numbers;
    private final PipedrivePersonFinder finder;
    private final CallerLookup callers;
    private final OwnerResolver owners;
    private final PipedriveGateway pipedrive;
    private final CallActivityText text;
    private final CallbridgeConfig config;
    private final Clock clock;

    @Inject
    public CallProcessor(CallLedger ledger, PendingEvents pending, NumberLocks numbers, PipedrivePersonFinder finder,
            CallerLookup callers, OwnerResolver owners, PipedriveGateway pipedrive, CallActivityText text, CallbridgeConfig config,
            Clock clock) {
        this.ledger = ledger;
        this.pending = pending;
        this.numbers = numbers;
        this.finder = finder;
        this.callers = callers;
        this.owners = owners;
        this.pipedrive = pipedrive;
        this.text = text;
        this.config = config;
        this.clock = clock;
    }

    /** A webhook delivery: processed within the acknowledgement budget. */
    public CallOutcome process(Call call, String eventId) {
        return process(call, eventId, Duration.ofMillis(config.ackBudgetMs()), true);
    }

    /**
     * Processes one event of a call within a time budget. With {@code keepIfBusy}, an event that finds the call
     * held by another delivery is stored as pending (the replay merges it); without, the answer is ACCEPTED and the
     * caller keeps its own copy (the replay's pending events).
     */
    public CallOutcome process(Call call, String eventId, Duration budget, boolean keepIfBusy) {
        Instant deadline = clock.instant().plus(budget);
        CallOutcome outcome = TimeBudget.within(deadline, () -> claimAndConverge(call, eventId, keepIfBusy));
        // after the Pipedrive work, outside its budget: usually nothing to write (the cached mapping knows the agents)
        owners.noteAgents(call);
        return outcome;
    }

    /**
     * Continues a parked (or failed, or crashed) call from its checkpoints, as the replay does. A call held by a
     * live delivery, or already finished, is left alone.
     */
    public CallOutcome resume(String callKey, Duration budget) {
        Instant deadline = clock.instant().plus(budget);
        return TimeBudget.within(deadline, () -> {
            Instant now = clock.instant();
            Optional<CallRecord> found = ledger.find(callKey, now);
            if (found.isEmpty()) {
                return CallOutcome.of(Kind.UNKNOWN, callKey, "no call with this id in the ledger");
            }
            CallRecord record = found.get();
            if (record.state().finished()) {
                return outcome(Kind.DUPLICATE, record, "already " + record.state().name().toLowerCase());
            }
            if (record.leaseValidAt(now)) {
                return outcome(Kind.ACCEPTED, record, "a delivery is writing this call right now");
            }
            return takeOver(record, now) ? converge(record) : outcome(Kind.ACCEPTED, record, "taken by another delivery");
        });
    }

    /** Gives up on a parked call that is too old (the replay's maximum age); it stays listed and replayable. */
    public boolean markFailed(CallRecord record) {
        String reason = "gave up after " + config.replayMaxAgeHours() + " h"
                + (record.lastError() != null ? ": " + record.lastError() : "");
        record.state(CallState.FAILED).lease(null, 0).lastError(reason).updatedAt(clock.instant())
                .nextTryAtMs(clock.millis());
        boolean marked = ledger.replace(record);
        if (marked) {
            LOG.errorf("Call %s FAILED and is not retried any more (%s); replay it with POST /admin/replay/%s",
                    record.callKey(), reason, record.callKey());
        }
        return marked;
    }

    private CallOutcome claimAndConverge(Call call, String eventId, boolean keepIfBusy) {
        String me = UUID.randomUUID().toString();
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
                if (TimeBudget.remainingMs() > 1000) {
                    pause(POLL);
                    continue;
                }
                if (keepIfBusy) {
                    pending.add(call, eventId, now);
                }
                return outcome(Kind.ACCEPTED, record,
                        "another delivery is writing this call; this event is kept and merged in by the replay");
            }
            if (seen && record.state().finished()) {
                return outcome(Kind.DUPLICATE, record, null);
            }
            // Take over: a parked or failed call, a crashed delivery whose lease ran out, or news about a finished call.
            if (!seen) {
                record.call(record.call().mergedWith(call));
                record.eventIds().add(eventId);
            }
            if (takeOver(record, now)) {
                return converge(record);
            }
        }
    }

    private boolean takeOver(CallRecord record, Instant now) {
        record.state(CallState.IN_PROGRESS)
                .lease(UUID.randomUUID().toString(), now.plusSeconds(config.leaseSeconds()).toEpochMilli())
                .attempts(record.attempts() + 1)
                .updatedAt(now);
        return ledger.replace(record);
    }

    private CallRecord newRecord(Call call, String eventId, String me, Instant now) {
        CallRecord r = new CallRecord(call.callKey())
                .state(CallState.IN_PROGRESS)
                .lease(me, now.plusSeconds(config.leaseSeconds()).toEpochMilli())
                .call(call)
                .attempts(1)
                .createdAt(now)
                .updatedAt(now)
                .expiresAtEpochSecond(now.plus(Duration.ofDays(config.retentionDays())).getEpochSecond());
        r.eventIds().add(eventId);
        return r;
    }

    private CallOutcome converge(CallRecord record) {
        boolean resolvedAgain = false;
        while (true) {
            try {
                return convergeOnce(record);
            } catch (LeaseLost e) {
                return outcome(Kind.ACCEPTED, record, "another delivery took this call over");
            } catch (TimeBudget.Spent e) {
                return park(record, e.getMessage(), clock.instant());
            } catch (Settling e) {
                return park(record, e.getMessage(), e.until);
            } catch (PipedriveException e) {
                if (vanished(e) && !resolvedAgain) {
                    // a person or deal we were about to use was merged or deleted: look the number up again
                    LOG.infof("Call %s: %s; looking the number up again", record.callKey(), e.getMessage());
                    // ...and not through the memo of what an earlier call created for the number, if it names them
                    numbers.forgetMemoOf(record.call().customerNumber(), record.personId(), record.dealId());
                    record.plan(null, null).personId(null).dealId(null).personAttemptAtMs(null).dealAttemptAtMs(null);
                    callers.forget(record.call().customerNumber());
                    resolvedAgain = true;
                    continue;
                }
                return park(record, e.getMessage(), nextTryAfter(record, e));
            }
        }
    }

    private CallOutcome convergeOnce(CallRecord record) {
        Call call = record.call();
        OwnerChoice owner = owners.ownerFor(call.ownerCandidate());
        if (record.planAction() == null) {
            decide(record, lookUp(call));
        }
        CallPlan plan = plan(record);
        if (!plan.logsActivity()) {
            record.state(CallState.SKIPPED).lease(null, 0).owner(owner.userId(), owner.rule()).lastError(null);
            checkpoint(record);
            return outcome(Kind.SKIPPED, record, "policy " + plan.rule() + ": nothing written to Pipedrive");
        }
        if ((plan.createsPerson() && record.personId() == null) || (plan.createsDeal() && record.dealId() == null)) {
            createUnderNumberLock(record, owner);
        }
        ensureActivity(record, owner);
        record.state(CallState.LOGGED).lease(null, 0).lastError(null);
        checkpoint(record);
        return outcome(Kind.LOGGED, record, null);
    }

    /**
     * Who the number belongs to. A remembered person saves the search; but a person or deal is never created on
     * the strength of a remembered answer: before that, Pipedrive is searched to confirm nobody else has the number.
     */
    private CrmMatch lookUp(Call call) {
        String number = call.customerNumber();
        CallerLookup.Lookup found = callers.find(number);
        if (found.remembered()) {
            CallPlan plan = CallDecider.decide(call.direction(), found.match(), config.policies());
            if (plan.createsPerson() || plan.createsDeal()) {
                found = callers.searchAgain(number);
            }
        }
        return found.match();
    }

    private void decide(CallRecord record, CrmMatch match) {
        CallPlan plan = CallDecider.decide(record.call().direction(), match, config.policies());
        record.plan(plan.action().name(), plan.rule()).personId(plan.personId()).dealId(plan.dealId());
        checkpoint(record);
    }

    private static CallPlan plan(CallRecord record) {
        return new CallPlan(Action.valueOf(record.planAction()), record.personId(), record.dealId(), record.planRule());
    }

    /**
     * Creates the person and/or deal the plan needs while holding the number, after checking whether another call
     * from the same number created them a moment ago (Pipedrive's search may not show them yet).
     */
    private void createUnderNumberLock(CallRecord record, OwnerChoice owner) {
        String number = record.call().customerNumber();
        String me = record.leaseOwner();
        NumberLocks.Memo memo;
        while (true) {
            Optional<NumberLocks.Memo> held = numbers.tryLock(number, me, clock.instant(), NUMBER_LOCK);
            if (held.isPresent()) {
                memo = held.get();
                break;
            }
            TimeBudget.require(POLL.toMillis() + 1000, "another call from " + Text.maskPhone(number) + " finished");
            pause(POLL);
        }
        Long createdPerson = null;
        Long createdDeal = null;
        try {
            if (memo.freshAt(clock.instant(), NUMBER_MEMO_TRUSTED) && memo.personId() != null
                    && (record.personId() == null || record.personId().equals(memo.personId()))) {
                adoptWhatAnotherCallCreated(record, memo);
            }
            CallPlan plan = plan(record);
            if (plan.createsPerson() && record.personId() == null) {
                createdPerson = ensurePerson(record, owner);
            }
            if (plan.createsDeal() && record.dealId() == null) {
                createdDeal = ensureDeal(record, owner);
            }
        } finally {
            numbers.unlock(number, me, createdPerson, createdDeal, clock.instant());
        }
    }

    private void adoptWhatAnotherCallCreated(CallRecord record, NumberLocks.Memo memo) {
        long personId = memo.personId();
        Optional<Long> openDeal = finder.openDealOf(personId);
        if (openDeal.isEmpty() && memo.dealId() != null) {
            openDeal = Optional.of(memo.dealId()); // created a moment ago; lists can lag too
        }
        CrmMatch match = openDeal.map(d -> CrmMatch.personWithOpenDeal(personId, d))
                .orElse(CrmMatch.personWithoutOpenDeal(personId));
        decide(record, match);
    }

    private Long ensurePerson(CallRecord record, OwnerChoice owner) {
        Call call = record.call();
        Obtained person = createOnce(record, record::personAttemptAtMs, record::personAttemptAtMs,
                () -> finder.recentlyCreatedPersonFor(call.customerNumber())
                        .or(() -> finder.personFor(call.customerNumber())),
                () -> pipedrive.createPerson(new NewPerson(text.personName(call),
                        List.of(new ContactValue(call.customerNumber(), true, "mobile")), owner.userId())).id());
        record.personId(person.id());
        checkpoint(record);
        if (!person.found()) {
            callers.personCreated(call.customerNumber(), person.id(), null);
        }
        return person.found() ? null : person.id();
    }

    private Long ensureDeal(CallRecord record, OwnerChoice owner) {
        Call call = record.call();
        String title = text.dealTitle(call);
        long personId = record.personId();
        try {
            Obtained deal = createOnce(record, record::dealAttemptAtMs, record::dealAttemptAtMs,
                    () -> pipedrive.newestOpenDeals(personId).stream()
                            .filter(d -> title.equals(d.title()))
                            .map(Deal::id).filter(Objects::nonNull).findFirst(),
                    () -> pipedrive.createDeal(new NewDeal(title, personId, owner.userId(),
                            boxed(config.dealPipelineId()), boxed(config.dealStageId()))).id());
            record.dealId(deal.id());
            checkpoint(record);
            if (!deal.found()) {
                callers.dealCreated(call.customerNumber(), personId, deal.id());
            }
            return deal.found() ? null : deal.id();
        } catch (PipedriveException e) {
            if (!e.dealLimitReached()) {
                throw e;
            }
            // The plan's open-deal cap: not retryable. The call still lands, on the person, and says why.
            LOG.warnf("Call %s: Pipedrive's open-deal limit is reached; logging the call on the person without a deal",
                    record.callKey());
            record.plan(Action.LOG_ON_PERSON.name(), record.planRule() + ":deal-limit-reached");
            checkpoint(record);
            return null;
        }
    }

    private void ensureActivity(CallRecord record, OwnerChoice owner) {
        Call call = record.call();
        CallPlan plan = plan(record);
        String remark = record.planRule().endsWith(":deal-limit-reached")
                ? "No deal was created: the open-deal limit of the Pipedrive plan is reached." : null;
        ActivityContent content = text.describe(call, remark);
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
            checkpoint(record);
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
     * looked for first. A create that fails without a clear answer is looked for again before the next try.
     */
    private Obtained createOnce(CallRecord record, Supplier<Long> attemptedAt, Consumer<Long> markAttempt,
            Supplier<Optional<Long>> find, Supplier<Long> create) {
        if (attemptedAt.get() != null) {
            Optional<Long> found = find.get();
            if (found.isPresent()) {
                return new Obtained(found.get(), true);
            }
            Instant settled = Instant.ofEpochMilli(attemptedAt.get()).plusMillis(config.createSettleMs());
            if (clock.instant().isBefore(settled)) {
                throw new Settling(settled); // the earlier request may still be under way at Pipedrive
            }
        }
        PipedriveException last = null;
        for (int attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                TimeBudget.require(250L * attempt + 500, "trying a create again");
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
                if (e.rateLimited() || vanished(e)) {
                    // Nothing was stored: a 429 (or a slot the limiter could not give) stores nothing, and neither
                    // does a refusal because the person or deal the create names is gone (the call looks the number
                    // up again next). Every earlier attempt was looked for before this one, so forget the attempt:
                    // the call goes on at once instead of waiting the settle time meant for unanswered creates.
                    // (Not so for other 400s: Pipedrive sometimes answers 400 to a create it stored.)
                    markAttempt.accept(null);
                    checkpointQuietly(record);
                    throw e;
                }
                if (!e.writeMayHaveHappened()) {
                    throw e;
                }
                if (e.status() == 0) {
                    // No answer at all: Pipedrive may still be storing it. Looking now could miss it and create a
                    // twin, so the call waits until the request has surely ended, then looks.
                    throw new Settling(clock.instant().plusMillis(config.createSettleMs()));
                }
                last = e; // a 5xx: the request is over; look for the object, then try again
            }
        }
        throw last;
    }

    /** A create went unanswered; until {@code until} nobody can tell whether Pipedrive stored it. */
    static final class Settling extends RuntimeException {
        final Instant until;

        Settling(Instant until) {
            super("waiting until Pipedrive has surely finished an unanswered create", null, false, false);
            this.until = until;
        }
    }

    private CallOutcome park(CallRecord record, String reason, Instant nextTry) {
        record.state(CallState.PARKED).lease(null, 0).lastError(reason).updatedAt(clock.instant())
                .nextTryAtMs(nextTry.toEpochMilli());
        try {
            checkpoint(record);
        } catch (LeaseLost e) {
            return outcome(Kind.ACCEPTED, record, "another delivery took this call over");
        }
        return outcome(Kind.PARKED, record, reason);
    }

    /** When a parked call is worth another try: when Pipedrive says, else with exponential back-off. */
    private Instant nextTryAfter(CallRecord record, PipedriveException e) {
        Instant now = clock.instant();
        if (e.status() == 401 || e.status() == 402) {
            LOG.errorf("Pipedrive refused the API token (%s): every call is parked until CALLBRIDGE_PIPEDRIVE_API_TOKEN "
                    + "or the Pipedrive subscription is fixed; parked calls are replayed automatically", e.getMessage());
            return now.plus(Duration.ofMinutes(15));
        }
        if (e.dailyBudgetExhausted()) {
            Duration reset = e.retryAfter() != null ? e.retryAfter() : Duration.ofHours(1);
            LOG.warnf("Pipedrive's daily API budget is spent; calls are parked until it resets in %d min",
                    reset.toMinutes());
            return now.plus(reset);
        }
        if (e.retryAfter() != null) {
            return now.plus(e.retryAfter());
        }
        long exponent = Math.min(10, Math.max(0, record.attempts() - 1));
        Duration backoff = Duration.ofMinutes(1L << exponent);
        return now.plus(backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff);
    }

    /** A person or deal the call was going to use no longer exists (merged, deleted, or invisible to the token). */
    private static boolean vanished(PipedriveException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return e.notFound() || (e.status() == 400 && m.matches("(?s).*(deal_id|person|participants|Deal|Person).*not found.*"));
    }

    /** A checkpoint on the way out of a failure: a lost lease is the new holder's business, the failure is ours. */
    private void checkpointQuietly(CallRecord record) {
        try {
            checkpoint(record);
        } catch (LeaseLost e) {
            // the call's new holder continues it from its own reading of the ledger
        }
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
