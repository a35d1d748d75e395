package dev.agentworkflow.exporter.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code /}: what this is and where the metrics are. */
final class LandingPage {
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

  Response answer(Request request) {
    return new Response(200, Map.of("Content-Type", "text/html; charset=utf-8"), page);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
