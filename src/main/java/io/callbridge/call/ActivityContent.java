package io.callbridge.call;

/**
 * The human-facing part of a call activity, ready for any CRM: all times in UTC.
 *
 * @param dueDate  {@code YYYY-MM-DD} of the call start (UTC)
 * @param dueTime  {@code HH:MM} (24-hour, UTC) of the call start
 * @param duration {@code HH:MM} talk time rounded up to the minute, or null when nobody talked
 * @param done     true for answered calls; missed calls and voicemails are open follow-ups
 */
public record ActivityContent(String subject, String note, boolean done, String dueDate, String dueTime, String duration) {
}
