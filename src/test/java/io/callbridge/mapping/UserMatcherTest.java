package io.callbridge.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.callbridge.mapping.UserMatcher.SyncResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The matching rules, row by row. */
class UserMatcherTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2026-01-01T00:15:00Z");
    static final String API = UserMapping.SOURCE_API;

    static MyOperatorUser mo(String uuid, String email, String... phones) {
        return new MyOperatorUser(uuid, "u-" + uuid, "User " + uuid, email, List.of(phones), true);
    }

    static CrmUser pd(long id, String email) {
        return new CrmUser(id, "P" + id, email, true, false);
    }

    static UserMapping row(SyncResult r, String key) {
        return r.rows().stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void firstSyncMatchesByEmailAndReportsBothSidesUnmatched() {
        SyncResult r = UserMatcher.match(
                List.of(mo("a", "priya@example.com", "+919800000001"), mo("b", "nobody@example.com"), mo("c", null)),
                List.of(pd(1, "priya@example.com"), pd(2, "lonely@example.com")), List.of(), API, T0);

        UserMapping a = row(r, "a");
        assertEquals(1L, a.pipedriveUserId());
        assertEquals(UserMapping.MATCHED, a.status());
        assertEquals(List.of("+919800000001"), a.phones());
        assertEquals(T0, a.firstSeen());
        assertEquals(T0, a.lastSeen());
        assertTrue(a.myOperatorActive());
        assertEquals(UserMapping.UNMATCHED, row(r, "b").status());
        assertEquals("no Pipedrive user has this e-mail", row(r, "b").reason());
        assertEquals("no e-mail known for this MyOperator user", row(r, "c").reason());
        assertNull(row(r, "c").pipedriveUserId());
        SyncReport report = r.report();
        assertEquals(1, report.matched());
        assertEquals(2, report.unmatchedMyOperator());
        assertEquals(1, report.unmatchedPipedrive());
        assertTrue(report.entries().stream().anyMatch(e -> e.kind().equals(SyncReport.UNMATCHED_PIPEDRIVE)
                && e.pipedriveUserIds().equals(List.of(2L))), report::toString);
    }

    @Test
    void aUserAddedLaterIsMatchedAndTheOthersKeepTheirFirstSeen() {
        SyncResult first = UserMatcher.match(List.of(mo("a", "priya@example.com")), List.of(pd(1, "priya@example.com")),
                List.of(), API, T0);
        SyncResult second = UserMatcher.match(List.of(mo("a", "priya@example.com"), mo("b", "arjun@example.com")),
                List.of(pd(1, "priya@example.com"), pd(2, "arjun@example.com")), first.rows(), API, T1);
        assertEquals(T0, row(second, "a").firstSeen());
        assertEquals(T1, row(second, "a").lastSeen());
        assertEquals(2L, row(second, "b").pipedriveUserId());
        assertEquals(T1, row(second, "b").firstSeen());
        assertFalse(UserMatcher.changed(row(first, "a"), row(second, "a")), "only lastSeen moved");
        assertTrue(UserMatcher.changed(null, row(second, "b")));
    }

    @Test
    void anEmailChangedOnOneSideUnmatchesUntilTheOtherSideFollows() {
        SyncResult first = UserMatcher.match(List.of(mo("a", "priya@example.com")), List.of(pd(1, "priya@example.com")),
                List.of(), API, T0);
        SyncResult pdChanged = UserMatcher.match(List.of(mo("a", "priya@example.com")),
                List.of(pd(1, "priya.nair@example.com")), first.rows(), API, T1);
        assertNull(row(pdChanged, "a").pipedriveUserId());
        assertEquals(UserMapping.UNMATCHED, row(pdChanged, "a").status());
        assertTrue(UserMatcher.changed(row(first, "a"), row(pdChanged, "a")));
        SyncResult moChanged = UserMatcher.match(List.of(mo("a", "priya.nair@example.com")),
                List.of(pd(1, "priya.nair@example.com")), pdChanged.rows(), API, T1);
        assertEquals(1L, row(moChanged, "a").pipedriveUserId());
        assertEquals("priya.nair@example.com", row(moChanged, "a").email());
    }

    @Test
    void caseWhitespaceAndUnicodeCompatibilityFormsMatch() {
        SyncResult r = UserMatcher.match(
                List.of(mo("a", "  Kavya.Rao@Example.COM "), mo("b", "ｒｏｈａｎ@example.com")),
                List.of(pd(1, "kavya.rao@example.com\t"), pd(2, "Rohan@EXAMPLE.com")), List.of(), API, T0);
        assertEquals(1L, row(r, "a").pipedriveUserId());
        assertEquals("kavya.rao@example.com", row(r, "a").email());
        assertEquals(2L, row(r, "b").pipedriveUserId(), "full-width letters are NFKC-normalised");
    }

    @Test
    void aDisabledOrDeletedPipedriveUserIsNotMappedAndTheReasonSaysSo() {
        SyncResult r = UserMatcher.match(List.of(mo("a", "priya@example.com"), mo("b", "arjun@example.com")),
                List.of(new CrmUser(1, "Priya", "priya@example.com", false, false),
                        new CrmUser(2, "Arjun", "arjun@example.com", true, true)), List.of(), API, T0);
        assertNull(row(r, "a").pipedriveUserId());
        assertEquals(UserMapping.AMBIGUOUS, row(r, "a").status());
        assertTrue(row(r, "a").reason().contains("1 (deactivated)"), row(r, "a")::reason);
        assertEquals(Boolean.FALSE, row(r, "a").pipedriveActive());
        assertTrue(row(r, "b").reason().contains("2 (deleted)"), row(r, "b")::reason);
        assertEquals(2, r.report().ambiguous());
        assertEquals(0, r.report().unmatchedPipedrive(), "unusable Pipedrive users are not listed as unmatched");
    }

    @Test
    void anActiveUserWinsOverADisabledOneWithTheSameEmail() {
        SyncResult r = UserMatcher.match(List.of(mo("a", "priya@example.com")),
                List.of(new CrmUser(1, "Old Priya", "priya@example.com", false, false), pd(7, "Priya@example.com")),
                List.of(), API, T0);
        assertEquals(7L, row(r, "a").pipedriveUserId());
    }

    @Test
    void twoActivePipedriveUsersWithOneEmailAreAmbiguousNotGuessed() {
        SyncResult r = UserMatcher.match(List.of(mo("a", "sales@example.com")),
                List.of(pd(5, "sales@example.com"), pd(3, "SALES@example.com")), List.of(), API, T0);
        UserMapping a = row(r, "a");
        assertNull(a.pipedriveUserId());
        assertEquals(UserMapping.AMBIGUOUS, a.status());
        assertEquals("2 active Pipedrive users have this e-mail: 3, 5", a.reason());
        SyncReport.Entry e = r.report().entries().stream().filter(x -> x.kind().equals(SyncReport.AMBIGUOUS))
                .findFirst().orElseThrow();
        assertEquals(List.of(3L, 5L), e.pipedriveUserIds());
    }

    @Test
    void aUserWhoLeftMyOperatorIsKeptAndMarkedInactive() {
        SyncResult first = UserMatcher.match(List.of(mo("a", "priya@example.com"), mo("b", "arjun@example.com")),
                List.of(pd(1, "priya@example.com"), pd(2, "arjun@example.com")), List.of(), API, T0);
        SyncResult second = UserMatcher.match(List.of(mo("a", "priya@example.com")),
                List.of(pd(1, "priya@example.com"), pd(2, "arjun@example.com")), first.rows(), API, T1);
        UserMapping b = row(second, "b");
        assertFalse(b.myOperatorActive());
        assertEquals(2L, b.pipedriveUserId(), "the mapping is kept for calls still being replayed");
        assertEquals(T0, b.lastSeen());
        assertEquals(2, second.rows().size());
        assertEquals(1, second.report().inactive());
    }

    @Test
    void aUserDisabledInMyOperatorIsInactiveButStillMapped() {
        SyncResult r = UserMatcher.match(
                List.of(new MyOperatorUser("a", null, "Priya", "priya@example.com", List.of(), false)),
                List.of(pd(1, "priya@example.com")), List.of(), API, T0);
        assertFalse(row(r, "a").myOperatorActive());
        assertEquals(1L, row(r, "a").pipedriveUserId());
        assertEquals(1, r.report().inactive());
    }

    @Test
    void aUserListedWithoutEmailKeepsTheEmailAWebhookShowed() {
        UserMapping seen = new UserMapping("a", "a", null, "Kavya", "kavya@example.com", List.of("+919886007788"), null,
                UserMapping.SEEN, null, true, null, UserMapping.SOURCE_WEBHOOK, T0, T0);
        SyncResult r = UserMatcher.match(List.of(mo("a", null, "+919886007788")), List.of(pd(4, "Kavya@example.com")),
                List.of(seen), API, T1);
        assertEquals(4L, row(r, "a").pipedriveUserId());
        assertEquals(T0, row(r, "a").firstSeen());
    }

    @Test
    void usersWithoutAnyIdAreSkippedAndDuplicatesListedOnce() {
        SyncResult r = UserMatcher.match(List.of(new MyOperatorUser(null, null, "Ghost", "g@example.com", List.of(), true),
                mo("a", "priya@example.com"), mo("a", "other@example.com")), List.of(pd(1, "priya@example.com")),
                List.of(), API, T0);
        assertEquals(1, r.rows().size());
        assertEquals(1L, row(r, "a").pipedriveUserId());
    }
}
