package io.callbridge.testing.pipedrive;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An injected fault for {@link PipedriveFake}: an immutable value built fluently, e.g.
 *
 * <pre>{@code
 * fake.fault(FakeFault.on("POST", "/api/v2/activities").status(502));            // HTML Cloudflare-like 502, once
 * fake.fault(FakeFault.on("GET", "/persons/search").status(429).retryAfter(3).times(2));
 * fake.fault(FakeFault.on("POST", "/api/v2/deals").createThen(500));             // stores the deal, then answers 500
 * fake.fault(FakeFault.on("*", "/api/v2/deals").drop().skip(1));                 // 2nd matching request: connection closed
 * fake.fault(FakeFault.on("GET", ".*").delay(Duration.ofSeconds(5)).always());
 * }</pre>
 *
 * <p>Matching: {@code method} equals the request method or is {@code "*"}; {@code pathRegex} is searched
 * ({@link java.util.regex.Matcher#find()}) in the request path, where {@code /api/v1/...} is already normalised
 * to {@code /v1/...}; the optional {@code queryRegex} is searched in the raw query string. The first matching
 * fault that still has {@code times} left fires; {@code skip} lets that many matching requests pass first.
 * A fault fires before authentication and rate limiting.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@link Mode#STATUS}: answer {@code status} without doing anything. 429 carries {@code Retry-After}
 *       (default 2 s) and the Pipedrive rate-limit body; 403 and 502 come as an HTML page (Cloudflare-like, to
 *       test parsers against non-JSON bodies); other statuses as the JSON error envelope. {@link #body(String)},
 *       {@link #contentType(String)} and {@link #header(String, String)} override.</li>
 *   <li>{@link Mode#CREATE_THEN}: perform the request (the write is stored), then answer {@code status}
 *       (400 with a validation-error envelope, otherwise as in STATUS) — Pipedrive can fail after storing.</li>
 *   <li>{@link Mode#DROP}: close the connection without an answer and without doing anything.</li>
 *   <li>{@link Mode#DROP_AFTER}: perform the request, then close the connection without an answer.</li>
 *   <li>{@link Mode#DELAY}: wait {@code delay}, then handle the request normally.</li>
 * </ul>
 */
public record FakeFault(String method, String pathRegex, String queryRegex, Mode mode, int status, int times, int skip,
                        Integer retryAfterSeconds, long delayMs, String body, String contentType,
                        Map<String, String> headers) {

    public enum Mode { STATUS, CREATE_THEN, DROP, DROP_AFTER, DELAY }

    /** {@code times} value meaning "every matching request". */
    public static final int UNLIMITED = -1;

    public FakeFault {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathRegex, "pathRegex");
        Objects.requireNonNull(mode, "mode");
        Pattern.compile(pathRegex);
        if (queryRegex != null) {
            Pattern.compile(queryRegex);
        }
        if (skip < 0) {
            throw new IllegalArgumentException("skip must be >= 0");
        }
        if ((mode == Mode.STATUS || mode == Mode.CREATE_THEN) && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be an HTTP status code: " + status);
        }
        method = method.toUpperCase(java.util.Locale.ROOT);
        headers = Map.copyOf(headers == null ? Map.of() : headers);
    }

    /** A fault for requests with this method ({@code "*"} = any) whose path contains a match of {@code pathRegex}; mode STATUS 500, once. */
    public static FakeFault on(String method, String pathRegex) {
        return new FakeFault(method, pathRegex, null, Mode.STATUS, 500, 1, 0, null, 0, null, null, Map.of());
    }

    /** Same as {@code on("*", pathRegex)}. */
    public static FakeFault onAny(String pathRegex) {
        return on("*", pathRegex);
    }

    public FakeFault query(String regex) {
        return new FakeFault(method, pathRegex, regex, mode, status, times, skip, retryAfterSeconds, delayMs, body,
                contentType, headers);
    }

    public FakeFault status(int httpStatus) {
        return new FakeFault(method, pathRegex, queryRegex, Mode.STATUS, httpStatus, times, skip, retryAfterSeconds,
                delayMs, body, contentType, headers);
    }

    /** Perform the write, then answer {@code httpStatus}. */
    public FakeFault createThen(int httpStatus) {
        return new FakeFault(method, pathRegex, queryRegex, Mode.CREATE_THEN, httpStatus, times, skip,
                retryAfterSeconds, delayMs, body, contentType, headers);
    }

    public FakeFault drop() {
        return new FakeFault(method, pathRegex, queryRegex, Mode.DROP, status, times, skip, retryAfterSeconds, delayMs,
                body, contentType, headers);
    }

    public FakeFault dropAfter() {
        return new FakeFault(method, pathRegex, queryRegex, Mode.DROP_AFTER, status, times, skip, retryAfterSeconds,
                delayMs, body, contentType, headers);
    }

    public FakeFault delay(long millis) {
        return new FakeFault(method, pathRegex, queryRegex, Mode.DELAY, status, times, skip, retryAfterSeconds, millis,
                body, contentType, headers);
    }

    public FakeFault delay(Duration delay) {
        return delay(delay.toMillis());
    }

    /** How many times the fault fires (default 1); {@link #UNLIMITED} or {@link #always()} for every match. */
    public FakeFault times(int n) {
        return new FakeFault(method, pathRegex, queryRegex, mode, status, n, skip, retryAfterSeconds, delayMs, body,
                contentType, headers);
    }

    public FakeFault always() {
        return times(UNLIMITED);
    }

    /** Let the first {@code n} matching requests through before firing. */
    public FakeFault skip(int n) {
        return new FakeFault(method, pathRegex, queryRegex, mode, status, times, n, retryAfterSeconds, delayMs, body,
                contentType, headers);
    }

    /** {@code Retry-After} seconds for a 429 (default 2). */
    public FakeFault retryAfter(int seconds) {
        return new FakeFault(method, pathRegex, queryRegex, mode, status, times, skip, seconds, delayMs, body,
                contentType, headers);
    }

    /** Raw response body instead of the default one. */
    public FakeFault body(String rawBody) {
        return new FakeFault(method, pathRegex, queryRegex, mode, status, times, skip, retryAfterSeconds, delayMs,
                rawBody, contentType, headers);
    }

    public FakeFault contentType(String type) {
        return new FakeFault(method, pathRegex, queryRegex, mode, status, times, skip, retryAfterSeconds, delayMs, body,
                type, headers);
    }

    public FakeFault header(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new FakeFault(method, pathRegex, queryRegex, mode, status, times, skip, retryAfterSeconds, delayMs, body,
                contentType, h);
    }

    /** Short name used in the request log, e.g. {@code status:502}, {@code create_then:500}, {@code drop}. */
    public String label() {
        return switch (mode) {
            case STATUS -> "status:" + status;
            case CREATE_THEN -> "create_then:" + status;
            case DROP -> "drop";
            case DROP_AFTER -> "drop_after";
            case DELAY -> "delay:" + delayMs + "ms";
        };
    }
}
