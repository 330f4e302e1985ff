package io.callbridge.pipedrive;

/**
 * Keeps Pipedrive requests under the plan's rate limits across every running instance of the functions. On AWS
 * Lambda each instance handles one invocation at a time, so concurrency means many instances: a limiter inside one
 * JVM would limit nothing, and the implementation shares its state between instances (see
 * {@code io.callbridge.ledger.SharedRequestPacer}). The gateway asks for a slot before every request, waits until
 * it, and sends the request then.
 */
public interface RequestPacer {

    /**
     * The answer to {@link #reserve}: a slot reserved {@code waitMs} from now ({@code granted}), or none reserved
     * because the earliest free one is {@code waitMs} away, further than the caller can wait.
     */
    record Slot(boolean granted, long waitMs) {
        public static Slot grantedIn(long waitMs) {
            return new Slot(true, Math.max(0, waitMs));
        }

        public static Slot refusedFor(long waitMs) {
            return new Slot(false, Math.max(1, waitMs));
        }
    }

    /** Paces nothing: every request may go at once. */
    RequestPacer NONE = (search, maxWaitMs) -> Slot.grantedIn(0);

    /**
     * Reserves the earliest slot for one request (a search counts against the search limit too), unless that slot is
     * more than {@code maxWaitMs} away: then nothing is reserved, and the answer says how far away it is. The caller
     * must send the request no earlier than {@link Slot#waitMs()} from now.
     */
    Slot reserve(boolean search, long maxWaitMs);
}
