package io.callbridge.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Last-resort answers: every error is JSON with a sentence, never a stack trace. Framework errors keep their
 * status (404, 405, 415 ...); an unreachable DynamoDB is a 503 so MyOperator delivers again; anything else is
 * a 500 whose details go to the log only.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        return json(status, WebhookResponse.rejected(status + " " + reason));
    }

    @ServerExceptionMapper
    public Response aws(SdkException e) {
        LOG.errorf("DynamoDB unavailable: %s", e.getClass().getSimpleName() + ": " + e.getMessage());
        return Response.status(503).type(MediaType.APPLICATION_JSON).header("Retry-After", "30")
                .entity(new WebhookResponse("unavailable", null, null, null, null, null, null,
                        "the call ledger is unavailable; nothing was accepted, please deliver again")).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Unexpected failure while handling a request", e);
        return json(500, new WebhookResponse("error", null, null, null, null, null, null,
                "internal error; nothing was lost if MyOperator delivers again"));
    }

    static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
