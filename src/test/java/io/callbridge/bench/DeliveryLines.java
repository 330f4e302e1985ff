package io.callbridge.bench;

import io.callbridge.web.CorrelationFilter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Captures the per-call log lines ({@code callbridge.delivery}) in process, keyed by the request id the
 * correlation filter puts in the MDC, instead of printing them: the benchmark reads Pipedrive and DynamoDB time of
 * each invocation from its line. While attached, the lines do not reach the console.
 */
final class DeliveryLines extends Handler implements AutoCloseable {
    private final Map<String, String> byRequestId = new ConcurrentHashMap<>();
    private final AtomicInteger withoutRequestId = new AtomicInteger();
    private final Logger logger = Logger.getLogger("callbridge.delivery");
    private final Level level;
    private final boolean useParentHandlers;

    DeliveryLines() {
        level = logger.getLevel();
        useParentHandlers = logger.getUseParentHandlers();
        logger.setLevel(Level.INFO); // the test profile keeps the lines at WARN
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        Object id = MDC.get(CorrelationFilter.MDC_KEY); // published on the thread that logged
        if (id == null) {
            withoutRequestId.incrementAndGet();
            return;
        }
        byRequestId.put(id.toString(), record.getMessage());
    }

    /** The line logged for this request id, removed from the capture; null if none was logged. */
    String take(String requestId) {
        return byRequestId.remove(requestId);
    }

    int withoutRequestId() {
        return withoutRequestId.get();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(useParentHandlers);
        logger.setLevel(level);
    }
}
