package io.callbridge.processing;

import io.callbridge.ledger.UserMappingStore;
import io.callbridge.ledger.UserMappingStore.Stored;
import io.callbridge.mapping.CrmUser;
import io.callbridge.mapping.MyOperatorUser;
import io.callbridge.mapping.SyncReport;
import io.callbridge.mapping.UserMapping;
import io.callbridge.mapping.UserMatcher;
import io.callbridge.mapping.UserMatcher.SyncResult;
import io.callbridge.myoperator.MyOperatorDirectory;
import io.callbridge.myoperator.MyOperatorException;
import io.callbridge.pipedrive.PipedriveException;
import io.callbridge.pipedrive.PipedriveOwners;
import io.callbridge.pipedrive.PipedriveModels.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The user sync: reads every MyOperator user (the API, or on plans without API access the agents seen in webhooks)
 * and every Pipedrive user, matches them ({@link UserMatcher}) and stores the changed rows and the report.
 * All or nothing: when either side fails (an error, a failing page, a 429, an empty list where there were users),
 * no row is written; the report says why and the previous mapping stays in use.
 */
@ApplicationScoped
public class UserSyncService {
    private static final Logger LOG = Logger.getLogger(UserSyncService.class);
    /** An unchanged row is rewritten only this often, to move its lastSeen without a write per row and run. */
    static final Duration LAST_SEEN_PRECISION = Duration.ofDays(1);

    private final MyOperatorDirectory myOperator;
    private final PipedriveOwners pipedriveOwners;
    private final UserMappingStore store;
    private final OwnerResolver owners;
    private final Clock clock;

    @Inject
    public UserSyncService(MyOperatorDirectory myOperator, PipedriveOwners pipedriveOwners, UserMappingStore store,
            OwnerResolver owners, Clock clock) {
        this.myOperator = myOperator;
        this.pipedriveOwners = pipedriveOwners;
        this.store = store;
        this.owners = owners;
        this.clock = clock;
    }

    public synchronized SyncReport sync() {
        Instant started = clock.instant();
        List<Stored> stored = store.all();
        Instant lastSuccess = store.lastReport().map(SyncReport::lastSuccessAt).orElse(null);
        List<UserMapping> previous = stored.stream().map(Stored::row).toList();
        boolean api = myOperator.configured();
        String source = api ? UserMapping.SOURCE_API : UserMapping.SOURCE_WEBHOOK;
        List<MyOperatorUser> myOperatorUsers;
        List<CrmUser> pipedriveUsers;
        try {
            myOperatorUsers = api ? myOperator.users() : previous.stream().map(UserMapping::asUser).toList();
            if (api && myOperatorUsers.isEmpty() && !previous.isEmpty()) {
                throw new MyOperatorException(0, "MyOperator listed no users, the mapping has " + previous.size());
            }
            pipedriveUsers = pipedriveOwners.reload().stream().filter(u -> u.id() != null).map(UserSyncService::crmUser)
                    .toList();
            if (pipedriveUsers.isEmpty()) {
                throw new PipedriveException(0, null, "Pipedrive listed no users", null, false);
            }
        } catch (MyOperatorException | PipedriveException e) {
            return failed(e.getMessage(), source, started, lastSuccess);
        } catch (RuntimeException e) {
            LOG.error("User sync failed", e);
            return failed("unexpected " + e.getClass().getSimpleName(), source, started, lastSuccess);
        }

        SyncResult result = UserMatcher.match(myOperatorUsers, pipedriveUsers, previous, source, started);
        Map<String, Stored> before = new HashMap<>();
        stored.forEach(s -> before.put(s.row().key(), s));
        int written = 0;
        int conflicts = 0;
        for (UserMapping row : result.rows()) {
            Stored old = before.get(row.key());
            boolean stale = old != null && (old.row().lastSeen() == null
                    || old.row().lastSeen().plus(LAST_SEEN_PRECISION).isBefore(row.lastSeen()));
            if (old == null || stale || UserMatcher.changed(old.row(), row)) {
                if (store.put(row, old == null ? 0 : old.version())) {
                    written++;
                } else {
                    conflicts++;
                }
            }
        }
        Instant finished = clock.instant();
        SyncReport report = result.report().withRun(true,
                conflicts == 0 ? null : conflicts + " row(s) changed during the sync (a webhook); the next run takes them",
                source, started, finished, finished, written);
        store.saveReport(report);
        owners.forget();
        LOG.infof("User sync (%s): %d matched, %d unmatched MyOperator, %d unmatched Pipedrive, %d ambiguous, "
                + "%d inactive; %d row(s) written", source, report.matched(), report.unmatchedMyOperator(),
                report.unmatchedPipedrive(), report.ambiguous(), report.inactive(), written);
        return report;
    }

    private SyncReport failed(String why, String source, Instant started, Instant lastSuccess) {
        SyncReport report = SyncReport.failed(why, source, started, clock.instant(), lastSuccess);
        LOG.warnf("User sync failed, the previous mapping is kept: %s", why);
        store.saveReport(report);
        return report;
    }

    private static CrmUser crmUser(User u) {
        return new CrmUser(u.id(), u.name(), u.email(), !Boolean.FALSE.equals(u.activeFlag()),
                Boolean.TRUE.equals(u.isDeleted()));
    }
}
