package io.callbridge.mapping;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/**
 * What a sync found. On failure ({@code ok == false}) the mapping was left as it was, and {@code failure} says why.
 *
 * @param myOperatorSource {@code myoperator-api}, or {@code webhook} when there is no MyOperator API access
 * @param lastSuccessAt    the last sync that changed (or confirmed) the mapping; kept across failed runs
 */
@RegisterForReflection
public record SyncReport(boolean ok, String failure, String myOperatorSource, Instant startedAt, Instant finishedAt,
        Instant lastSuccessAt, int myOperatorUsers, int pipedriveUsers, int matched, int unmatchedMyOperator,
        int unmatchedPipedrive, int ambiguous, int inactive, int rowsWritten, List<Entry> entries) {

    public static final String MATCHED = "matched";
    public static final String UNMATCHED_MYOPERATOR = "unmatched-myoperator";
    public static final String UNMATCHED_PIPEDRIVE = "unmatched-pipedrive";
    public static final String AMBIGUOUS = "ambiguous";
    public static final String INACTIVE = "inactive";

    public SyncReport {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /**
     * One finding.
     *
     * @param kind              {@link #MATCHED}, {@link #UNMATCHED_MYOPERATOR}, {@link #UNMATCHED_PIPEDRIVE},
     *                          {@link #AMBIGUOUS}, {@link #INACTIVE}
     * @param pipedriveUserIds  the Pipedrive users involved
     */
    @RegisterForReflection
    public record Entry(String kind, String myOperatorKey, String email, List<Long> pipedriveUserIds, String reason) {
    }

    public SyncReport withRun(boolean ok, String failure, String source, Instant startedAt, Instant finishedAt,
            Instant lastSuccessAt, int rowsWritten) {
        return new SyncReport(ok, failure, source, startedAt, finishedAt, lastSuccessAt, myOperatorUsers,
                pipedriveUsers, matched, unmatchedMyOperator, unmatchedPipedrive, ambiguous, inactive, rowsWritten,
                entries);
    }

    public static SyncReport failed(String failure, String source, Instant startedAt, Instant finishedAt,
            Instant lastSuccessAt) {
        return new SyncReport(false, failure, source, startedAt, finishedAt, lastSuccessAt, 0, 0, 0, 0, 0, 0, 0, 0,
                List.of());
    }
}
