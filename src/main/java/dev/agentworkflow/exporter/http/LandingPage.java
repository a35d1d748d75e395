package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/** {@code /}: what this is and where the metrics are. Any other unknown path is a 404. */
final class LandingPage implements HttpHandler {
  private final String page;

  LandingPage(String version, String databasePath) {
    this.page = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Agent Workflow Exporter</title></head>
        <body>
        <h1>Agent Workflow Exporter</h1>
        <p>Version %s, reading <code>%s</code>.</p>
        <ul>
        <li><a href="metrics">Metrics</a></li>
        <li><a href="-/healthy">Health</a></li>
        </ul>
        </body>
        </html>
        """.formatted(escape(version), escape(databasePath));
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (exchange.getRequestURI().getPath().equals("/")) {
        Responses.text(exchange, 200, "text/html; charset=utf-8", page);
      } else {
        Responses.notFound(exchange);
      }
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
