package io.callbridge.processing;

import io.callbridge.call.CrmMatch;
import io.callbridge.ledger.KnownNumbers;
import io.callbridge.ledger.KnownNumbers.KnownNumber;
import io.callbridge.pipedrive.PipedrivePersonFinder;
import io.callbridge.pipedrive.PipedrivePersonFinder.Found;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds who a customer number belongs to in Pipedrive as cheaply as it can be done safely.
 *
 * <p>A person search costs 20 tokens and Pipedrive allows 10 per 2 seconds, so a number's person is remembered
 * ({@link KnownNumbers}) after a search that found exactly one person with it. The next call re-reads that person
 * (1 token) and uses it only if the person still exists and still has the number; Pipedrive's
 * {@code open_deals_count} then says whether there is an open deal at all, and the remembered deal is re-read
 * (1 token) when it is the only one. Anything else (the person merged, deleted or without the number, the deal
 * closed, several open deals) falls back to the full lookup. A remembered answer is only ever a shortcut to what
 * the search would find, and callers search again before creating anything on the strength of it.
 */
@ApplicationScoped
public class CallerLookup {
    /** What was found, and whether it came from a remembered person rather than a search. */
    public record Lookup(CrmMatch match, boolean remembered) {
    }

    private final KnownNumbers numbers;
    private final PipedrivePersonFinder finder;
    private final Clock clock;

    @Inject
    public CallerLookup(KnownNumbers numbers, PipedrivePersonFinder finder, Clock clock) {
        this.numbers = numbers;
        this.finder = finder;
        this.clock = clock;
    }

    /** The number's person and open deal: from the remembered person if it checks out, else by a search. */
    public Lookup find(String e164) {
        Optional<KnownNumber> known = numbers.find(e164, clock.instant());
        if (known.isPresent()) {
            KnownNumber k = known.get();
            Optional<CrmMatch> verified = finder.verify(k.personId(), k.dealId(), e164);
            if (verified.isPresent()) {
                CrmMatch match = verified.get();
                if (!Objects.equals(match.openDealId(), k.dealId())) {
                    numbers.remember(e164, new KnownNumber(k.personId(), match.openDealId(), k.searchedAt()));
                }
                return new Lookup(match, true);
            }
        }
        return search(e164, known.isPresent());
    }

    /** The number's person and open deal by a search, whatever is remembered (which is brought up to date). */
    public Lookup searchAgain(String e164) {
        return search(e164, true);
    }

    /** A person was created for the number: it is the one the next call should find. */
    public void personCreated(String e164, long personId, Long dealId) {
        numbers.remember(e164, new KnownNumber(personId, dealId, clock.instant()));
    }

    /** A deal was created for the number's person: remembered only if the person is the remembered one. */
    public void dealCreated(String e164, long personId, long dealId) {
        numbers.find(e164, clock.instant())
                .filter(k -> k.personId() == personId)
                .ifPresent(k -> numbers.remember(e164, new KnownNumber(personId, dealId, k.searchedAt())));
    }

    /** The remembered person or deal turned out to be gone: the next lookup searches. */
    public void forget(String e164) {
        numbers.forget(e164);
    }

    private Lookup search(String e164, boolean somethingRemembered) {
        Found found = finder.search(e164);
        CrmMatch match = found.match();
        if (match.hasPerson() && !found.shared()) {
            numbers.remember(e164, new KnownNumber(match.personId(), match.openDealId(), clock.instant()));
        } else if (somethingRemembered) {
            numbers.forget(e164); // nobody has the number any more, or several persons do: search every time
        }
        return new Lookup(match, false);
    }
}
