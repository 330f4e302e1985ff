package io.callbridge.mapping;

import java.util.List;

/**
 * A MyOperator user as the sync sees it: from the MyOperator API ({@code GET /user}) or, on plans without API
 * access, from what webhooks said about an agent.
 *
 * @param uuid    MyOperator's uuid (what v2 webhooks carry); null when unknown
 * @param userId  MyOperator's user_id (what v1 webhooks carry as {@code _id}); null when unknown
 * @param phones  E.164 where they could be normalised
 * @param enabled false when MyOperator says the user is disabled
 */
public record MyOperatorUser(String uuid, String userId, String name, String email, List<String> phones,
        boolean enabled) {

    public MyOperatorUser {
        phones = phones == null ? List.of() : phones.stream().filter(p -> p != null && !p.isBlank()).distinct().toList();
    }

    /** The row key: the uuid, else the user id. Null when the user has neither (such a user cannot be stored). */
    public String key() {
        return UserMapping.keyOf(uuid, userId);
    }
}
