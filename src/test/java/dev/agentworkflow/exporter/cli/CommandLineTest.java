package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.log.LogLevel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
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
      "--stale-after 0h | '0h' is out of range: give a duration from 1ms to 365d",
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

  /**
   * Issue 12: an empty {@code --db} was read as the working directory (exit 1, "is not a regular file"),
   * an empty {@code --textfile} as a file beside it, an empty {@code --bind} as loopback.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--once --db | Invalid value for option '--db': the path is empty",
      "--db none.db --textfile | Invalid value for option '--textfile': the path is empty",
      "--db none.db --once --web-config-file | Invalid value for option '--web-config-file': the path is empty",
      "--db none.db --once --bind | --bind is empty; give an address such as 127.0.0.1, or 0.0.0.0 for all of this "
          + "host's"})
  void anEmptyValueExitsWithTwoAndOneLine(String args, String message) {
    List<String> words = new ArrayList<>(List.of(args.split(" ")));
    words.add("");
    assertEquals(2, run(Map.of(), words.toArray(String[]::new)));
    assertEquals("agent-workflow-exporter: " + message + " (see --help)" + System.lineSeparator(), err.toString());
  }

  /** Issue 12: an empty variable was ignored, so AGENT_WORKFLOW_EXPORTER_DB= silently read the default path. */
  @ParameterizedTest
  @CsvSource({"AGENT_WORKFLOW_EXPORTER_DB,--db", "AGENT_WORKFLOW_EXPORTER_TIMEZONE,--timezone",
      "AGENT_WORKFLOW_EXPORTER_WEB_CONFIG_FILE,--web-config-file", "AGENT_WORKFLOW_EXPORTER_BIND,--bind",
      "AGENT_WORKFLOW_EXPORTER_PORT,--port"})
  void anEmptyEnvironmentVariableExitsWithTwoAndOneLineNamingIt(String variable, String option) {
    String[] args = option.equals("--db") ? new String[] {"--once"} : new String[] {"--once", "--db", "none.db"};
    assertEquals(2, run(Map.of(variable, ""), args));
    assertEquals("agent-workflow-exporter: " + variable + " is set but empty; unset it or give " + option
        + " a value (see --help)" + System.lineSeparator(), err.toString());
  }

  @Test
  void aFlagWinsOverAnEmptyVariable() {
    assertEquals(Path.of("x.db"), onlyDatabase(parse(Map.of("AGENT_WORKFLOW_EXPORTER_DB", ""), "--db", "x.db")));
  }

  /**
   * Every long option read a variable, also those whose help names none: AGENT_WORKFLOW_EXPORTER_VERSION=1.2.3,
   * as images set for the version they installed, stopped the exporter ("'1.2.3' is not a boolean" for
   * --version), AGENT_WORKFLOW_EXPORTER_ONCE=true switched it to one-shot, and the demo took the service's
   * AGENT_WORKFLOW_EXPORTER_DB as the place for its database.
   */
  @Test
  void onlyTheVariablesThatTheHelpNamesAreRead() {
    Map<String, String> env = Map.of("AGENT_WORKFLOW_EXPORTER_VERSION", "1.2.3", "AGENT_WORKFLOW_EXPORTER_HELP", "true",
        "AGENT_WORKFLOW_EXPORTER_ONCE", "true", "AGENT_WORKFLOW_EXPORTER_TEXTFILE", "/tmp/metrics.prom",
        "AGENT_WORKFLOW_EXPORTER_DB", "/data/wf.db", "AGENT_WORKFLOW_EXPORTER_SEED", "7");
    CommandLine commandLine = ExporterCommand.commandLine(env);
    ExporterCommand command = commandLine.getCommand();
    CommandLine.ParseResult parsed = commandLine.parseArgs("demo");
    DemoCommand demo = (DemoCommand) parsed.subcommand().commandSpec().userObject();
    assertEquals(false, command.once);
    assertEquals(null, command.textfile);
    assertEquals(Path.of("/data/wf.db"), onlyDatabase(command), "the documented variable still counts");
    assertEquals(null, demo.database);
    assertEquals(1, demo.seed);
  }

  @Test
  void defaultsAreTheGuides() {
    ExporterCommand command = parse(Map.of());
    assertEquals(Path.of("logs/agent_workflow.db"), onlyDatabase(command));
    assertEquals(9090, command.serve.port);
    assertEquals("0.0.0.0", command.serve.bind);
    assertEquals(15, command.serve.intervalSeconds);
    assertEquals(Duration.ofHours(6), command.serve.staleAfter);
    assertEquals(ZoneId.systemDefault(), command.serve.settings(command.databases.sources()).timezone());
    assertEquals(500, command.serve.maxLabelValues);
    assertEquals(2000, command.serve.maxSeries);
    assertEquals(LogLevel.INFO, command.serve.log.logLevel);
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
    assertEquals(Path.of("/data/wf.db"), onlyDatabase(command));
    assertEquals(9091, command.serve.port);
    assertEquals("127.0.0.1", command.serve.bind);
    assertEquals(10, command.serve.intervalSeconds);
    assertEquals(Duration.ofMinutes(90), command.serve.staleAfter);
    assertEquals(ZoneId.of("UTC"), command.serve.timezone);
    assertEquals(50, command.serve.maxLabelValues);
    assertEquals(300, command.serve.maxSeries);
    assertEquals(LogLevel.WARN, command.serve.log.logLevel);

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

  /**
   * Issue 12: a key with CR/LF in the web configuration file was echoed raw, so the one-line error
   * became two lines, the second one a forged log line.
   */
  @Test
  void controlCharactersFromAWebConfigFileAreEscapedInTheOneLineError(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("web.yml");
    Files.writeString(config, "\"tls_server_config\\r\\n2026-01-01T00:00:00.000Z ERROR forged\": {}\n");
    assertEquals(2, run(Map.of(), "--db", "none.db", "--once", "--web-config-file", config.toString()));
    assertEquals("agent-workflow-exporter: --web-config-file " + config + ": tls_server_config\\r\\n"
        + "2026-01-01T00:00:00.000Z ERROR forged: unknown key; the keys allowed here are basic_auth_users, "
        + "http_server_config, rate_limit, tls_server_config (see --help)" + System.lineSeparator(), err.toString());
  }

  /** Issue 12: a newline or an escape sequence in an option's value reached the terminal raw. */
  @Test
  void controlCharactersInAnOptionValueAreEscapedInTheOneLineError() {
    assertEquals(2, run(Map.of(), "--db", "none.db", "--once", "--timezone", "Mars\n\u001b[2JBase\u009b"));
    assertEquals("agent-workflow-exporter: Invalid value for option '--timezone': unknown time zone "
        + "'Mars\\n\\x1b[2JBase\\x9b'; use a region such as Europe/Berlin, UTC, or an offset such as +02:00 "
        + "(see --help)" + System.lineSeparator(), err.toString());
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

  /** Issue 12: {@code --bind 192.0.2.1} (not an address of this host) was reported as "port … is already in use". */
  @Test
  void anAddressThisHostDoesNotHaveExitsWithOneLineSayingSo() throws Exception {
    String address = Stream.of("192.0.2.1", "198.51.100.1", "203.0.113.1")
        .filter(CommandLineTest::notOnThisHost).findFirst().orElseThrow();
    Path nonlocalBind = Path.of("/proc/sys/net/ipv4/ip_nonlocal_bind"); // 1: the bind would succeed and serve
    Assumptions.assumeTrue(!Files.exists(nonlocalBind) || Files.readAllLines(nonlocalBind).get(0).strip().equals("0"),
        "SKIPPED: this kernel lets a process bind addresses it does not have (ip_nonlocal_bind)");
    assertEquals(1, run(Map.of(), "--bind", address, "--port", "9", "--db", "none.db"));
    assertEquals("agent-workflow-exporter: cannot listen on " + address + ":9: " + address
        + " is not an address of this host; give one of its addresses with --bind, or 0.0.0.0 for all"
        + System.lineSeparator(), err.toString());
  }

  private static boolean notOnThisHost(String address) {
    try {
      return NetworkInterface.getByInetAddress(InetAddress.getByName(address)) == null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    assertTrue(help.replaceAll("\\s+", " ").contains("a status page on /, /-/healthy and /-/ready"), help);
    assertTrue(help.contains("Exit codes:"));
    assertTrue(help.contains("invalid option or value"));
    assertTrue(help.contains("SIGHUP           reload the configuration files (--web-config-file), go on"), help);
  }

  /**
   * Issue 15: {@code --help} broke words after full stops ("e." and "g." on two lines, so did
   * "docs/security." and "md": picocli wraps with the JDK's line BreakIterator) and showed
   * "default: the system's, null".
   */
  @ParameterizedTest
  @ValueSource(ints = {60, 80, 132})
  void helpWrapsAtSpacesOnlyAndShowsEveryDescriptionWhole(int width) {
    for (String command : new String[] {"", "demo"}) {
      CommandLine commandLine = ExporterCommand.commandLine(Map.of());
      commandLine.setUsageHelpWidth(width);
      StringWriter out = new StringWriter();
      commandLine.setOut(new PrintWriter(out));
      String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
      assertEquals(0, commandLine.execute(args));
      String help = out.toString();
      String flowing = help.replaceAll("\\s+", " ");
      CommandLine shown = command.isEmpty() ? commandLine : commandLine.getSubcommands().get(command);
      for (CommandLine.Model.OptionSpec option : shown.getCommandSpec().options()) {
        String description = String.join(" ", option.renderedDescription()).replaceAll("\\s+", " ").strip();
        assertTrue(flowing.contains(description), option.longestName() + " at width " + width + ":\n" + help);
      }
      assertTrue(flowing.contains("docs/security.md"), help);
      assertTrue(help.contains("--web.listen-address=[HOST]:PORT"), help);
      assertTrue(flowing.contains("default: this machine's zone"), help);
      assertFalse(help.contains("null"), help);
      for (String line : help.lines().toList()) {
        boolean oneLongWord = !line.strip().contains(" ");
        assertTrue(line.length() <= width || oneLongWord || !line.startsWith(" "), width + ": " + line);
      }
    }
  }

  /** Issue 12: {@code --stale-after 110000d} ended in a stack trace (the tracker's toNanos overflowed), exit 1. */
  @ParameterizedTest
  @CsvSource({"110000d", "106752d", "366d", "53w", "8761h", "31536001s", "99999999999999999999s",
      "9223372036854775807d", "0h", "0ms"})
  void aStaleAfterOutsideOneMillisecondToAYearExitsWithTwoAndTheRangeInOneLine(String value) {
    assertEquals(2, run(Map.of(), "--db", "none.db", "--once", "--stale-after", value));
    assertEquals("agent-workflow-exporter: Invalid value for option '--stale-after': '" + value
        + "' is out of range: give a duration from 1ms to 365d (see --help)" + System.lineSeparator(), err.toString());
  }

  @Test
  void aStaleAfterOutOfRangeFromTheEnvironmentIsRefusedToo() {
    assertEquals(2, run(Map.of("AGENT_WORKFLOW_EXPORTER_STALE_AFTER", "110000d"), "--db", "none.db", "--once"));
    assertTrue(err.toString().contains("'110000d' is out of range: give a duration from 1ms to 365d"), err.toString());
  }

  @ParameterizedTest
  @CsvSource({"90s,PT1M30S", "365d,PT8760H", "52w,PT8736H", "1ms,PT0.001S", "30m,PT30M", "6h,PT6H", "1h30m,PT1H30M", "2d,PT48H", "1w,PT168H", "500ms,PT0.5S"})
  void durations(String text, String iso) {
    assertEquals(Duration.parse(iso), new DurationConverter().convert(text));
  }

  private java.util.Optional<Path> stateFile(Map<String, String> env, String... args) {
    ExporterCommand command = parse(env, args);
    return command.serve.settings(command.databases.sources()).stateFile();
  }

  @Test
  void theStateFileIsInStateDirectoryElseTheXdgStateFolderOneForEachDatabase() {
    Path db = Path.of("/srv/project/logs/agent_workflow.db");
    Path inSystemd = stateFile(Map.of("STATE_DIRECTORY", "/var/lib/agent-workflow-exporter:/var/lib/other",
        "XDG_STATE_HOME", "/x", "HOME", "/home/u"), "--db", db.toString()).orElseThrow();
    assertEquals(Path.of("/var/lib/agent-workflow-exporter"), inSystemd.getParent());
    assertTrue(inSystemd.getFileName().toString().matches("agent_workflow\\.db-[0-9a-f]{16}\\.state"), inSystemd.toString());
    assertEquals(Path.of("/x/agent-workflow-exporter"),
        stateFile(Map.of("XDG_STATE_HOME", "/x", "HOME", "/home/u"), "--db", db.toString()).orElseThrow().getParent());
    assertEquals(Path.of("/home/u/.local/state/agent-workflow-exporter"),
        stateFile(Map.of("HOME", "/home/u"), "--db", db.toString()).orElseThrow().getParent());
    assertEquals(Path.of("/home/u/.local/state/agent-workflow-exporter"),
        stateFile(Map.of("XDG_STATE_HOME", "relative", "HOME", "/home/u"), "--db", db.toString()).orElseThrow().getParent(),
        "a relative XDG_STATE_HOME is ignored, as the XDG specification says");
    assertNotEquals(inSystemd, stateFile(Map.of("STATE_DIRECTORY", "/var/lib/agent-workflow-exporter"),
        "--db", "/srv/other/logs/agent_workflow.db").orElseThrow(), "two databases never share one");
    assertEquals(java.util.Optional.empty(), stateFile(Map.of("HOME", "/home/u"), "--db", db.toString(),
        "--state-file", "none"));
    assertEquals(java.util.Optional.empty(), stateFile(Map.of("HOME", "/home/u", "AGENT_WORKFLOW_EXPORTER_STATE_FILE",
        "none"), "--db", db.toString()));
    assertEquals(java.util.Optional.of(Path.of("/var/tmp/x.state")), stateFile(Map.of(), "--db", db.toString(),
        "--state-file", "/var/tmp/x.state"));
  }

  @Test
  void aStateFileInTheDatabasesFolderExitsWithTwoAndOneLine() {
    assertEquals(2, run(Map.of(), "--db", "/srv/project/logs/agent_workflow.db", "--state-file",
        "/srv/project/logs/exporter.state", "--once"));
    assertEquals("agent-workflow-exporter: --state-file /srv/project/logs/exporter.state is in the database's folder, "
        + "which is the hooks': the exporter writes nothing there; give a path in another folder (see --help)"
        + System.lineSeparator(), err.toString());
  }

  /** The one database the command line names. */
  private static Path onlyDatabase(ExporterCommand command) {
    var named = command.databases.sources().named();
    assertEquals(1, named.size(), "one database");
    return named.get(0).path();
  }

  /**
   * Issue 18: a metrics configuration that cannot be used stops the exporter at start with exit 2
   * and one line, {@code FILE:LINE: what is wrong}: a key, a name taken by a built-in metric, and
   * SQL that does not prepare against the database's schema.
   */
  @Test
  void aBadMetricsConfigExitsWithTwoAndOneLineWithItsFileAndLine(@TempDir Path dir) throws Exception {
    Path database = dir.resolve("logs").resolve("agent_workflow.db");
    Files.createDirectories(database.getParent());
    dev.agentworkflow.exporter.support.HookDatabase.create(database);
    String counter = """
        row_metrics:
          - name: %s
            help: Tool uses
            type: counter
            table: agent_tool_uses
            finished: %s
        """;
    Map<String, String> files = Map.of(
        counter.formatted("tool_runs_total", "status <> 'started'") + "    color: red\n",
        "7: unknown key 'color'; the keys allowed here are buckets, finished, help, interval, labels, name, table, "
            + "timeout, type, value, where",
        counter.formatted("agent_tool_usage_total", "status <> 'started'"),
        "2: 'agent_tool_usage_total' clashes with a built-in metric (agent_tool_usage_total)",
        counter.formatted("tool_runs_total", "state <> 'started'"),
        "2: tool_runs_total: cannot be read from " + database + ": [SQLITE_ERROR] SQL error or missing "
            + "database (no such column: state)",
        counter.formatted("tool_runs_total", "count(*) > 0"),
        "2: tool_runs_total: cannot be read from " + database + ": 'count(*) > 0' is not a value of "
            + "one row: a row metric's expressions are evaluated row by row (an aggregate such as sum or count "
            + "belongs in a query metric)",
        counter.formatted("tool_runs_total", "status <> 'started'").replace("agent_tool_uses", "sessions"),
        "2: tool_runs_total: cannot be read from " + database + ": table sessions has a primary key of type TEXT; a "
            + "row metric reads a table by its ids, which only an INTEGER PRIMARY KEY keeps");
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path config = Files.createTempFile(dir, "metrics", ".yml");
      Files.writeString(config, file.getKey());
      err.getBuffer().setLength(0);
      assertEquals(2, run(Map.of(), "--db", database.toString(), "--once", "--metrics-config", config.toString()));
      String printed = err.toString();
      assertEquals("agent-workflow-exporter: --metrics-config " + config + ":" + file.getValue() + " (see --help)"
          + System.lineSeparator(), printed);
    }
  }

  @Test
  void theMetricsConfigIsReadFromItsVariableToo(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("metrics.yml");
    Files.writeString(config, "query_metrics: [{name: q, help: h, type: gauge, query: 'DROP TABLE x', value: n}]\n");
    assertEquals(2, run(Map.of("AGENT_WORKFLOW_EXPORTER_METRICS_CONFIG", config.toString()), "--db", "none.db",
        "--once"));
    assertEquals("agent-workflow-exporter: --metrics-config " + config + ":1: the query must be one SELECT (or WITH "
        + "… SELECT), not DROP (see --help)" + System.lineSeparator(), err.toString());
  }

  /** Issue 18: every bad file of the corpus, given on the command line: exit 2 and its one line. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("dev.agentworkflow.exporter.custom.CustomMetricsFileTest#badFiles")
  void everyBadMetricsConfigOfTheCorpusExitsWithTwoAndItsLine(String text, String message, @TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("m.yml");
    Files.writeString(config, text);
    assertEquals(2, run(Map.of(), "--db", "none.db", "--once", "--metrics-config", config.toString()));
    String printed = err.toString();
    assertEquals(1, printed.lines().count(), printed);
    String expected = "agent-workflow-exporter: --metrics-config " + message.replaceFirst("^m\\.yml", config.toString());
    assertTrue(printed.startsWith(expected), printed + " does not start with " + expected);
  }
}
