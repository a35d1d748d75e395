package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.log.LogFormat;
import dev.agentworkflow.exporter.log.LogLevel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The flags official exporters take, beside ours: --web.listen-address, --web.telemetry-path,
 * --log.level, --log.format, with their environment variables; in process, with an injected environment.
 */
class OfficialSpellingsTest {
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    return commandLine.execute(args);
  }

  private ExporterSettings settings(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.parseArgs(args);
    ExporterCommand command = commandLine.getCommand();
    return command.serve.settings(command.databases.sources());
  }

  private void assertRefused(String message, Map<String, String> env, String... args) {
    err.getBuffer().setLength(0);
    assertEquals(2, run(env, args));
    assertEquals("agent-workflow-exporter: " + message + " (see --help)" + System.lineSeparator(), err.toString());
  }

  @Test
  void aListenAddressIsHostAndPortAsOfficialExportersTakeIt() throws Exception {
    InetSocketAddress all = settings(Map.of(), "--web.listen-address=:9091").listen();
    assertTrue(all.getAddress().isAnyLocalAddress(), all.toString());
    assertEquals(9091, all.getPort());
    assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9092),
        settings(Map.of(), "--web.listen-address", "127.0.0.1:9092").listen());
    assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9093),
        settings(Map.of(), "--web.listen-address=[::1]:9093").listen());
    assertEquals(new InetSocketAddress(InetAddress.getByName("localhost"), 0),
        settings(Map.of(), "--web.listen-address=localhost:0").listen());
    assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9094),
        settings(Map.of("AGENT_WORKFLOW_EXPORTER_WEB_LISTEN_ADDRESS", "127.0.0.1:9094")).listen());
    assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9095),
        settings(Map.of("AGENT_WORKFLOW_EXPORTER_WEB_LISTEN_ADDRESS", "127.0.0.1:9094"),
            "--web.listen-address", "127.0.0.1:9095").listen(), "the flag wins over its own variable");
    assertEquals(new InetSocketAddress("0.0.0.0", 9090), settings(Map.of()).listen(), "without it: --bind, --port");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "9091 | '9091' is not [HOST]:PORT; give e.g. :9091 for every address, 127.0.0.1:9091, or [::1]:9091 "
          + "(an IPv6 address goes in brackets)",
      "localhost | 'localhost' is not [HOST]:PORT; give e.g. :9091",
      "::1:9091 | '::1:9091' is not [HOST]:PORT; give e.g. :9091",
      "[::1] | '[::1]' is not [HOST]:PORT",
      "127.0.0.1:http | '127.0.0.1:http' is not [HOST]:PORT",
      "127.0.0.1:70000 | '127.0.0.1:70000': the port must be between 0 and 65535, got 70000",
      "[127.0.0.1]:9091 | '[127.0.0.1]:9091': brackets are for an IPv6 address; write 127.0.0.1:9091",
      "no.such.host.invalid:9091 | 'no.such.host.invalid:9091': cannot resolve address 'no.such.host.invalid'"})
  void aBadListenAddressExitsWithTwoAndOneLine(String value, String message) {
    assertEquals(2, run(Map.of(), "--db", "none.db", "--once", "--web.listen-address", value));
    String printed = err.toString();
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.startsWith("agent-workflow-exporter: Invalid value for option '--web.listen-address': "
        + message), printed);
  }

  /** Two spellings of one setting: refused in any mix rather than one silently dropping the other's host. */
  @Test
  void aListenAddressWithPortOrBindIsRefusedNamingBoth() {
    assertRefused("--web.listen-address and --port both set the address to listen on; keep one of them",
        Map.of(), "--once", "--db", "none.db", "--web.listen-address=:9091", "--port", "9092");
    assertRefused("--web.listen-address and --bind both set the address to listen on; keep one of them",
        Map.of(), "--once", "--db", "none.db", "--web.listen-address=:9091", "--bind", "127.0.0.1");
  }

  @Test
  void aListenAddressWithPortOrBindFromTheEnvironmentIsRefusedNamingTheVariable() {
    assertRefused("--web.listen-address and AGENT_WORKFLOW_EXPORTER_BIND both set the address to listen on; "
        + "keep one of them", Map.of("AGENT_WORKFLOW_EXPORTER_BIND", "127.0.0.1"), "--once", "--db", "none.db",
        "--web.listen-address=:9091");
  }

  @Test
  void aListenAddressVariableWithAPortFlagIsRefusedToo() {
    assertRefused("AGENT_WORKFLOW_EXPORTER_WEB_LISTEN_ADDRESS and --port both set the address to listen on; "
        + "keep one of them", Map.of("AGENT_WORKFLOW_EXPORTER_WEB_LISTEN_ADDRESS", ":9091"), "--once", "--db",
        "none.db", "--port", "9092");
  }

  @Test
  void theTelemetryPathIsMetricsUnlessGiven() {
    assertEquals("/metrics", settings(Map.of()).telemetryPath());
    assertEquals("/prom/metrics", settings(Map.of(), "--web.telemetry-path=/prom/metrics").telemetryPath());
    assertEquals("/m", settings(Map.of(), "--web-telemetry-path", "/m").telemetryPath());
    assertEquals("/a:b@c", settings(Map.of("AGENT_WORKFLOW_EXPORTER_WEB_TELEMETRY_PATH", "/a:b@c")).telemetryPath());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "metrics | --web.telemetry-path must start with /, got 'metrics'",
      "/ | --web.telemetry-path / is taken: / is the landing page, and paths under /-/ are the exporter's own "
          + "(/-/healthy, /-/ready); give another, e.g. /metrics",
      "/-/healthy | --web.telemetry-path /-/healthy is taken: / is the landing page",
      "/-/ready | --web.telemetry-path /-/ready is taken: / is the landing page",
      "/-/metrics | --web.telemetry-path /-/metrics is taken: / is the landing page",
      "/metrics?x=1 | --web.telemetry-path '/metrics?x=1' holds '?', which a URL path cannot hold as it is; use "
          + "letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ /",
      "/a%20b | --web.telemetry-path '/a%20b' holds '%', which a URL path cannot hold as it is",
      "\"/a b\" | --web.telemetry-path '/a b' holds ' ', which a URL path cannot hold as it is",
      "/métriques | --web.telemetry-path '/métriques' holds 'é', which a URL path cannot hold as it is"})
  void aTelemetryPathThatCannotBeServedExitsWithTwoAndOneLine(String path, String message) {
    assertEquals(2, run(Map.of(), "--db", "none.db", "--once", "--web.telemetry-path", path));
    String printed = err.toString();
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.startsWith("agent-workflow-exporter: " + message), printed);
  }

  @Test
  void anEmptyTelemetryPathExitsWithTwo() {
    assertRefused("--web.telemetry-path is empty; give a path such as /metrics", Map.of(), "--db", "none.db",
        "--once", "--web.telemetry-path", "");
  }

  private ServeOptions options(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.parseArgs(args);
    return ((ExporterCommand) commandLine.getCommand()).serve;
  }

  @Test
  void theLogLevelAndFormatTakeBothSpellingsAndTheirVariables() {
    assertEquals(LogLevel.INFO, options(Map.of()).log.logLevel);
    assertEquals(LogFormat.LOGFMT, options(Map.of()).log.logFormat);
    assertEquals(LogLevel.DEBUG, options(Map.of(), "--log.level=debug").log.logLevel);
    assertEquals(LogLevel.WARN, options(Map.of(), "--log-level", "WARN").log.logLevel);
    assertEquals(LogFormat.JSON, options(Map.of(), "--log.format=json").log.logFormat);
    assertEquals(LogFormat.JSON, options(Map.of(), "--log-format", "json").log.logFormat);
    ServeOptions fromEnvironment = options(Map.of("AGENT_WORKFLOW_EXPORTER_LOG_LEVEL", "error",
        "AGENT_WORKFLOW_EXPORTER_LOG_FORMAT", "json"));
    assertEquals(LogLevel.ERROR, fromEnvironment.log.logLevel);
    assertEquals(LogFormat.JSON, fromEnvironment.log.logFormat);
    assertEquals(LogFormat.LOGFMT, options(Map.of("AGENT_WORKFLOW_EXPORTER_LOG_FORMAT", "json"),
        "--log.format", "logfmt").log.logFormat);
  }

  @Test
  void anUnknownLogFormatExitsWithTwoAndOneLine() {
    assertRefused("Invalid value for option '--log-format': 'xml' is not a log format; use logfmt or json",
        Map.of(), "--db", "none.db", "--once", "--log.format", "xml");
  }

  @Test
  void helpShowsTheOfficialSpellingsAndTheirVariables() {
    CommandLine commandLine = ExporterCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    assertEquals(0, commandLine.execute("--help"));
    String help = out.toString().replaceAll("\\s+", " ");
    for (String text : new String[] {"--web.listen-address=[HOST]:PORT", "AGENT_WORKFLOW_EXPORTER_WEB_LISTEN_ADDRESS",
        "--web-telemetry-path, --web.telemetry-path=PATH", "AGENT_WORKFLOW_EXPORTER_WEB_TELEMETRY_PATH",
        "--log-level, --log.level=LEVEL", "--log-format, --log.format=FORMAT", "AGENT_WORKFLOW_EXPORTER_LOG_FORMAT"}) {
      assertTrue(help.contains(text), text + " in " + help);
    }
  }
}
