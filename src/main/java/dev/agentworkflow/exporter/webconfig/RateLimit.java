package dev.agentworkflow.exporter.webconfig;

import java.time.Duration;

/** {@code rate_limit}: a token bucket of {@code burst} requests, one more allowed every {@code interval}. */
public record RateLimit(Duration interval, int burst) {}
