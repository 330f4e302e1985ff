package io.callbridge.pipedrive;

import io.callbridge.call.Agent;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.call.Emails;
import io.callbridge.pipedrive.PipedriveModels.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Chooses the owner of a call: the Pipedrive user with the agent's e-mail (trimmed, case-insensitive,
 * active and not deleted), else the user of {@code CALLBRIDGE_DEFAULT_OWNER_EMAIL}, else the token's user.
 * The users list is reused for {@code CALLBRIDGE_USERS_CACHE_SECONDS}, in memory and through a copy shared by all
 * function instances ({@link UserListCache}, refreshed by every read and by the user sync), so a cold instance
 * does not spend 20 tokens on it. An unknown agent, or a users list that cannot be read, never fails a call: the
 * fallback owner takes it.
 * Only when the shared rate limiter holds the list's request back (and no earlier list is cached) the call is
 * parked instead, as its other requests would be.
 */
@ApplicationScoped
public class PipedriveOwners {
    private static final Logger LOG = Logger.getLogger(PipedriveOwners.class);

    private final PipedriveGateway gateway;
    private final UserListCache shared;
    private final Optional<String> defaultOwnerEmail;
    private final Duration cacheFor;
    private final Clock clock;
    private volatile List<User> users;
    private volatile Instant loadedAt = Instant.EPOCH;

    @Inject
    public PipedriveOwners(PipedriveGateway gateway, UserListCache shared, CallbridgeConfig config) {
        this(gateway, shared, config.defaultOwnerEmail(), Duration.ofSeconds(config.usersCacheSeconds()),
                Clock.systemUTC());
    }

    PipedriveOwners(PipedriveGateway gateway, UserListCache shared, Optional<String> defaultOwnerEmail,
            Duration cacheFor, Clock clock) {
        this.gateway = gateway;
        this.shared = shared;
        this.defaultOwnerEmail = defaultOwnerEmail.map(Emails::normalise);
        this.cacheFor = cacheFor;
        this.clock = clock;
    }

    public OwnerChoice ownerFor(Agent agent) {
        List<User> all = users();
        String email = agent == null ? null : agent.normalisedEmail();
        if (email != null) {
            Optional<User> match = byEmail(all, email);
            if (match.isPresent()) {
                return new OwnerChoice(match.get().id(), "agent-email");
            }
        }
        return fallback(all);
    }

    /** The owner when the agent gives no usable hint: the default owner e-mail's user, else the token's user. */
    public OwnerChoice fallback() {
        return fallback(users());
    }

    /** The active Pipedrive user with this e-mail (the lowest id when several have it). */
    public Optional<Long> activeUserByEmail(String email) {
        String e = Emails.normalise(email);
        return e == null ? Optional.empty() : byEmail(users(), e).map(User::id);
    }

    private OwnerChoice fallback(List<User> all) {
        if (defaultOwnerEmail.isPresent()) {
            Optional<User> fallback = byEmail(all, defaultOwnerEmail.get());
            if (fallback.isPresent()) {
                return new OwnerChoice(fallback.get().id(), "default-owner-email");
            }
            if (!all.isEmpty()) {
                LOG.warnf("CALLBRIDGE_DEFAULT_OWNER_EMAIL matches no active Pipedrive user; using the API token's user");
            }
        }
        return all.stream().filter(u -> Boolean.TRUE.equals(u.isYou()) && u.usable()).findFirst()
                .map(u -> new OwnerChoice(u.id(), "token-user"))
                .orElse(new OwnerChoice(null, "pipedrive-default"));
    }


    private static Optional<User> byEmail(List<User> all, String email) {
        // Deterministic when two users share an e-mail: the lowest id (the older account).
        return all.stream().filter(User::usable).filter(u -> email.equals(Emails.normalise(u.email())))
                .min((a, b) -> Long.compare(a.id(), b.id()));
    }

    /** Reads the users list from Pipedrive now and shares it with the other instances (the user sync does this). */
    public List<User> reload() {
        Instant now = clock.instant();
        List<User> fresh = gateway.users();
        users = fresh;
        loadedAt = now;
        shared.store(new UserListCache.Snapshot(fresh, now));
        return fresh;
    }

    private List<User> users() {
        Instant now = clock.instant();
        List<User> cached = users;
        if (cached != null && now.isBefore(loadedAt.plus(cacheFor))) {
            return cached;
        }
        if (!cacheFor.isZero()) {
            Optional<UserListCache.Snapshot> copy = shared.load().filter(c -> now.isBefore(c.readAt().plus(cacheFor)));
            if (copy.isPresent()) {
                users = copy.get().users();
                loadedAt = copy.get().readAt();
                return users;
            }
        }
        try {
            return reload();
        } catch (PipedriveException e) {
            if (e.paced() && cached == null) {
                // Held back by the rate limiter: the call's next requests would be too, so it is parked anyway; a
                // fallback owner now would be a wrong guess that the replay, with the list, avoids.
                throw e;
            }
            LOG.warnf("Pipedrive users could not be read (%s); the call gets the fallback owner", e.getMessage());
            return cached != null ? cached : List.of();
        }
    }
}
