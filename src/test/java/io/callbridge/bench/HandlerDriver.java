package io.callbridge.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.amazon.lambda.http.LambdaHttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls the real Lambda handler ({@link LambdaHttpHandler}, the class AWS invokes through Quarkus' stream handler)
 * directly, from as many threads as the concurrency asks. The handler keeps no state between invocations: each one
 * gets its own virtual connection into Vert.x and its own response future, so concurrent calls are independent, like
 * separate Lambda instances sharing one DynamoDB table and one Pipedrive account. (Quarkus' mock event server, which
 * the end-to-end tests use, polls with one loop and would serialise them.)
 */
final class HandlerDriver {

    /** One webhook delivery to make; {@code expected} is the answer's status field it should get. */
    record Delivery(String scenario, String requestId, String callId, ObjectNode json, APIGatewayV2HTTPEvent event,
                    String expected) {
        static Delivery of(String scenario, String requestId, String callId, ObjectNode json, String expected) {
            return new Delivery(scenario, requestId, callId, json, BenchEvents.toLambdaEvent(json), expected);
        }
    }

    /** What one invocation took and answered, with its per-call log line (null when none was logged). */
    record Result(Delivery delivery, long startNanos, long wallNanos, int status, String answer, JsonNode line) {
        double wallMillis() {
            return wallNanos / 1e6;
        }

        double pipedriveMillis() {
            return line == null ? 0 : line.path("pipedriveMillis").asDouble();
        }

        double pipedriveWaitMillis() {
            return line == null ? 0 : line.path("pipedriveWaitMillis").asDouble();
        }

        double dynamoMillis() {
            return line == null ? 0 : line.path("dynamoMillis").asDouble();
        }

        /**
         * Handler time not spent inside Pipedrive or DynamoDB requests nor waiting between Pipedrive retries; NaN
         * without a log line.
         */
        double ownMillis() {
            return line == null ? Double.NaN
                    : Math.max(0, wallMillis() - pipedriveMillis() - pipedriveWaitMillis() - dynamoMillis());
        }

        /** The part of the own overhead inside the webhook resource method (the log line's {@code ownMillis}). */
        double ownInResourceMillis() {
            return line == null ? Double.NaN : line.path("ownMillis").asDouble();
        }

        int pipedriveRequests() {
            return line == null ? 0 : line.path("pipedriveRequests").asInt();
        }

        int pipedriveTokens() {
            return line == null ? 0 : line.path("pipedriveTokens").asInt();
        }

        int dynamoRequests() {
            return line == null ? 0 : line.path("dynamoRequests").asInt();
        }

        boolean asExpected() {
            return delivery.expected() == null || delivery.expected().equals(answer);
        }
    }

    /** A batch run at one concurrency: results in completion order and the wall time of the whole batch. */
    record Run(List<Result> results, int concurrency, long elapsedNanos) {
        double perSecond() {
            return results.size() / (elapsedNanos / 1e9);
        }
    }

    private final LambdaHttpHandler handler = new LambdaHttpHandler();
    private final DeliveryLines lines;

    HandlerDriver(DeliveryLines lines) {
        this.lines = lines;
    }

    Result invoke(Delivery d) {
        long start = System.nanoTime();
        APIGatewayV2HTTPResponse response = handler.handleRequest(d.event(), new BenchContext(d.requestId()));
        long wall = System.nanoTime() - start;
        String answer = null;
        String body = response.getBody();
        if (body != null && !body.isEmpty()) {
            if (response.getIsBase64Encoded()) {
                body = new String(java.util.Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            }
            try {
                answer = BenchEvents.JSON.readTree(body).path("status").asText(null);
            } catch (IOException e) {
                answer = "unparseable answer";
            }
        }
        String line = lines.take(d.requestId());
        JsonNode parsed = null;
        if (line != null) {
            try {
                parsed = BenchEvents.JSON.readTree(line);
            } catch (IOException e) {
                throw new IllegalStateException("unparseable delivery log line: " + line, e);
            }
        }
        return new Result(d, start, wall, response.getStatusCode(), answer, parsed);
    }

    /** Runs every delivery, {@code concurrency} at a time, each thread taking the next one as soon as it is free. */
    Run run(List<Delivery> deliveries, int concurrency) {
        List<Result> results = Collections.synchronizedList(new ArrayList<>(deliveries.size()));
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "bench-client");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    go.await();
                    for (int k = next.getAndIncrement(); k < deliveries.size(); k = next.getAndIncrement()) {
                        results.add(invoke(deliveries.get(k)));
                    }
                    return null;
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> w : workers) {
                w.get(30, TimeUnit.MINUTES);
            }
            return new Run(List.copyOf(results), concurrency, System.nanoTime() - start);
        } catch (Exception e) {
            throw new IllegalStateException("benchmark run failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The Lambda context of one invocation, as the runtime would pass it. */
    private record BenchContext(String requestId) implements Context {
        @Override
        public String getAwsRequestId() {
            return requestId;
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/callbridge-bench";
        }

        @Override
        public String getLogStreamName() {
            return "bench";
        }

        @Override
        public String getFunctionName() {
            return "callbridge-bench";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:ap-south-1:123456789012:function:callbridge-bench";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 30_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 1024;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.out.print(message);
                }

                @Override
                public void log(byte[] message) {
                    System.out.write(message, 0, message.length);
                }
            };
        }
    }
}
