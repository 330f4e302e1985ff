package io.callbridge.processing;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.CallLedger;
import io.callbridge.ledger.CallRecord;
import io.callbridge.ledger.PendingEvents;
import io.callbridge.processing.CallOutcome.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Finishes what deliveries could not: merges pending events, continues parked calls (and calls whose delivery
 * crashed, once its lease ran out) from their checkpoints, with back-off, and gives up on calls older than the
 * maximum age by marking them failed. Nothing is dropped silently: failed calls stay listed and replayable.
 */
@ApplicationScoped
public class ReplayService {
    private static final Logger LOG = Logger.getLogger(ReplayService.class);

    /** What one replay run did. {@code remaining} counts due work left for the next run. */
    public record Report(Map<Kind, Integer> outcomes, int pendingMerged, int failed, boolean remaining) {
    }

    private final CallProcessor processor;
    private final CallLedger ledger;
    private final PendingEvents pending;
    private final CallbridgeConfig config;
    private final Clock clock;

    @Inject
    public ReplayService(CallProcessor processor, CallLedger ledger, PendingEvents pending, CallbridgeConfig config,
            Clock clock) {
        this.processor = processor;
        this.ledger = ledger;
        this.pending = pending;
        this.config = config;
        this.clock = clock;
    }

    /**
     * One replay run. With {@code ignoreBackoff} (an admin's "replay now") every parked call is tried, otherwise
     * only those whose next try is due. Stops taking on new calls when {@code runBudget} is spent.
     */
    public Report replay(boolean ignoreBackoff, Duration runBudget) {
        Instant stopAt = clock.instant().plus(runBudget);
        Duration perCall = Duration.ofMillis(config.replayCallBudgetMs());
        Map<Kind, Integer> outcomes = new EnumMap<>(Kind.class);
        int merged = 0;
        int failed = 0;
        int batch = config.replayBatchSize();
        List<PendingEvents.Pending> events = pending.all(batch);
        for (PendingEvents.Pending p : events) {
            if (!timeLeft(stopAt, perCall)) {
                return new Report(outcomes, merged, failed, true);
            }
            CallOutcome o = processor.process(p.call(), p.eventId(), budget(stopAt, perCall), false);
            count(outcomes, o.kind());
            LOG.infof("Merged pending event %s into call %s: %s", p.eventId(), o.callKey(), o.kind().name().toLowerCase());
            if (o.kind() == Kind.LOGGED || o.kind() == Kind.SKIPPED || o.kind() == Kind.DUPLICATE) {
                pending.remove(p.callKey(), p.eventId());
                merged++;
            }
        }
        long dueBy = ignoreBackoff ? Long.MAX_VALUE : clock.millis();
        List<CallRecord> due = ledger.queued(CallLedger.QUEUE_PARKED, dueBy, batch);
        Instant tooOld = clock.instant().minus(Duration.ofHours(config.replayMaxAgeHours()));
        for (CallRecord record : due) {
            if (!timeLeft(stopAt, perCall)) {
                return new Report(outcomes, merged, failed, true);
            }
            if (record.createdAt() != null && record.createdAt().isBefore(tooOld) && !record.leaseValidAt(clock.instant())) {
                failed += processor.markFailed(record) ? 1 : 0;
                continue;
            }
            CallOutcome o = processor.resume(record.callKey(), budget(stopAt, perCall));
            count(outcomes, o.kind());
            LOG.infof("Replayed call %s: %s%s%s", o.callKey(), o.kind().name().toLowerCase(),
                    o.activityId() != null ? ", activity " + o.activityId() : "",
                    o.detail() != null ? " (" + o.detail() + ")" : "");
        }
        boolean remaining = events.size() >= batch || due.size() >= batch;
        Report report = new Report(outcomes, merged, failed, remaining);
        if (!events.isEmpty() || !due.isEmpty()) {
            LOG.infof("Replay: %s, %d pending events merged, %d calls given up%s", outcomes, merged, failed,
                    remaining ? ", more due" : "");
        }
        return report;
    }

    /** Replays one call now, whatever its back-off, including a failed one. */
    public CallOutcome replayOne(String callKey) {
        return processor.resume(callKey, Duration.ofMillis(config.replayCallBudgetMs()));
    }

    private boolean timeLeft(Instant stopAt, Duration perCall) {
        return clock.instant().plus(Duration.ofMillis(Math.min(perCall.toMillis(), 2000))).isBefore(stopAt);
    }

    private Duration budget(Instant stopAt, Duration perCall) {
        Duration left = Duration.between(clock.instant(), stopAt);
        return left.compareTo(perCall) < 0 ? left : perCall;
    }

    private static void count(Map<Kind, Integer> outcomes, Kind kind) {
        outcomes.merge(kind, 1, Integer::sum);
    }
}
