package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** {@code /}: what this is and where the metrics are. Any other unknown path is a 404. */
final class LandingPage implements HttpHandler {
  private final byte[] page;

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
        """.formatted(escape(version), escape(databasePath)).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      boolean root = exchange.getRequestURI().getPath().equals("/");
      String method = exchange.getRequestMethod();
      byte[] body = root ? page : "Not Found. The metrics are at /metrics.\n".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", root ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(root ? 200 : 404, -1);
        return;
      }
      exchange.sendResponseHeaders(root ? 200 : 404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
