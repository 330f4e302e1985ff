package io.callbridge.pipedrive;

import io.callbridge.pipedrive.PipedriveModels.User;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A copy of Pipedrive's users list shared by all function instances, so a cold instance does not spend 20 tokens
 * on {@code GET /v1/users} when another instance (or the user sync) read it a moment ago.
 */
public interface UserListCache {

    /** A list read from Pipedrive, and when. */
    record Snapshot(List<User> users, Instant readAt) {
    }

    /** The last stored list, if any. */
    Optional<Snapshot> load();

    /** Stores a list just read from Pipedrive. Never throws: without the copy, instances read Pipedrive. */
    void store(Snapshot snapshot);
}
