package io.callbridge.myoperator;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * MyOperator's users list ({@code GET /user?token=...&page=n}). The base URI is the configured base URL plus the
 * users path (see {@link MyOperatorDirectory}), since some accounts serve it under another prefix. MyOperator takes
 * its token only as a parameter; rest-client logging is off ({@code quarkus.rest-client.logging.scope=none}) and
 * no error message carries the URL.
 */
@Produces(MediaType.APPLICATION_JSON)
public interface MyOperatorApi {

    @GET
    Response users(@QueryParam("token") String token, @QueryParam("page") Integer page);
}
