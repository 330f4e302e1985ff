package io.callbridge.web;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.callbridge.config.CallbridgeConfig;
import io.callbridge.processing.ReplayService;
import io.callbridge.processing.UserSyncService;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/**
 * Routes for the EventBridge schedules of template.yaml. quarkus-amazon-lambda-http allows one Lambda handler, so a
 * schedule sends a synthetic API Gateway event for an internal route (see events/internal/). These
 * routes are not in the HTTP API, and they answer only events whose {@code requestContext.apiId} is the configured
 * internal id: an event that came through API Gateway always carries the real API's id. Anything else gets 404.
 */
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
public class InternalResource {
    /** Leaves time to answer within the replay function's 300 s timeout. */
    static final Duration RUN_BUDGET = Duration.ofSeconds(240);

    @Inject
    CallbridgeConfig config;

    @Inject
    APIGatewayV2HTTPEvent.RequestContext requestContext;

    @Inject
    ReplayService replay;

    @Inject
    UserSyncService sync;

    @POST
    @Path("/replay")
    public Response replay() {
        if (!fromSchedule()) {
            return ErrorMappers.json(404, WebhookResponse.rejected("404 Not Found"));
        }
        return Response.ok(replay.replay(false, RUN_BUDGET)).build();
    }

    @POST
    @Path("/sync")
    public Response sync() {
        if (!fromSchedule()) {
            return ErrorMappers.json(404, WebhookResponse.rejected("404 Not Found"));
        }
        return Response.ok(sync.sync()).build();
    }

    private boolean fromSchedule() {
        try {
            return requestContext != null && config.internalApiId().equals(requestContext.getApiId());
        } catch (RuntimeException notALambdaEvent) {
            return false;
        }
    }
}
