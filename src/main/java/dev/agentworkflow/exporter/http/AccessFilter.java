package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.agentworkflow.exporter.webconfig.BasicAuthUsers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * What the web configuration asks of every request, in the toolkit's order: extra headers, then
 * the rate limit (429), then basic auth (401 with {@code WWW-Authenticate}). {@code /-/healthy}
 * gets the headers only, so that liveness probes need no password and are never rate limited.
 */
final class AccessFilter extends Filter {
  private static final String CHALLENGE = "Basic realm=\"agent-workflow-exporter\", charset=\"UTF-8\"";

  private final Map<String, String> headers;
  private final Optional<RequestBudget> budget;
  private final Optional<BasicAuthUsers> users;

  AccessFilter(Map<String, String> headers, Optional<RequestBudget> budget, Optional<BasicAuthUsers> users) {
    this.headers = headers;
    this.budget = budget;
    this.users = users;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    headers.forEach(exchange.getResponseHeaders()::set);
    if (budget.isPresent() && !budget.get().tryTake()) {
      try (exchange) {
        Responses.text(exchange, 429, "text/plain; charset=utf-8", "Too Many Requests\n");
      }
      return;
    }
    if (users.isPresent() && !authenticated(exchange, users.get())) {
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
    return "web configuration: headers, rate limit, basic auth";
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
