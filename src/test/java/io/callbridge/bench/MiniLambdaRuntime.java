package io.callbridge.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * What AWS' managed Java runtime does with a function, reduced to its core, for the cold-start measurement: load the
 * handler class named by {@code _HANDLER} and create it (the init phase; Quarkus boots here), then loop: take the next
 * event from the Lambda Runtime API at {@code AWS_LAMBDA_RUNTIME_API}, call {@code handleRequest}, post the answer.
 * It runs in a child JVM on the application's own class path (the runner jar and its lib/, as in function.zip) and
 * needs nothing but the JDK and aws-lambda-java-core, which the application carries.
 */
public final class MiniLambdaRuntime {
    private MiniLambdaRuntime() {
    }

    public static void main(String[] args) throws Exception {
        String api = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
        String handlerName = System.getenv("_HANDLER").split("::", 2)[0];
        RequestStreamHandler handler;
        try {
            handler = (RequestStreamHandler) Class.forName(handlerName).getDeclaredConstructor().newInstance();
        } catch (Throwable t) {
            post(api + "/init/error", ("{\"errorMessage\":\"" + t + "\"}").getBytes(StandardCharsets.UTF_8));
            throw t;
        }
        while (true) {
            HttpURLConnection next = (HttpURLConnection) new URL(api + "/invocation/next").openConnection();
            next.setReadTimeout(0);
            byte[] event;
            try (InputStream in = next.getInputStream()) {
                event = in.readAllBytes();
            }
            String id = next.getHeaderField("Lambda-Runtime-Aws-Request-Id");
            long deadline = Long.parseLong(next.getHeaderField("Lambda-Runtime-Deadline-Ms"));
            String arn = next.getHeaderField("Lambda-Runtime-Invoked-Function-Arn");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(event), out, new InvocationContext(id, arn, deadline));
                post(api + "/invocation/" + id + "/response", out.toByteArray());
            } catch (Exception e) {
                post(api + "/invocation/" + id + "/error",
                        ("{\"errorMessage\":\"" + e.toString().replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void post(String url, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream os = c.getOutputStream()) {
            os.write(body);
        }
        c.getInputStream().readAllBytes();
        c.getInputStream().close();
    }

    private record InvocationContext(String requestId, String arn, long deadline) implements Context {
        @Override
        public String getAwsRequestId() {
            return requestId;
        }

        @Override
        public String getLogGroupName() {
            return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
        }

        @Override
        public String getLogStreamName() {
            return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
        }

        @Override
        public String getFunctionName() {
            return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
        }

        @Override
        public String getFunctionVersion() {
            return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
        }

        @Override
        public String getInvokedFunctionArn() {
            return arn;
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
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }

        @Override
        public int getMemoryLimitInMB() {
            return Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"));
        }

        @Override
        public LambdaLogger getLogger() {
            return new StdoutLogger();
        }
    }

    private static final class StdoutLogger implements LambdaLogger {
        @Override
        public void log(String message) {
            System.out.print(message);
        }

        @Override
        public void log(byte[] message) {
            System.out.write(message, 0, message.length);
        }
    }
}
