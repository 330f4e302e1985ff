package io.callbridge.web;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.UUID;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Gives every log line of a request the same correlation id (the API Gateway request id, else a fresh one, as
 * {@code requestId} in the MDC: the log format prints it).
 */
public class CorrelationFilter {
    public static final String MDC_KEY = "requestId";

    @Inject
    Instance<APIGatewayV2HTTPEvent.RequestContext> requestContext;

    @ServerRequestFilter(preMatching = true)
    public void begin() {
        MDC.put(MDC_KEY, requestId());
    }

    @ServerResponseFilter
    public void end() {
        MDC.remove(MDC_KEY);
    }

    private String requestId() {
        try {
            if (requestContext.isResolvable()) {
                APIGatewayV2HTTPEvent.RequestContext ctx = requestContext.get();
                if (ctx != null && ctx.getRequestId() != null && !ctx.getRequestId().isBlank()) {
                    return ctx.getRequestId();
                }
            }
        } catch (RuntimeException notALambdaRequest) {
            // no API Gateway event behind this request
        }
        return UUID.randomUUID().toString();
    }
}
