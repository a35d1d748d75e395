package dev.agentworkflow.exporter.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code /}: what this is and where the metrics are. */
final class LandingPage {
  private final byte[] page;

  /** @param telemetryPath the metrics' path, linked relative to {@code /} (see {@link #link}) */
  LandingPage(String version, String databasePath, String telemetryPath) {
    this.page = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Agent Workflow Exporter</title></head>
        <body>
        <h1>Agent Workflow Exporter</h1>
        <p>Version %s, reading <code>%s</code>.</p>
        <ul>
        <li><a href="%s">Metrics</a></li>
        <li><a href="-/healthy">Health</a></li>
        </ul>
        </body>
        </html>
        """.formatted(escape(version), escape(databasePath), escape(link(telemetryPath)))
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code /metrics} as {@code metrics}: relative, so that the link works behind a proxy's prefix;
   * {@code ./} first where the rest would read as a scheme ({@code /a:b}) or a host ({@code //a}).
   */
  static String link(String telemetryPath) {
    String relative = telemetryPath.substring(1);
    String first = relative.split("/", -1)[0];
    return first.isEmpty() || first.contains(":") ? "./" + relative : relative;
  }

  Response answer(Request request) {
    return new Response(200, Map.of("Content-Type", "text/html; charset=utf-8"), page);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
