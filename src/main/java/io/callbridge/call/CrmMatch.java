package io.callbridge.call;

/**
 * What Pipedrive holds for the caller's number, reduced to what the decision needs.
 *
 * @param personId   the matching person, or null when no person has the number
 * @param openDealId the person's most recently updated open deal, or null
 */
public record CrmMatch(Long personId, Long openDealId) {
    public CrmMatch {
        if (personId == null && openDealId != null) {
            throw new IllegalArgumentException("an open deal needs a person");
        }
    }

    public static CrmMatch noPerson() {
        return new CrmMatch(null, null);
    }

    public static CrmMatch personWithoutOpenDeal(long personId) {
        return new CrmMatch(personId, null);
    }

    public static CrmMatch personWithOpenDeal(long personId, long dealId) {
        return new CrmMatch(personId, dealId);
    }

    public boolean hasPerson() {
        return personId != null;
    }

    public boolean hasOpenDeal() {
        return openDealId != null;
    }
}
