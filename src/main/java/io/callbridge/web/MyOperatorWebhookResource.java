package io.callbridge.web;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;








import io.callbridge.ledger.DynamoDbUsage;
import io.callbridge.pipedrive.PipedriveUsage;


import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;



/**
 * {@code POST /webhooks/myoperator}: every MyOperator call webhook (v1 after-call as form or JSON, v2 events)
 * lands here. Authenticate, parse, hand the call to the processor, answer with what happened.
 */
@Path(MyOperatorWebhookResource.PATH)
public class MyOperatorWebhookResource {
    public static final String PATH = "/webhooks/myoperator";

    @Inject
    WebhookAuthenticator authenticator;

    @Inject
    DeliveryIntake intake;

    @Inject
    DeliveryLog log;

    @Inject
    Instance<APIGatewayV2HTTPEvent.RequestContext> requestContext;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam("X-Webhook-Token") String headerToken,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("token") String queryToken,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            byte[] body) {
        long started = System.nanoTime();
        PipedriveUsage.reset(); // counted per worker thread: this delivery's count starts here
        DynamoDbUsage.reset();
        SharedSecret.Verdict verdict = authenticator.check(sourceIp(), headerToken, authorization, queryToken);
        if (!verdict.accepted()) {
            log.rejected(401, verdict.reason());
            return ErrorMappers.json(401, WebhookResponse.rejected(verdict.reason()));
        }
        return intake.take(contentType, body == null ? new byte[0] : body, started, true);
    }

    private String sourceIp() {
        try {
            if (requestContext.isResolvable()) {
                APIGatewayV2HTTPEvent.RequestContext ctx = requestContext.get();
                if (ctx != null && ctx.getHttp() != null) {
                    return ctx.getHttp().getSourceIp();
                }
            }
        } catch (RuntimeException notALambdaRequest) {
            // no Lambda event behind this request
        }
        return null;
    }
}
