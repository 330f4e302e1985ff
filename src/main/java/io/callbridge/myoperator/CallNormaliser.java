package io.callbridge.myoperator;

import io.callbridge.call.Agent;
import io.callbridge.call.PhoneNumbers;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/** Normalisation rules shared by both webhook families: phone numbers, times, agents. */
final class CallNormaliser {
    /** Nothing MyOperator sends can be older than this; an earlier time is a broken value. */
    static final Instant EARLIEST_START = Instant.parse("2015-01-01T00:00:00Z");
    static final Duration MAX_AHEAD = Duration.ofDays(1);
    static final Duration MAX_CALL_LENGTH = Duration.ofHours(24);

    /** 9999-12-31T23:59:59Z: epoch values above it are not times at all (and would overflow java.time). */
    private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(253_402_300_799L);

    /**
     * ISO-8601 with {@code T} (or a space), 0–9 fractional digits and an offset {@code Z}, {@code +00:00}
     * or {@code +0000}; a missing offset is read as UTC.
     */
    private static final DateTimeFormatter ISO_LENIENT = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
            .toFormatter();

    private final PhoneNumbers phones;
    private final Clock clock;

    CallNormaliser(PhoneNumbers phones, Clock clock) {
        this.phones = phones;
        this.clock = clock;
    }

    /** A raw number as received, with the country calling code that goes with it (null: default region). */
    record RawNumber(String raw, String countryCode) {
    }

    /**
     * The customer's number in E.164: the first candidate that normalises.
     *
     * @param fields the fields the candidates came from, for the "missing" message, e.g. {@code _cl/_cr}
     */
    String customerNumber(String fields, RawNumber... candidates) throws InvalidWebhookException {
        String firstGiven = null;
        for (RawNumber c : candidates) {
            if (c.raw() == null) {
                continue;
            }
            var e164 = phones.toE164(c.raw(), c.countryCode());
            if (e164.isPresent()) {
                return e164.get();
            }
            firstGiven = firstGiven == null ? c.raw() : firstGiven;
        }
        if (firstGiven == null) {
            throw new InvalidWebhookException("missing customer number (" + fields + ")");
        }
        throw new InvalidWebhookException("customer number " + JsonFields.quote(firstGiven) + " is not a phone number");
    }

    /** A company or agent number: E.164 when it normalises, otherwise as received (null when blank). */
    String phoneOrRaw(String raw) {
        return raw == null ? null : phones.toE164(raw).orElse(raw);
    }

    /** Epoch seconds (possibly fractional) as an instant; values beyond year 9999 or negative are invalid. */
    static Instant epochSeconds(BigDecimal seconds, String label) throws InvalidWebhookException {
        if (seconds.signum() < 0 || seconds.compareTo(MAX_EPOCH_SECONDS) > 0) {
            throw new InvalidWebhookException(label + " " + seconds.toPlainString() + " is not a valid time in epoch seconds");
        }
        return Instant.ofEpochSecond(seconds.longValue());
    }

    /** An ISO-8601 date-time (see {@link #ISO_LENIENT}). */
    static Instant isoInstant(String text, String label) throws InvalidWebhookException {
        try {
            return ISO_LENIENT.parse(text, OffsetDateTime::from).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidWebhookException(label + " " + JsonFields.quote(text) + " is not an ISO-8601 date-time");
        }
    }

    /** Rejects call times no real call has: too old, too far ahead, ending before it starts, too long. */
    void checkWindow(Instant start, String startLabel, Instant end, String endLabel) throws InvalidWebhookException {
        if (start.isBefore(EARLIEST_START)) {
            throw new InvalidWebhookException(startLabel + " (" + start + ") is before 2015-01-01");
        }
        if (start.isAfter(clock.instant().plus(MAX_AHEAD))) {
            throw new InvalidWebhookException(startLabel + " (" + start + ") is more than a day in the future");
        }
        if (end == null) {
            return;
        }
        if (end.isBefore(start)) {
            throw new InvalidWebhookException(endLabel + " (" + end + ") is before " + startLabel + " (" + start + ")");
        }
        if (Duration.between(start, end).compareTo(MAX_CALL_LENGTH) > 0) {
            throw new InvalidWebhookException("the call from " + startLabel + " (" + start + ") to " + endLabel
                    + " (" + end + ") is longer than 24 hours");
        }
    }

    /** Seconds as a talk time; null for values that cannot be a talk time (negative, over 24 hours). */
    static Duration talkSeconds(BigDecimal seconds) {
        if (seconds == null || seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_CALL_LENGTH.toSeconds())) > 0) {
            return null;
        }
        return Duration.ofSeconds(seconds.longValue());
    }

    /**
     * A duration MyOperator states in seconds: absent is null, but a negative one or one over 24 hours is refused
     * rather than quietly logged as "0 min" (the meaning would be a guess).
     */
    static Duration statedSeconds(BigDecimal seconds, String field) throws InvalidWebhookException {
        if (seconds == null) {
            return null;
        }
        Duration d = talkSeconds(seconds);
        if (d == null) {
            throw new InvalidWebhookException(field + " (" + seconds.toPlainString() + ") is "
                    + (seconds.signum() < 0 ? "negative" : "longer than 24 hours"));
        }
        return d;
    }

    /** An agent from its (already truncated) fields; null when the webhook named nothing about them. */
    static Agent agent(String id, String name, String email, String phone, String extension) {
        Agent agent = new Agent(id, name, email, phone, extension);
        boolean empty = agent.myOperatorId() == null && agent.name() == null && agent.email() == null
                && agent.phone() == null && agent.extension() == null;
        return empty ? null : agent;
    }

    /** De-duplicates by {@link Agent#sameAs}, keeping first-occurrence order and completing with later details. */
    static List<Agent> distinct(List<Agent> agents) {
        List<Agent> out = new ArrayList<>();
        for (Agent a : agents) {
            int i = indexOfSame(out, a);
            if (i < 0) {
                out.add(a);
            } else {
                out.set(i, out.get(i).completedWith(a));
            }
        }
        return out;
    }

    /** The agent completed with whatever the list knows about the same person. */
    static Agent completedFrom(Agent agent, List<Agent> known) {
        if (agent == null) {
            return null;
        }
        int i = indexOfSame(known, agent);
        return i < 0 ? agent : agent.completedWith(known.get(i));
    }

    private static int indexOfSame(List<Agent> agents, Agent a) {
        for (int i = 0; i < agents.size(); i++) {
            if (agents.get(i).sameAs(a)) {
                return i;
            }
        }
        return -1;
    }
}
