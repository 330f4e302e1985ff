package io.callbridge.call;

/** What an outgoing call to a number no Pipedrive person has does ({@code CALLBRIDGE_OUTGOING_UNKNOWN}). */
public enum OutgoingUnknownPolicy {
    /** Default: nothing is written; the call is recorded as skipped. */
    SKIP,
    /** A new person (named after the number) with the call as an activity on the person. */
    CREATE_PERSON,
    /** A new person, a new deal, and the call as the deal's first activity. */
    CREATE_PERSON_AND_DEAL
}
