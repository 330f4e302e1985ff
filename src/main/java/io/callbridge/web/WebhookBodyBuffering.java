package io.callbridge.web;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Reads a webhook's body on the I/O thread, before the REST layer hands the request to a worker thread.
 * <p>
 * Without it, Quarkus REST reads the body of a blocking method on the worker thread through a blocking stream that
 * waits for the I/O thread: one extra round trip between the two threads per delivery, and each thread hand-off is a
 * chance to wait for a CPU (on a busy two-vCPU machine the benchmark measured 2-10 ms for it, one delivery in
 * twenty). With the body already in the routing context, Quarkus REST takes it from there (a byte array, no
 * waiting). Nothing is decoded here: unlike Vert.x' {@code BodyHandler}, which would parse a form body on the way
 * (and fail a malformed one with a bare error), this only collects the bytes; the webhook resource still sees them
 * exactly as sent, and its own size limit, parsing and error answers apply as before.
 */
@ApplicationScoped
public class WebhookBodyBuffering {

    void bufferWebhookBodies(@Observes Router router) {
        router.post(MyOperatorWebhookResource.PATH).order(RouteConstants.ROUTE_ORDER_BODY_HANDLER)
                .handler(WebhookBodyBuffering::collect);
    }

    static void collect(RoutingContext ctx) {
        if (ctx.body().buffer() != null || ctx.request().isEnded()) {
            ctx.next(); // read by another handler already, or gone: Quarkus REST reads it as before
            return;
        }
        ctx.request().body().onComplete(read -> {
            if (read.succeeded()) {
                Buffer body = read.result();
                ((RoutingContextInternal) ctx).setBody(body);
                ctx.next();
            } else {
                ctx.fail(400, read.cause()); // the client went away mid-body: nothing to answer to
            }
        });
        ctx.request().resume(); // Quarkus holds the request paused until a handler wants its body
    }
}
