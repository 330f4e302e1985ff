package io.callbridge.processing;

import io.callbridge.call.Agent;
import io.callbridge.call.Call;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.ledger.UserMappingStore;
import io.callbridge.ledger.UserMappingStore.Stored;
import io.callbridge.call.Emails;
import io.callbridge.mapping.MappingIndex;
import io.callbridge.mapping.UserMapping;
import io.callbridge.pipedrive.OwnerChoice;
import io.callbridge.pipedrive.PipedriveOwners;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Chooses the owner of a call from the user mapping, in this order: the agent's e-mail in the mapping
 * ({@code mapped-by-email}), the agent's MyOperator id ({@code mapped-by-id}), the agent's phone
 * ({@code mapped-by-phone}); then what {@link PipedriveOwners} does without a mapping (a direct Pipedrive users lookup
 * by e-mail, the default owner e-mail, the token's user). A row known only from webhooks (no sync yet) gives its
 * e-mail to the direct lookup, so a payload without e-mail still finds its owner. An agent the mapping calls
 * ambiguous (two Pipedrive users with one e-mail, a disabled user) gets the fallback owner, not a guess.
 * <p>
 * The mapping is cached per warm instance for {@code CALLBRIDGE_MAPPING_CACHE_SECONDS}; a cold start reads it once.
 * A mapping that cannot be read never fails or delays a call: the rules without mapping apply.
 * <p>
 * {@link #noteAgents} keeps what webhooks say about agents (id, name, e-mail, phone) in the mapping, writing only
 * when the cached mapping does not know it yet, so plans without MyOperator API access map by id and phone too.
 */
@ApplicationScoped
public class OwnerResolver {
    private static final Logger LOG = Logger.getLogger(OwnerResolver.class);
    public static final String BY_EMAIL = "mapped-by-email";
    public static final String BY_ID = "mapped-by-id";
    public static final String BY_PHONE = "mapped-by-phone";

    private final UserMappingStore store;
    private final PipedriveOwners owners;
    private final Duration cacheFor;
    private final Clock clock;
    private volatile MappingIndex index;
    private volatile Instant loadedAt = Instant.EPOCH;

    @Inject
    public OwnerResolver(UserMappingStore store, PipedriveOwners owners, CallbridgeConfig config, Clock clock) {
        this.store = store;
        this.owners = owners;
        this.cacheFor = Duration.ofSeconds(config.mappingCacheSeconds());
        this.clock = clock;
    }

    public OwnerChoice ownerFor(Agent agent) {
        MappingIndex m = mapping();
        if (agent == null || m.isEmpty()) {
            return owners.ownerFor(agent);
        }
        String email = Emails.normalise(agent.email());
        boolean ambiguous = false;
        for (UserMapping row : m.byEmail(email)) {
            if (row.pipedriveUserId() != null) {
                return new OwnerChoice(row.pipedriveUserId(), BY_EMAIL);
            }
            ambiguous |= UserMapping.AMBIGUOUS.equals(row.status());
        }
        Optional<UserMapping> byId = m.byId(agent.myOperatorId());
        if (byId.isPresent()) {
            Optional<OwnerChoice> o = viaRow(byId.get(), email, BY_ID);
            if (o.isPresent()) {
                return o.get();
            }
            ambiguous |= UserMapping.AMBIGUOUS.equals(byId.get().status());
        }
        List<UserMapping> byPhone = m.byPhone(agent.phone());
        if (!ambiguous && byPhone.size() == 1) {
            Optional<OwnerChoice> o = viaRow(byPhone.get(0), email, BY_PHONE);
            if (o.isPresent()) {
                return o.get();
            }
            ambiguous = UserMapping.AMBIGUOUS.equals(byPhone.get(0).status());
        } else if (!ambiguous && byPhone.size() > 1) {
            Set<Long> ids = new LinkedHashSet<>();
            byPhone.forEach(r -> ids.add(r.pipedriveUserId()));
            if (ids.size() == 1 && !ids.contains(null)) {
                return new OwnerChoice(ids.iterator().next(), BY_PHONE); // a shared line of one Pipedrive user
            }
        }
        return ambiguous ? owners.fallback() : owners.ownerFor(agent);
    }

    /** The row's Pipedrive user, else (a row seen in webhooks only) the active user with the row's e-mail. */
    private Optional<OwnerChoice> viaRow(UserMapping row, String payloadEmail, String rule) {
        if (row.pipedriveUserId() != null) {
            return Optional.of(new OwnerChoice(row.pipedriveUserId(), rule));
        }
        if (UserMapping.AMBIGUOUS.equals(row.status()) || row.email() == null || row.email().equals(payloadEmail)) {
            return Optional.empty(); // the payload's own e-mail is tried by the direct lookup anyway
        }
        return owners.activeUserByEmail(row.email()).map(id -> new OwnerChoice(id, rule));
    }

    /** Records the call's agents in the mapping when the cached mapping does not know them yet. Never throws. */
    public void noteAgents(Call call) {
        try {
            MappingIndex m = mapping();
            List<Agent> agents = new ArrayList<>(call.agentsTried());
            if (call.answeredBy() != null) {
                agents.add(call.answeredBy());
            }
            boolean wrote = false;
            for (Agent a : agents) {
                if (a == null || a.myOperatorId() == null) {
                    continue;
                }
                String email = Emails.normalise(a.email());
                String phone = a.phone() != null && a.phone().startsWith("+") ? a.phone() : null;
                Optional<UserMapping> known = m.byId(a.myOperatorId());
                if (known.isPresent() && knows(known.get(), a, email, phone)) {
                    continue;
                }
                wrote |= upsertSeen(a, email, phone);
            }
            if (wrote) {
                forget();
            }
        } catch (RuntimeException e) {
            LOG.warnf("The agents of call %s could not be noted in the user mapping (%s)", call.callKey(),
                    e.getMessage());
        }
    }

    private static boolean knows(UserMapping row, Agent a, String email, String phone) {
        return (email == null || email.equals(row.email())) && (phone == null || row.phones().contains(phone))
                && (a.name() == null || row.name() != null);
    }

    private boolean upsertSeen(Agent a, String email, String phone) {
        String key = UserMapping.keyOf(a.myOperatorId(), null);
        Instant now = clock.instant();
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<Stored> stored = store.find(key);
            UserMapping row;
            if (stored.isEmpty()) {
                row = new UserMapping(key, a.myOperatorId(), null, a.name(), email,
                        phone == null ? List.of() : List.of(phone), null, UserMapping.SEEN,
                        "seen in a webhook; not matched by a sync yet", true, null, UserMapping.SOURCE_WEBHOOK, now, now);
            } else {
                UserMapping old = stored.get().row();
                Set<String> phones = new LinkedHashSet<>(old.phones());
                if (phone != null) {
                    phones.add(phone);
                }
                boolean emailChanged = email != null && !email.equals(old.email());
                row = new UserMapping(old.key(), old.uuid(), old.userId(), old.name() != null ? old.name() : a.name(),
                        email != null ? email : old.email(), List.copyOf(phones),
                        emailChanged ? null : old.pipedriveUserId(),
                        emailChanged ? UserMapping.SEEN : old.status(),
                        emailChanged ? "e-mail changed in a webhook; the next sync matches it again" : old.reason(),
                        old.myOperatorActive(), emailChanged ? null : old.pipedriveActive(), old.source(),
                        old.firstSeen(), old.lastSeen());
                if (row.equals(old)) {
                    return false;
                }
            }
            if (store.put(row, stored.map(Stored::version).orElse(0L))) {
                return true;
            }
        }
        return false;
    }

    /** Drops the cached mapping (after a sync, or after noting a new agent). */
    public void forget() {
        loadedAt = Instant.EPOCH;
        index = null;
    }

    /** The mapping, from the cache when fresh; the last one read (or none) when it cannot be read. */
    public MappingIndex mapping() {
        Instant now = clock.instant();
        MappingIndex cached = index;
        if (cached != null && now.isBefore(loadedAt.plus(cacheFor))) {
            return cached;
        }
        try {
            MappingIndex fresh = new MappingIndex(store.all().stream().map(Stored::row).filter(Objects::nonNull).toList());
            index = fresh;
            loadedAt = now;
            return fresh;
        } catch (RuntimeException e) {
            LOG.warnf("The user mapping could not be read (%s); owners are chosen without it", e.getMessage());
            return cached != null ? cached : MappingIndex.EMPTY;
        }
    }
}
