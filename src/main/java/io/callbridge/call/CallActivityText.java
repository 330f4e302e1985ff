package io.callbridge.call;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a call into the words and times a salesperson sees in the CRM. Pure: no I/O, no clock.
 */
public final class CallActivityText {
    /** The marker that identifies the activity of a call; used to find it again after a lost answer. */
    public static final String CALL_ID_LABEL = "MyOperator call id: ";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final PhoneNumbers phones;

    public CallActivityText(PhoneNumbers phones) {
        this.phones = phones;
    }

    public ActivityContent describe(Call call) {
        return describe(call, null);
    }

    /** As {@link #describe(Call)}, with a remark for the reader (e.g. why no deal was created) at the top of the note. */
    public ActivityContent describe(Call call, String remark) {
        return new ActivityContent(subject(call), note(call, remark), call.answered(), dueDate(call.startedAt()),
                dueTime(call.startedAt()), durationHhMm(call.talkTime()));
    }

    public static String dueDate(Instant start) {
        return DATE.format(start);
    }

    public static String dueTime(Instant start) {
        return TIME.format(start);
    }

    /** Talk time as {@code HH:MM}, rounded up to the next minute; null when zero (Pipedrive rejects 00:00). */
    public static String durationHhMm(Duration talk) {
        if (talk == null || talk.isZero() || talk.isNegative()) {
            return null;
        }
        long minutes = minutesRoundedUp(talk);
        return String.format("%02d:%02d", minutes / 60, minutes % 60);
    }

    static long minutesRoundedUp(Duration talk) {
        long seconds = talk.toSeconds() + (talk.toNanosPart() > 0 ? 1 : 0);
        return (seconds + 59) / 60;
    }

    public static String subject(Call call) {
        String dir = call.direction().adjective();
        return switch (call.status()) {
            case ANSWERED -> call.talkTime().isZero() ? capitalise(dir) + " call (answered)"
                    : capitalise(dir) + " call – " + humanDuration(call.talkTime());
            case MISSED -> call.direction() == Direction.INCOMING
                    ? "Missed inbound call"
                    : "Missed outbound call (no answer)";
            case VOICEMAIL -> "Voicemail – " + dir + " call";
        };
    }

    /** Title of a deal created for a caller: "Inbound call – Asha Rao" or "Inbound call – +91 98450 12367". */
    public String dealTitle(Call call) {
        return capitalise(call.direction().adjective()) + " call – " + personName(call);
    }

    /** Name of a person created for a number: the caller's name when MyOperator knows it, else the number. */
    public String personName(Call call) {
        return call.callerName() != null ? call.callerName() : phones.pretty(call.customerNumber());
    }

    public String note(Call call) {
        return note(call, null);
    }

    public String note(Call call, String remark) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("Direction", capitalise(call.direction().adjective())));
        rows.add(row("Status", statusWord(call.status())));
        rows.add(row("Customer", phones.pretty(call.customerNumber())
                + (call.callerName() != null ? " (" + call.callerName() + ")" : "")));
        if (call.did() != null) {
            rows.add(row("Company number (DID)", phones.pretty(call.did())));
        }
        Agent owner = call.ownerCandidate();
        if (call.answeredBy() != null) {
            rows.add(row("Answered by", call.answeredBy().label()));
        } else if (owner != null) {
            rows.add(row("Last agent tried", owner.label()));
        }
        if (call.agentsTried().size() > 1) {
            rows.add(row("Agents tried", String.join(", ", call.agentsTried().stream().map(Agent::label).toList())));
        }
        rows.add(row("Talk time", call.talkTime().isZero() ? "none" : humanDuration(call.talkTime())
                + " (" + call.talkTime().toSeconds() + " s)"));
        rows.add(row("Started", STAMP.format(call.startedAt())));
        if (call.endedAt() != null) {
            rows.add(row("Ended", STAMP.format(call.endedAt())));
        }
        if (call.department() != null) {
            rows.add(row("Department", call.department()));
        }
        if (call.recordingFile() != null) {
            rows.add(row("Recording file", call.recordingFile()));
        }
        StringBuilder html = new StringBuilder("<p><b>MyOperator call</b></p>");
        if (remark != null) {
            html.append("<p><i>").append(Text.html(remark)).append("</i></p>");
        }
        html.append("<ul>");
        for (String[] r : rows) {
            html.append("<li>").append(Text.html(r[0])).append(": ").append(Text.html(r[1])).append("</li>");
        }
        html.append("</ul><p>").append(callIdMarker(call.callKey())).append("</p>");
        return html.toString();
    }

    /** The exact text every activity note carries for its call (HTML-escaped like the note). */
    public static String callIdMarker(String callKey) {
        return Text.html(CALL_ID_LABEL + callKey);
    }

    static String humanDuration(Duration talk) {
        if (talk == null || talk.isZero()) {
            return "0 min";
        }
        long minutes = minutesRoundedUp(talk);
        if (minutes < 60) {
            return minutes + " min";
        }
        return (minutes / 60) + " h " + (minutes % 60) + " min";
    }

    private static String statusWord(CallStatus status) {
        return switch (status) {
            case ANSWERED -> "answered";
            case MISSED -> "missed";
            case VOICEMAIL -> "voicemail";
        };
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
