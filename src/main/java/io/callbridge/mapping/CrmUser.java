package io.callbridge.mapping;

/** A Pipedrive user as the sync sees it. */
public record CrmUser(long id, String name, String email, boolean active, boolean deleted) {

    public boolean usable() {
        return active && !deleted;
    }

    String state() {
        return deleted ? "deleted" : (active ? "active" : "deactivated");
    }
}
