package dev.agentworkflow.exporter.http;

import dev.agentworkflow.exporter.webconfig.BasicAuthUsers;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import dev.agentworkflow.exporter.webconfig.RateLimit;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the web configuration in force asks of each request: basic auth (401 with
 * {@code WWW-Authenticate}), the rate limit (429) and the extra headers on every answer. Open paths
 * ({@code /-/healthy}) get the headers only, so liveness probes need no password and are never rate
 * limited.
 *
 * <p>Unlike the toolkit, which takes every request from one bucket before it looks at credentials,
 * each authenticated user has a bucket of its own and everyone else shares one: anonymous or
 * wrong-password traffic can use up only its own budget, never the scraper's. Without basic auth
 * everyone is anonymous and there is one bucket, as in the toolkit.
 */
final class AccessControl {
  private static final String CHALLENGE = "Basic realm=\"agent-workflow-exporter\", charset=\"UTF-8\"";
  private static final String ANONYMOUS = "";

  private final LiveWebConfig web;
  private final Clock clock;
  private final ServerCounters counters;
  private Optional<RateLimit> budgetsFor = Optional.empty();
  private final Map<String, RequestBudget> budgets = new HashMap<>();

  AccessControl(LiveWebConfig web, Clock clock, ServerCounters counters) {
    this.web = web;
    this.clock = clock;
    this.counters = counters;
  }

  /** Serves {@code request} with {@code handler} if the configuration lets it through. */
  Response guarded(Request request, Function<Request, Response> handler) {
    WebConfig config = web.current();
    String identity = ANONYMOUS;
    if (config.users().isPresent()) {
      BasicAuthUsers.Verdict verdict = authenticate(request, config.users().get());
      if (verdict != BasicAuthUsers.Verdict.ACCEPTED) {
        if (!withinRateLimit(config, ANONYMOUS)) {
          return tooMany(config);
        }
        counters.refused(verdict == BasicAuthUsers.Verdict.BUSY
            ? ServerCounters.Refused.AUTH_BUSY : ServerCounters.Refused.UNAUTHORIZED);
        return Response.text(401, "Unauthorized\n").with("WWW-Authenticate", CHALLENGE).withAll(config.headers());
      }
      identity = user(request);
    }
    if (!withinRateLimit(config, identity)) {
      return tooMany(config);
    }
    return handler.apply(request).withAll(config.headers());
  }

  /** Serves {@code request}, adding only the configured headers. */
  Response open(Request request, Function<Request, Response> handler) {
    return handler.apply(request).withAll(web.current().headers());
  }

  private Response tooMany(WebConfig config) {
    counters.refused(ServerCounters.Refused.RATE_LIMITED);
    return Response.text(429, "Too Many Requests\n").withAll(config.headers());
  }

  /** Buckets live as long as the rate limit stays the same; a reload that changes it starts full ones. */
  private synchronized boolean withinRateLimit(WebConfig config, String identity) {
    if (config.rateLimit().isEmpty()) {
      return true;
    }
    if (!config.rateLimit().equals(budgetsFor)) {
      budgetsFor = config.rateLimit();
      budgets.clear();
    }
    RateLimit limit = config.rateLimit().get();
    return budgets.computeIfAbsent(identity, who -> new RequestBudget(limit, clock)).tryTake();
  }

  private static BasicAuthUsers.Verdict authenticate(Request request, BasicAuthUsers users) {
    Optional<String[]> credentials = credentials(request);
    return credentials.isEmpty() ? BasicAuthUsers.Verdict.REFUSED
        : users.verify(credentials.get()[0], credentials.get()[1]);
  }

  /** The user name of an accepted request (its credentials were just checked). */
  private static String user(Request request) {
    return "user:" + credentials(request).orElseThrow()[0];
  }

  private static Optional<String[]> credentials(Request request) {
    String authorization = request.header("Authorization").orElse("");
    if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon < 0 ? Optional.empty() : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
  }
}
