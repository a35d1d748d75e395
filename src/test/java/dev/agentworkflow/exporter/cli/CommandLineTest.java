package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Options, environment defaults and one-line errors, in process with an injected environment. */
class CommandLineTest {
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    return commandLine.execute(args);
  }

  private ExporterCommand parse(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.parseArgs(args);
    return commandLine.getCommand();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--interval 0 | --interval must be at least 1 second, got 0",
      "--port 70000 | --port must be between 0 and 65535, got 70000",
      "--port -1 | --port must be between 0 and 65535, got -1",
      "--timezone Mars/Base | unknown time zone 'Mars/Base'",
      "--stale-after 6 | '6' is not a duration",
      "--stale-after 0h | '0h' must be longer than zero",
      "--bogus | Unknown option: '--bogus'",
      "--interval soon | 'soon' is not an int",
      "--bind no.such.host.invalid | cannot resolve address 'no.such.host.invalid'",
      "--max-label-values 0 | --max-label-values must be at least 1, got 0",
      "--max-series 0 | --max-series must be at least 1, got 0",
      "--max-series -5 | --max-series must be at least 1, got -5",
      "--log-level loud | 'loud' is not a log level"})
  void badOptionsExitWithTwoAndOneLine(String args, String message) {
    assertEquals(2, run(Map.of(), args.split(" ")));
    String printed = err.toString();
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.startsWith("agent-workflow-exporter: "), printed);
    assertTrue(printed.contains(message), printed);
  }

  @Test
  void badValuesFromTheEnvironmentAreRefusedToo() {
    assertEquals(2, run(Map.of("AGENT_WORKFLOW_EXPORTER_INTERVAL", "0")));
    assertTrue(err.toString().contains("--interval must be at least 1 second"), err.toString());
  }

  @Test
  void defaultsAreTheGuides() {
    ExporterCommand command = parse(Map.of());
    assertEquals(Path.of("logs/agent_workflow.db"), command.database);
    assertEquals(9090, command.serve.port);
    assertEquals("0.0.0.0", command.serve.bind);
    assertEquals(15, command.serve.intervalSeconds);
    assertEquals(Duration.ofHours(6), command.serve.staleAfter);
    assertEquals(ZoneId.systemDefault(), command.serve.settings(command.database).timezone());
    assertEquals(500, command.serve.maxLabelValues);
    assertEquals(2000, command.serve.maxSeries);
    assertEquals(LogLevel.INFO, command.serve.logLevel);
  }

  @Test
  void everyOptionCanComeFromTheEnvironmentAndAFlagWins() {
    Map<String, String> env = Map.of(
        "AGENT_WORKFLOW_EXPORTER_DB", "/data/wf.db",
        "AGENT_WORKFLOW_EXPORTER_PORT", "9091",
        "AGENT_WORKFLOW_EXPORTER_BIND", "127.0.0.1",
        "AGENT_WORKFLOW_EXPORTER_INTERVAL", "10",
        "AGENT_WORKFLOW_EXPORTER_STALE_AFTER", "1h30m",
        "AGENT_WORKFLOW_EXPORTER_TIMEZONE", "UTC",
        "AGENT_WORKFLOW_EXPORTER_MAX_LABEL_VALUES", "50",
        "AGENT_WORKFLOW_EXPORTER_MAX_SERIES", "300",
        "AGENT_WORKFLOW_EXPORTER_LOG_LEVEL", "warn");
    ExporterCommand command = parse(env);
    assertEquals(Path.of("/data/wf.db"), command.database);
    assertEquals(9091, command.serve.port);
    assertEquals("127.0.0.1", command.serve.bind);
    assertEquals(10, command.serve.intervalSeconds);
    assertEquals(Duration.ofMinutes(90), command.serve.staleAfter);
    assertEquals(ZoneId.of("UTC"), command.serve.timezone);
    assertEquals(50, command.serve.maxLabelValues);
    assertEquals(300, command.serve.maxSeries);
    assertEquals(LogLevel.WARN, command.serve.logLevel);

    assertEquals(9999, parse(env, "--port", "9999").serve.port);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not-yaml.yml | not-yaml.yml: not valid YAML at line 2, column 1: expected ',' or ']'",
      "unknown-key.yml | unknown-key.yml: tls_server_config.cert_filse: unknown key; the keys allowed here are cert,",
      "missing-cert-file.yml | missing-cert-file.yml: tls_server_config.cert_file: cannot read ",
      "plain-password.yml | plain-password.yml: basic_auth_users.alice: not a bcrypt hash; store the hash",
      "no-such-file.yml | no-such-file.yml: cannot read it: no such file"})
  void aBadWebConfigFileExitsWithTwoAndOneLineNamingTheProblem(String file, String message, @TempDir Path dir)
      throws Exception {
    Path config = dir.resolve(file);
    try (var in = getClass().getResourceAsStream("/webconfig/" + file)) {
      if (in != null) {
        Files.copy(in, config);
      }
    }
    assertEquals(2, run(Map.of(), "--db", "none.db", "--web-config-file", config.toString()));
    String printed = err.toString();
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.startsWith("agent-workflow-exporter: --web-config-file " + dir), printed);
    assertTrue(printed.contains(message), printed);
  }

  @Test
  void theWebConfigFileComesFromTheToolkitsFlagNameOrTheEnvironmentToo() {
    assertEquals(Path.of("/etc/web.yml"), parse(Map.of(), "--web.config.file", "/etc/web.yml").serve.webConfigFile);
    assertEquals(Path.of("/etc/env.yml"),
        parse(Map.of("AGENT_WORKFLOW_EXPORTER_WEB_CONFIG_FILE", "/etc/env.yml")).serve.webConfigFile);
    assertEquals(null, parse(Map.of()).serve.webConfigFile);
  }

  @Test
  void aPortInUseExitsWithOneLineNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertEquals(1, run(Map.of(), "--bind", "127.0.0.1", "--port", Integer.toString(port), "--db", "none.db"));
      String printed = err.toString();
      assertEquals(1, printed.lines().count(), printed);
      assertTrue(printed.contains("port " + port + " is already in use; choose another with --port"), printed);
    }
  }

  @Test
  void helpListsEnvironmentVariablesAndExitCodes() {
    CommandLine commandLine = ExporterCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    assertEquals(0, commandLine.execute("--help"));
    String help = out.toString();
    for (String option : new String[] {"--db", "--port", "--bind", "--interval", "--stale-after", "--timezone",
        "--max-label-values", "--max-series", "--log-level", "--web-config-file"}) {
      assertTrue(help.contains(option), option);
      assertTrue(help.contains(EnvironmentDefaults.variableFor(option)), EnvironmentDefaults.variableFor(option));
    }
    assertTrue(help.contains("Exit codes:"));
    assertTrue(help.contains("invalid option or value"));
  }

  @ParameterizedTest
  @CsvSource({"90s,PT1M30S", "30m,PT30M", "6h,PT6H", "1h30m,PT1H30M", "2d,PT48H", "1w,PT168H", "500ms,PT0.5S"})
  void durations(String text, String iso) {
    assertEquals(Duration.parse(iso), new DurationConverter().convert(text));
  }
}
