package io.callbridge.pipedrive;

import io.callbridge.call.CrmMatch;
import io.callbridge.call.PhoneNumbers;
import io.callbridge.pipedrive.PipedriveModels.Deal;
import io.callbridge.pipedrive.PipedriveModels.Person;
import io.callbridge.pipedrive.PipedriveModels.PersonHit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds who a number belongs to in Pipedrive, and their most recently updated open deal.
 *
 * <p>Pipedrive stores phones as typed ({@code 09876543210}, {@code +91 98765-43210}, {@code 0091...}), so an
 * exact search misses most of them. The finder searches loosely on the national significant number and keeps
 * only persons with a phone that normalises to the caller's E.164 number; a foreign number that merely contains
 * the same digits is dropped.
 *
 * <p>When several persons have the number (a shared switchboard, duplicates), the choice is deterministic:
 * the lowest person id among those with at least one open deal, else the lowest person id. One call always
 * gives one activity, never one per person.
 */
@ApplicationScoped
public class PipedrivePersonFinder {
    static final int MAX_CANDIDATES_INSPECTED = 10;

    private final PipedriveGateway gateway;
    private final PhoneNumbers phones;

    @Inject
    public PipedrivePersonFinder(PipedriveGateway gateway, PhoneNumbers phones) {
        this.gateway = gateway;
        this.phones = phones;
    }

    /** What a search of Pipedrive finds for a number, and whether more than one person has it. */
    public record Found(CrmMatch match, boolean shared) {
    }

    /** What Pipedrive holds for this E.164 number (one search, then the chosen person's open deals). */
    public CrmMatch find(String e164) {
        return search(e164).match();
    }

    /** Like {@link #find}, telling also whether several persons have the number. */
    public Found search(String e164) {
        List<Long> matching = personsWith(e164);
        Optional<Long> person = choose(matching);
        if (person.isEmpty()) {
            return new Found(CrmMatch.noPerson(), false);
        }
        CrmMatch match = openDealOf(person.get())
                .map(deal -> CrmMatch.personWithOpenDeal(person.get(), deal))
                .orElse(CrmMatch.personWithoutOpenDeal(person.get()));
        return new Found(match, matching.size() > 1);
    }

    /**
     * Checks a remembered person without searching: re-reads the person (1 token) and, unless Pipedrive counts no
     * open deal for them, finds the open deal (1 token when the remembered deal is their only open one, else the
     * deals list). Empty when the person was deleted or merged away, or no longer has the number.
     */
    public Optional<CrmMatch> verify(long personId, Long rememberedDealId, String e164) {
        Person p;
        try {
            p = gateway.person(personId, true);
        } catch (PipedriveException e) {
            if (e.notFound()) {
                return Optional.empty(); // merged into another person, deleted, or hidden from the token's user
            }
            throw e;
        }
        if (p == null || Boolean.TRUE.equals(p.isDeleted()) || !hasNumber(p, e164)) {
            return Optional.empty();
        }
        Integer open = p.openDealsCount();
        if (open != null && open == 0) {
            return Optional.of(CrmMatch.personWithoutOpenDeal(personId));
        }
        if (open != null && open == 1 && rememberedDealId != null) {
            Optional<Long> stillOpen = openDealById(rememberedDealId, personId);
            if (stillOpen.isPresent()) {
                return Optional.of(CrmMatch.personWithOpenDeal(personId, stillOpen.get()));
            }
        }
        return Optional.of(openDealOf(personId)
                .map(deal -> CrmMatch.personWithOpenDeal(personId, deal))
                .orElse(CrmMatch.personWithoutOpenDeal(personId)));
    }

    /** The person with this number, chosen as described above. */
    public Optional<Long> personFor(String e164) {
        return choose(personsWith(e164));
    }

    /** Ids of the persons with a phone that is this number, ascending (one loose search, filtered). */
    private List<Long> personsWith(String e164) {
        String term = phones.nationalSignificantNumber(e164);
        return gateway.searchPersonsByPhone(term).stream()
                .filter(p -> p.phones() != null && p.phones().stream().anyMatch(ph -> phones.sameNumber(ph, e164)))
                .map(PersonHit::id)
                .distinct()
                .sorted()
                .toList();
    }

    private Optional<Long> choose(List<Long> matching) {
        if (matching.size() <= 1) {
            return matching.stream().findFirst();
        }
        for (Long id : matching.subList(0, Math.min(MAX_CANDIDATES_INSPECTED, matching.size()))) {
            try {
                Person p = gateway.person(id, true);
                if (p != null && p.openDealsCount() != null && p.openDealsCount() > 0 && !Boolean.TRUE.equals(p.isDeleted())) {
                    return Optional.of(id);
                }
            } catch (PipedriveException e) {
                if (!e.notFound()) {
                    throw e;
                }
            }
        }
        return Optional.of(matching.get(0));
    }

    private boolean hasNumber(Person p, String e164) {
        return p.phones() != null && p.phones().stream().anyMatch(c -> c != null && phones.sameNumber(c.value(), e164));
    }

    /** The deal, if it is still an open, live deal of this person. */
    private Optional<Long> openDealById(long dealId, long personId) {
        try {
            Deal d = gateway.deal(dealId);
            return d != null && isOpenDealOf(d, personId) ? Optional.of(dealId) : Optional.empty();
        } catch (PipedriveException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean isOpenDealOf(Deal d, long personId) {
        return d.id() != null && "open".equals(d.status()) && !Boolean.TRUE.equals(d.isDeleted())
                && !Boolean.TRUE.equals(d.isArchived()) && (d.personId() == null || d.personId() == personId);
    }

    /**
     * A person with this number created in the last moments, found without the search index (which lags):
     * the newest persons, filtered by phone. Used to find a person whose create answer was lost.
     */
    public Optional<Long> recentlyCreatedPersonFor(String e164) {
        return gateway.newestPersons().stream()
                .filter(p -> p.id() != null && !Boolean.TRUE.equals(p.isDeleted()) && hasNumber(p, e164))
                .map(Person::id)
                .min(Long::compare);
    }

    /** The most recently updated open deal of a person (never won, lost, deleted or archived). */
    public Optional<Long> openDealOf(long personId) {
        return gateway.openDeals(personId).stream()
                .filter(d -> isOpenDealOf(d, personId))
                .max(Comparator.comparing((Deal d) -> d.updateTime() == null ? "" : d.updateTime())
                        .thenComparing(Deal::id))
                .map(Deal::id);
    }
}
