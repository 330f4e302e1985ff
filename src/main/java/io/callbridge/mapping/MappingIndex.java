package io.callbridge.mapping;

import io.callbridge.call.Emails;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The mapping rows indexed for the webhook's owner lookup: by e-mail, by MyOperator id (uuid or user id), by phone. */
public final class MappingIndex {
    public static final MappingIndex EMPTY = new MappingIndex(List.of());

    private final List<UserMapping> rows;
    private final Map<String, List<UserMapping>> byEmail = new HashMap<>();
    private final Map<String, UserMapping> byId = new HashMap<>();
    private final Map<String, List<UserMapping>> byPhone = new HashMap<>();

    public MappingIndex(List<UserMapping> rows) {
        this.rows = List.copyOf(rows);
        for (UserMapping r : rows) {
            if (r.email() != null) {
                byEmail.computeIfAbsent(Emails.normalise(r.email()), k -> new ArrayList<>()).add(r);
            }
            if (r.uuid() != null) {
                byId.put(r.uuid(), r);
            }
            if (r.userId() != null) {
                byId.putIfAbsent(r.userId(), r);
            }
            for (String p : r.phones()) {
                byPhone.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
            }
        }
    }

    public List<UserMapping> rows() {
        return rows;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The rows with this (normalised) e-mail. */
    public List<UserMapping> byEmail(String email) {
        String e = Emails.normalise(email);
        return e == null ? List.of() : byEmail.getOrDefault(e, List.of());
    }

    public Optional<UserMapping> byId(String myOperatorId) {
        return myOperatorId == null ? Optional.empty() : Optional.ofNullable(byId.get(myOperatorId));
    }

    /** The rows with this phone (several when agents share a line: then the phone decides nothing). */
    public List<UserMapping> byPhone(String phone) {
        return phone == null ? List.of() : byPhone.getOrDefault(phone, List.of());
    }
}
