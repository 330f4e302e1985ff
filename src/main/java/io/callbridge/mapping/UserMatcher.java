package io.callbridge.mapping;

import io.callbridge.call.Emails;

import io.callbridge.mapping.SyncReport.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Matches MyOperator users to Pipedrive users by e-mail ({@link Emails#normalise}: trimmed, NFKC, lower case).
 * Pure: the same inputs give the same rows and report.
 * <ul>
 * <li>exactly one active Pipedrive user with the e-mail: matched;</li>
 * <li>several active Pipedrive users with the e-mail: ambiguous, not mapped (the call goes to the fallback owner
 * rather than to a guess);</li>
 * <li>only deactivated or deleted Pipedrive users with it: ambiguous, not mapped, the reason names them;</li>
 * <li>none, or no e-mail: unmatched;</li>
 * <li>a MyOperator user of the previous mapping who is no longer listed: kept, marked inactive (left).</li>
 * </ul>
 * A user without an e-mail keeps the e-mail the previous mapping knew (e.g. seen in a webhook).
 */
public final class UserMatcher {

    /** The new mapping and what the sync found. Rows are sorted by key. */
    public record SyncResult(List<UserMapping> rows, SyncReport report) {
    }

    private UserMatcher() {
    }

    public static SyncResult match(List<MyOperatorUser> myOperatorUsers, List<CrmUser> pipedriveUsers,
            List<UserMapping> previous, String source, Instant now) {
        Map<String, UserMapping> before = new HashMap<>();
        for (UserMapping p : previous) {
            before.put(p.key(), p);
        }
        Map<String, List<CrmUser>> byEmail = new HashMap<>();
        for (CrmUser u : pipedriveUsers) {
            String e = Emails.normalise(u.email());
            if (e != null) {
                byEmail.computeIfAbsent(e, k -> new ArrayList<>()).add(u);
            }
        }
        Map<String, MyOperatorUser> listed = new LinkedHashMap<>();
        for (MyOperatorUser u : myOperatorUsers) {
            if (u.key() != null) {
                listed.merge(u.key(), u, (a, b) -> a); // first listing wins on duplicates
            }
        }

        List<UserMapping> rows = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        Set<Long> mappedPipedrive = new HashSet<>();
        int matched = 0;
        int unmatched = 0;
        int ambiguous = 0;
        int inactive = 0;
        for (MyOperatorUser u : listed.values()) {
            UserMapping old = before.get(u.key());
            String email = Emails.normalise(u.email());
            if (email == null && old != null) {
                email = old.email();
            }
            Set<String> phones = new LinkedHashSet<>(u.phones());
            Instant firstSeen = old != null && old.firstSeen() != null ? old.firstSeen() : now;
            String uuid = u.uuid() != null ? u.uuid() : (old != null ? old.uuid() : null);
            String userId = u.userId() != null ? u.userId() : (old != null ? old.userId() : null);
            String name = u.name() != null ? u.name() : (old != null ? old.name() : null);

            Long pipedriveId = null;
            Boolean pipedriveActive = null;
            String status;
            String reason = null;
            List<CrmUser> candidates = email == null ? List.of()
                    : byEmail.getOrDefault(email, List.of()).stream().sorted(Comparator.comparingLong(CrmUser::id))
                            .toList();
            List<CrmUser> usable = candidates.stream().filter(CrmUser::usable).toList();
            List<Long> ids = candidates.stream().map(CrmUser::id).toList();
            if (email == null) {
                status = UserMapping.UNMATCHED;
                reason = "no e-mail known for this MyOperator user";
            } else if (usable.size() == 1) {
                status = UserMapping.MATCHED;
                pipedriveId = usable.get(0).id();
                pipedriveActive = true;
            } else if (usable.size() > 1) {
                status = UserMapping.AMBIGUOUS;
                reason = usable.size() + " active Pipedrive users have this e-mail: "
                        + usable.stream().map(c -> String.valueOf(c.id())).collect(Collectors.joining(", "));
            } else if (!candidates.isEmpty()) {
                status = UserMapping.AMBIGUOUS;
                reason = "the Pipedrive user with this e-mail is not usable: " + candidates.stream()
                        .map(c -> c.id() + " (" + c.state() + ")").collect(Collectors.joining(", "));
                pipedriveActive = false;
            } else {
                status = UserMapping.UNMATCHED;
                reason = "no Pipedrive user has this e-mail";
            }
            switch (status) {
                case UserMapping.MATCHED -> {
                    matched++;
                    mappedPipedrive.add(pipedriveId);
                    entries.add(new Entry(SyncReport.MATCHED, u.key(), email, List.of(pipedriveId), null));
                }
                case UserMapping.AMBIGUOUS -> {
                    ambiguous++;
                    entries.add(new Entry(SyncReport.AMBIGUOUS, u.key(), email, ids, reason));
                }
                default -> {
                    unmatched++;
                    entries.add(new Entry(SyncReport.UNMATCHED_MYOPERATOR, u.key(), email, List.of(), reason));
                }
            }
            if (!u.enabled()) {
                inactive++;
                entries.add(new Entry(SyncReport.INACTIVE, u.key(), email, ids, "disabled in MyOperator"));
            }
            rows.add(new UserMapping(u.key(), uuid, userId, name, email, List.copyOf(phones), pipedriveId, status,
                    reason, u.enabled(), pipedriveActive, source, firstSeen, now));
        }
        // Users who left MyOperator: kept (past calls may still be replayed), marked inactive.
        for (UserMapping old : previous) {
            if (!listed.containsKey(old.key())) {
                inactive++;
                entries.add(new Entry(SyncReport.INACTIVE, old.key(), old.email(),
                        old.pipedriveUserId() == null ? List.of() : List.of(old.pipedriveUserId()),
                        "no longer listed by MyOperator"));
                rows.add(old.myOperatorActive()
                        ? new UserMapping(old.key(), old.uuid(), old.userId(), old.name(), old.email(), old.phones(),
                                old.pipedriveUserId(), old.status(), old.reason(), false, old.pipedriveActive(),
                                old.source(), old.firstSeen(), old.lastSeen())
                        : old);
            }
        }
        int unmatchedPipedrive = 0;
        for (CrmUser p : pipedriveUsers.stream().sorted(Comparator.comparingLong(CrmUser::id)).toList()) {
            if (p.usable() && !mappedPipedrive.contains(p.id())) {
                unmatchedPipedrive++;
                entries.add(new Entry(SyncReport.UNMATCHED_PIPEDRIVE, null, Emails.normalise(p.email()),
                        List.of(p.id()), "no MyOperator user has this e-mail"));
            }
        }
        rows.sort(Comparator.comparing(UserMapping::key));
        SyncReport report = new SyncReport(true, null, source, now, now, now, listed.size(), pipedriveUsers.size(),
                matched, unmatched, unmatchedPipedrive, ambiguous, inactive, 0, entries);
        return new SyncResult(rows, report);
    }

    /** Whether two rows differ in anything but lastSeen (which every sync moves): only changed rows are written. */
    public static boolean changed(UserMapping before, UserMapping after) {
        if (before == null) {
            return true;
        }
        return !Objects.equals(before.uuid(), after.uuid()) || !Objects.equals(before.userId(), after.userId())
                || !Objects.equals(before.name(), after.name()) || !Objects.equals(before.email(), after.email())
                || !Objects.equals(new HashSet<>(before.phones()), new HashSet<>(after.phones()))
                || !Objects.equals(before.pipedriveUserId(), after.pipedriveUserId())
                || !Objects.equals(before.status(), after.status()) || !Objects.equals(before.reason(), after.reason())
                || before.myOperatorActive() != after.myOperatorActive()
                || !Objects.equals(before.pipedriveActive(), after.pipedriveActive())
                || !Objects.equals(before.source(), after.source());
    }
}
