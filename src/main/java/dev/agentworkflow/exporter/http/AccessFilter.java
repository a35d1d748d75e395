package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.agentworkflow.exporter.webconfig.BasicAuthUsers;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import dev.agentworkflow.exporter.webconfig.RateLimit;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * What the web configuration in force asks of each request, in the toolkit's order: extra
 * headers, then the rate limit (429), then basic auth (401 with {@code WWW-Authenticate}). An
 * open filter, for {@code /-/healthy}, adds the headers only, so that liveness probes need no
 * password and are never rate limited.
 */
final class AccessFilter extends Filter {
  private static final String CHALLENGE = "Basic realm=\"agent-workflow-exporter\", charset=\"UTF-8\"";

  private final LiveWebConfig web;
  private final boolean guarded;
  private final Clock clock;
  private Optional<RateLimit> budgetLimit = Optional.empty();
  private Optional<RequestBudget> budget = Optional.empty();

  private AccessFilter(LiveWebConfig web, boolean guarded, Clock clock) {
    this.web = web;
    this.guarded = guarded;
    this.clock = clock;
  }

  static AccessFilter guarded(LiveWebConfig web, Clock clock) {
    return new AccessFilter(web, true, clock);
  }

  static AccessFilter open(LiveWebConfig web, Clock clock) {
    return new AccessFilter(web, false, clock);
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    WebConfig config = web.current();
    config.headers().forEach(exchange.getResponseHeaders()::set);
    if (guarded && !withinRateLimit(config)) {
      try (exchange) {
        Responses.text(exchange, 429, "text/plain; charset=utf-8", "Too Many Requests\n");
      }
      return;
    }
    if (guarded && config.users().isPresent() && !authenticated(exchange, config.users().get())) {
      exchange.getResponseHeaders().set("WWW-Authenticate", CHALLENGE);
      try (exchange) {
        Responses.text(exchange, 401, "text/plain; charset=utf-8", "Unauthorized\n");
      }
      return;
    }
    chain.doFilter(exchange);
  }

  @Override
  public String description() {
    return guarded ? "web configuration: headers, rate limit, basic auth" : "web configuration: headers";
  }

  /** The bucket lives as long as the rate limit stays the same; a reload that changes it starts a full one. */
  private synchronized boolean withinRateLimit(WebConfig config) {
    if (!config.rateLimit().equals(budgetLimit)) {
      budgetLimit = config.rateLimit();
      budget = budgetLimit.map(limit -> new RequestBudget(limit, clock));
    }
    return budget.map(RequestBudget::tryTake).orElse(true);
  }

  private static boolean authenticated(HttpExchange exchange, BasicAuthUsers users) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon >= 0 && users.check(decoded.substring(0, colon), decoded.substring(colon + 1));
  }
}
