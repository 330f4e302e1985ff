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

    /** What Pipedrive holds for this E.164 number. */
    public CrmMatch find(String e164) {
        Optional<Long> person = personFor(e164);
        if (person.isEmpty()) {
            return CrmMatch.noPerson();
        }
        return openDealOf(person.get())
                .map(deal -> CrmMatch.personWithOpenDeal(person.get(), deal))
                .orElse(CrmMatch.personWithoutOpenDeal(person.get()));
    }

    /** The person with this number, chosen as described above. */
    public Optional<Long> personFor(String e164) {
        String term = phones.nationalSignificantNumber(e164);
        List<Long> matching = gateway.searchPersonsByPhone(term).stream()
                .filter(p -> p.phones() != null && p.phones().stream().anyMatch(ph -> phones.sameNumber(ph, e164)))
                .map(PersonHit::id)
                .distinct()
                .sorted()
                .toList();
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

    /**
     * A person with this number created in the last moments, found without the search index (which lags):
     * the newest persons, filtered by phone. Used to find a person whose create answer was lost.
     */
    public Optional<Long> recentlyCreatedPersonFor(String e164) {
        return gateway.newestPersons().stream()
                .filter(p -> p.id() != null && !Boolean.TRUE.equals(p.isDeleted()) && p.phones() != null)
                .filter(p -> p.phones().stream().anyMatch(c -> c != null && phones.sameNumber(c.value(), e164)))
                .map(Person::id)
                .min(Long::compare);
    }

    /** The most recently updated open deal of a person (never won, lost, deleted or archived). */
    public Optional<Long> openDealOf(long personId) {
        return gateway.openDeals(personId).stream()
                .filter(d -> d.id() != null && "open".equals(d.status()))
                .filter(d -> !Boolean.TRUE.equals(d.isDeleted()) && !Boolean.TRUE.equals(d.isArchived()))
                .filter(d -> d.personId() == null || d.personId() == personId)
                .max(Comparator.comparing((Deal d) -> d.updateTime() == null ? "" : d.updateTime())
                        .thenComparing(Deal::id))
                .map(Deal::id);
    }
}
