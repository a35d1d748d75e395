package dev.agentworkflow.exporter.http;

import dev.agentworkflow.exporter.webconfig.RateLimit;
import java.time.Clock;

/**
 * The toolkit's {@code rate_limit} as Go's {@code rate.Limiter} does it: a bucket that starts
 * full with {@code burst} requests and gains one every {@code interval}, never holding more than
 * {@code burst}.
 */
final class RequestBudget {
  private final Clock clock;
  private final long nanosPerRequest;
  private final long capacityNanos;
  /** Time banked, in nanoseconds of refill; one request spends {@link #nanosPerRequest}. */
  private long bankedNanos;
  private long lastMillis;

  RequestBudget(RateLimit limit, Clock clock) {
    this.clock = clock;
    this.nanosPerRequest = limit.interval().toNanos();
    this.capacityNanos = Math.multiplyExact(nanosPerRequest, (long) limit.burst());
    this.bankedNanos = capacityNanos;
    this.lastMillis = clock.millis();
  }

  synchronized boolean tryTake() {
    long now = clock.millis();
    long elapsedMillis = Math.max(0, now - lastMillis);
    lastMillis = now;
    bankedNanos = Math.min(capacityNanos, bankedNanos + Math.min(capacityNanos, elapsedMillis * 1_000_000L));
    if (bankedNanos < nanosPerRequest) {
      return false;
    }
    bankedNanos -= nanosPerRequest;
    return true;
  }
}
