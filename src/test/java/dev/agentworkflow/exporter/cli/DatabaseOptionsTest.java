package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.project.DatabaseGlob;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.project.NamedDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** --db [NAME=]PATH, --db-glob and their variables, as the command line reads them. */
class DatabaseOptionsTest {
  private final StringWriter err = new StringWriter();

  private ExporterSettings settings(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.parseArgs(args);
    ExporterCommand command = commandLine.getCommand();
    return command.serve.settings(command.databases.sources());
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    return commandLine.execute(args);
  }

  @Test
  void oneDatabaseIsReadAsBeforeWithoutTheLabel() {
    DatabaseSources one = settings(Map.of(), "--db", "/srv/alpha/logs/agent_workflow.db").databases();
    assertFalse(one.labelled());
    assertEquals(List.of(new NamedDatabase("alpha", Path.of("/srv/alpha/logs/agent_workflow.db"))), one.named());
    assertEquals(List.of(new NamedDatabase(Path.of("").toAbsolutePath().getFileName().toString(),
        Path.of("logs/agent_workflow.db"))), settings(Map.of()).databases().named(), "the default");
  }

  @Test
  void namedAndPlainDatabasesInTheOrderGiven() {
    DatabaseSources many = settings(Map.of(), "--db", "alpha=/data/one.db", "--db", "/srv/beta/logs/agent_workflow.db",
        "--db", "./x=y/logs/agent_workflow.db").databases();
    assertTrue(many.labelled());
    assertEquals(List.of(new NamedDatabase("alpha", Path.of("/data/one.db")),
        new NamedDatabase("beta", Path.of("/srv/beta/logs/agent_workflow.db")),
        new NamedDatabase("x=y", Path.of("./x=y/logs/agent_workflow.db"))), many.named());
  }

  @Test
  void theVariablesHoldSeveralSeparatedByColons() {
    DatabaseSources sources = settings(Map.of(
        "AGENT_WORKFLOW_EXPORTER_DB", "alpha=/data/one.db:/srv/beta/logs/agent_workflow.db",
        "AGENT_WORKFLOW_EXPORTER_DB_GLOB", "/home/*/src/*/logs/agent_workflow.db:/srv/**/agent_workflow.db",
        "AGENT_WORKFLOW_EXPORTER_DB_GLOB_INTERVAL", "30s")).databases();
    assertEquals(List.of(new NamedDatabase("alpha", Path.of("/data/one.db")),
        new NamedDatabase("beta", Path.of("/srv/beta/logs/agent_workflow.db"))), sources.named());
    assertEquals(List.of("/home/*/src/*/logs/agent_workflow.db", "/srv/**/agent_workflow.db"),
        sources.globs().stream().map(DatabaseGlob::pattern).toList());
    assertEquals(Duration.ofSeconds(30), sources.lookEvery());
    // a flag wins, and on the command line a ':' is part of the value
    assertEquals(List.of(new NamedDatabase("c", Path.of("/a:b/c.db"))),
        settings(Map.of("AGENT_WORKFLOW_EXPORTER_DB", "/x.db:/y.db"), "--db", "c=/a:b/c.db").databases().named());
  }

  @Test
  void aGlobAloneReadsNoDefaultDatabaseAndIsLabelledEvenIfItFindsOne() {
    DatabaseSources glob = settings(Map.of(), "--db-glob", "/nowhere/*/logs/agent_workflow.db").databases();
    assertEquals(List.of(), glob.named());
    assertTrue(glob.labelled());
    assertEquals(DatabaseSources.DEFAULT_LOOK_EVERY, glob.lookEvery());
  }

  @Test
  void withSeveralEachDatabaseHasAStateFileOfItsOwnInTheStateFolder() {
    ExporterSettings s = settings(Map.of("HOME", "/home/ann"), "--db", "a=/srv/a.db", "--db", "b=/srv/b.db");
    Path a = s.forDatabase(Path.of("/srv/a.db")).stateFile().orElseThrow();
    Path b = s.forDatabase(Path.of("/srv/b.db")).stateFile().orElseThrow();
    assertEquals(Path.of("/home/ann/.local/state/agent-workflow-exporter"), a.getParent());
    assertEquals(a.getParent(), b.getParent());
    assertTrue(a.getFileName().toString().startsWith("a.db-") && b.getFileName().toString().startsWith("b.db-"));
    assertEquals(Optional.empty(), settings(Map.of("HOME", "/home/ann"), "--db", "a=/srv/a.db", "--db", "b=/srv/b.db",
        "--state-file", "none").forDatabase(Path.of("/srv/a.db")).stateFile());
    assertEquals(Optional.of(Path.of("/var/lib/x/s.state")), settings(Map.of("HOME", "/home/ann"), "--db", "/srv/a.db",
        "--state-file", "/var/lib/x/s.state").forDatabase(Path.of("/srv/a.db")).stateFile(), "one: as given");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--db a=/x/one.db --db a=/y/two.db|--db: /x/one.db and /y/two.db are both named a; name them apart with NAME=PATH",
      "--db /x/app/logs/agent_workflow.db --db /y/app/logs/agent_workflow.db|--db: /x/app/logs/agent_workflow.db and "
          + "/y/app/logs/agent_workflow.db are both named app; name them apart with NAME=PATH",
      "--db a=/x/one.db --db b=/x/../x/one.db|--db /x/../x/one.db is given twice (as a and b); give each database once",
      "--db my.project!=/x.db|--db my.project!=/x.db: 'my.project!' cannot be a project name: use letters, digits, "
          + "'_', '.' and '-', starting with a letter or digit, at most 64 characters (a path with '=' in its first "
          + "part: write it as ./my.project!=/x.db)",
      "--db =/x.db|--db =/x.db: '' cannot be a project name: use letters, digits, '_', '.' and '-', starting with a "
          + "letter or digit, at most 64 characters (a path with '=' in its first part: write it as ./=/x.db)",
      "--db a=|Invalid value for option '--db': the path is empty",
      "--db a=/x.db --db b=/y.db --state-file /var/lib/s.state|--state-file /var/lib/s.state names one file, and "
          + "several databases are read: each keeps its own in $STATE_DIRECTORY, else in "
          + "${XDG_STATE_HOME:-$HOME/.local/state}/agent-workflow-exporter/; leave --state-file out, or give none",
      "--db-glob /srv/*/logs/|--db-glob '/srv/*/logs/' names a folder; end it with the database's file name",
      "--db-glob /srv/x --db-glob-interval 500ms|--db-glob-interval must be at least 1s, got 500ms"})
  void badDatabasesExitWithTwoAndOneLine(String args, String message) {
    assertEquals(2, run(Map.of(), args.split(" ")));
    assertEquals("agent-workflow-exporter: " + message + " (see --help)" + System.lineSeparator(), err.toString());
  }

  @Test
  void anEmptyEntryInAVariableIsRefused() {
    assertEquals(2, run(Map.of("AGENT_WORKFLOW_EXPORTER_DB", "/x.db::/y.db")));
    assertEquals("agent-workflow-exporter: AGENT_WORKFLOW_EXPORTER_DB holds an empty entry ('/x.db::/y.db'); separate "
        + "the entries with a single ':' (see --help)" + System.lineSeparator(), err.toString());
  }
}
