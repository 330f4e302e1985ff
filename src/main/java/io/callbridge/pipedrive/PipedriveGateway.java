package io.callbridge.pipedrive;

import io.callbridge.config.CallbridgeConfig;
import io.callbridge.pipedrive.PipedriveModels.Activity;
import io.callbridge.pipedrive.PipedriveModels.ActivityWrite;
import io.callbridge.pipedrive.PipedriveModels.Deal;
import io.callbridge.pipedrive.PipedriveModels.Envelope;
import io.callbridge.pipedrive.PipedriveModels.NewDeal;
import io.callbridge.pipedrive.PipedriveModels.NewPerson;
import io.callbridge.pipedrive.PipedriveModels.Person;
import io.callbridge.pipedrive.PipedriveModels.PersonHit;
import io.callbridge.pipedrive.PipedriveModels.SearchHit;
import io.callbridge.pipedrive.PipedriveModels.User;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Pipedrive as Callbridge needs it, with SmallRye Fault Tolerance retries around the raw REST client.
 * Reads are retried on any transient failure. Creates are retried here only when Pipedrive certainly did
 * not store anything (a burst 429); after a 5xx or a lost answer the caller must look for the object first.
 * Waits honour {@code Retry-After} / {@code x-ratelimit-reset} with jitter, and never exceed the configured
 * maximum; a spent daily budget is never retried.
 *
 * <p>Before every request (each retry too) the {@link RequestPacer} gives it a slot under Pipedrive's burst and search
 * limits, shared by all instances; the request waits for its slot. When the slot is further away than the configured
 * maximum wait or the time budget allows, the request is not sent and fails as a 429 with a Retry-After
 * ({@link PipedriveException#paced}): the call is parked and the replay sends it later, so a burst queues instead of
 * failing.
 */
@ApplicationScoped
public class PipedriveGateway {
    static final int SEARCH_LIMIT = 50;
    /** Pipedrive's token cost per request (API reference, "Rate limiting"). */
    static final int COST_SEARCH = 20;
    static final int COST_GET = 1;
    static final int COST_LIST = 10;
    static final int COST_WRITE = 5;
    static final int COST_USERS = 20;
    /** Time a request needs at least; with less budget left, work stops before the request rather than during it. */
    static final long REQUEST_RESERVE_MS = 150;
    /**
     * Time a request should still have when its rate-limit slot comes: a slot later than that is not worth waiting
     * for, since a create sent with less would likely be cut short unanswered (and then take the settle time).
     */
    static final long REQUEST_AFTER_SLOT_MS = 600;
    /** Time kept back from the budget for answering after a request was cut short. */
    static final long BUDGET_MARGIN_MS = 100;
    /** Threads that run requests under a time budget (daemon: they never keep the JVM alive). */
    private static final ExecutorService REQUESTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pipedrive-request");
        t.setDaemon(true);
        return t;
    });

    private final PipedriveApi api;
    private final RequestPacer pacer;
    private final Guard readGuard;
    private final Guard writeGuard;
    private final Guard onceGuard;
    private final long maxWaitMs;

    @Inject
    public PipedriveGateway(@RestClient PipedriveApi api, CallbridgeConfig config, RequestPacer pacer) {
        this.api = api;
        this.pacer = pacer;
        this.maxWaitMs = config.pipedriveMaxWaitMs();
        int retries = config.pipedriveRetries();
        // a request the limiter held back could not get a slot within the acceptable wait: retrying it here is no use
        this.readGuard = guard(retries, e -> e.transientFailure() && !e.paced() && waitAcceptable(e));
        this.writeGuard = guard(retries, e -> e.rateLimited() && !e.paced() && !e.dailyBudgetExhausted()
                && waitAcceptable(e));
        this.onceGuard = guard(0, e -> false);
    }

    /** Persons whose phone loosely matches the term (false positives included: the caller filters). */
    public List<PersonHit> searchPersonsByPhone(String term) {
        Envelope<PipedriveModels.SearchResult> r = guarded(readGuard, "person search", COST_SEARCH, true,
                () -> api.searchPersons(term, "phone", false, SEARCH_LIMIT));
        if (r.data() == null || r.data().items() == null) {
            return List.of();
        }
        return r.data().items().stream().map(SearchHit::item).filter(Objects::nonNull)
                .filter(p -> p.id() != null).toList();
    }

    public Person person(long id, boolean withOpenDealsCount) {
        return read("person " + id, COST_GET, () -> api.getPerson(id, withOpenDealsCount ? "open_deals_count" : null)).data();
    }

    /** One deal, whatever its status (archived and deleted deals included, flagged as such). */
    public Deal deal(long id) {
        return read("deal " + id, COST_GET, () -> api.getDeal(id)).data();
    }

    /** Open deals of a person, most recently updated first (archived deals are not listed by Pipedrive). */
    public List<Deal> openDeals(long personId) {
        Envelope<List<Deal>> r = read("open deals of person " + personId, COST_LIST,
                () -> api.listDeals(personId, "open", "update_time", "desc", 100));
        return r.data() == null ? List.of() : r.data();
    }

    /**
     * The most recently added persons: used to find a person whose create answer was lost, since a person created
     * a moment ago may not be searchable yet while lists show it at once.
     */
    public List<Person> newestPersons() {
        Envelope<List<Person>> r = read("newest persons", COST_LIST, () -> api.listPersons("add_time", "desc", 50));
        return r.data() == null ? List.of() : r.data();
    }

    /** Open deals of a person, newest first: used to find a deal whose create answer was lost. */
    public List<Deal> newestOpenDeals(long personId) {
        Envelope<List<Deal>> r = read("newest deals of person " + personId, COST_LIST,
                () -> api.listDeals(personId, "open", "add_time", "desc", 50));
        return r.data() == null ? List.of() : r.data();
    }

    /** Newest activities of a deal or (without deal) of a person: used to find an activity whose answer was lost. */
    public List<Activity> newestActivities(Long dealId, Long personId) {
        Envelope<List<Activity>> r = read("activities", COST_LIST, () -> api.listActivities(dealId, dealId == null ? personId : null,
                "add_time", "desc", 100));
        return r.data() == null ? List.of() : r.data();
    }

    public Person createPerson(NewPerson person) {
        return write("person create", COST_WRITE, () -> api.createPerson(person)).data();
    }

    public Deal createDeal(NewDeal deal) {
        return write("deal create", COST_WRITE, () -> api.createDeal(deal)).data();
    }

    public Activity createActivity(ActivityWrite activity) {
        return write("activity create", COST_WRITE, () -> api.createActivity(activity)).data();
    }

    /** PATCH is idempotent: it is retried like a read. */
    public Activity updateActivity(long id, ActivityWrite activity) {
        return read("activity " + id + " update", COST_WRITE, () -> api.updateActivity(id, activity)).data();
    }

    /**
     * All users. Tried once, without retries: the list only refines the owner, and a failing list must not eat
     * the time budget of the call (the owner falls back instead).
     */
    public List<User> users() {
        Envelope<List<User>> r = guarded(onceGuard, "users", COST_USERS, false, api::users);
        return r.data() == null ? List.of() : r.data();
    }

    /** A wait Pipedrive asks for is made only if it fits the configured maximum and the current time budget. */
    private boolean waitAcceptable(PipedriveException e) {
        long wait = e.retryAfter() == null ? 0 : e.retryAfter().toMillis();
        return wait <= maxWaitMs && wait + REQUEST_RESERVE_MS <= TimeBudget.remainingMs();
    }

    private <T> T read(String what, int cost, Supplier<T> call) {
        return guarded(readGuard, what, cost, false, call);
    }

    private <T> T write(String what, int cost, Supplier<T> call) {
        return guarded(writeGuard, what, cost, false, call);
    }

    @SuppressWarnings("unchecked")
    private <T> T guarded(Guard guard, String what, int cost, boolean search, Supplier<T> call) {
        PipedriveException[] lastFailure = new PipedriveException[1];
        Supplier<Object> attempt = () -> {
            if (lastFailure[0] != null && TimeBudget.remainingMs() < REQUEST_RESERVE_MS) {
                throw lastFailure[0]; // out of time while retrying: the failure is the better reason to park
            }
            TimeBudget.require(REQUEST_RESERVE_MS, what);
            awaitSlot(what, search);
            long started = System.nanoTime();
            try {
                Object result = withinBudget(what, call);
                PipedriveUsage.record(cost, System.nanoTime() - started);
                return result;
            } catch (PipedriveException e) {
                // Pipedrive charges rate-limited and unauthorised requests nothing; other answers cost as usual
                PipedriveUsage.record(e.status() == 429 || e.status() == 401 ? 0 : cost,
                        System.nanoTime() - started);
                TimeBudget.noteFailure(e.getMessage());
                throw lastFailure[0] = e;
            } catch (ProcessingException e) {
                PipedriveUsage.record(0, System.nanoTime() - started);
                throw lastFailure[0] = PipedriveException.unreachable(what, e.getCause() != null ? e.getCause() : e);
            } catch (WebApplicationException e) {
                throw lastFailure[0] = new PipedriveException(e.getResponse().getStatus(), null,
                        "Pipedrive answered " + e.getResponse().getStatus() + " to " + what, null, false);
            }
        };
        return (T) guard.get(attempt, Object.class);
    }

    /**
     * Waits for the request's slot under the shared rate limits. No longer than the configured maximum wait, and so
     * that {@link #REQUEST_AFTER_SLOT_MS} of the time budget is left for the request: when the slot is further away,
     * none is taken and the request fails as {@link PipedriveException#paced} (unsent, to be parked).
     */
    private void awaitSlot(String what, boolean search) {
        long canWait = Math.max(0, Math.min(maxWaitMs, TimeBudget.remainingMs() - REQUEST_AFTER_SLOT_MS));
        RequestPacer.Slot slot = pacer.reserve(search, canWait);
        if (!slot.granted()) {
            PipedriveException paced = PipedriveException.paced(what, slot.waitMs());
            TimeBudget.noteFailure(paced.getMessage());
            throw paced;
        }
        if (slot.waitMs() > 0) {
            long started = System.nanoTime();
            try {
                Thread.sleep(slot.waitMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PipedriveException.paced(what, slot.waitMs()); // not sent: nothing to look for later
            } finally {
                PipedriveUsage.recordWait(System.nanoTime() - started);
            }
        }
    }

    /**
     * Runs one request, but waits for it no longer than the time budget allows: the client's read timeout is fixed,
     * the budget is not. A request cut short this way counts as "no answer" (a create is then looked for before it
     * is tried again); its thread finishes or times out on its own.
     */
    private static Object withinBudget(String what, Supplier<?> call) {
        long remaining = TimeBudget.remainingMs();
        if (remaining == Long.MAX_VALUE) {
            return call.get();
        }
        Future<?> request = REQUESTS.submit(call::get);
        try {
            return request.get(Math.max(1, remaining - BUDGET_MARGIN_MS), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            request.cancel(true);
            throw PipedriveException.unreachable(what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.cancel(true);
            throw PipedriveException.unreachable(what, e);
        }
    }

    private Guard guard(int retries, java.util.function.Predicate<PipedriveException> retryable) {
        return Guard.create()
                .withRetry()
                .maxRetries(retries)
                .delay(250, ChronoUnit.MILLIS)
                .maxDuration(Math.max(1000, maxWaitMs * (retries + 1L)), ChronoUnit.MILLIS)
                .whenException(e -> e instanceof PipedriveException pe && retryable.test(pe))
                .withCustomBackoff().strategy(() -> new RateLimitAwareBackoff(maxWaitMs)).done()
                .done()
                .build();
    }

    /** Waits what Pipedrive asks for (plus jitter), else backs off exponentially from the initial delay. */
    static final class RateLimitAwareBackoff implements CustomBackoffStrategy {
        private final long maxWaitMs;
        private long next;

        RateLimitAwareBackoff(long maxWaitMs) {
            this.maxWaitMs = maxWaitMs;
        }

        @Override
        public void init(long initialDelayInMillis) {
            this.next = Math.max(50, initialDelayInMillis);
        }

        @Override
        public long nextDelayInMillis(Throwable exception) {
            long delay;
            if (exception instanceof PipedriveException pe && pe.retryAfter() != null) {
                delay = pe.retryAfter().toMillis();
            } else {
                delay = next;
                next = Math.min(next * 2, Duration.ofSeconds(2).toMillis());
            }
            // up to 10% (at most 200 ms) of jitter, so parallel invocations do not retry in lockstep
            long jitter = ThreadLocalRandom.current().nextLong(0, Math.max(1, Math.min(200, delay / 10)));
            long budget = Math.max(0, TimeBudget.remainingMs() - REQUEST_RESERVE_MS);
            long wait = Math.min(Math.min(maxWaitMs, budget), delay + jitter);
            PipedriveUsage.recordWait(TimeUnit.MILLISECONDS.toNanos(wait)); // the guard sleeps this long on this thread
            return wait;
        }
    }
}
