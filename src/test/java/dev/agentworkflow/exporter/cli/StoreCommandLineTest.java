package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.project.DatabaseSources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The options that name the team's PostgreSQL store ({@code ship --to}, {@code --db postgresql://…},
 * {@code demo --ship-to}): a bad one is one line and exit 2, before anything connects anywhere; a
 * password never travels in a URI.
 */
class StoreCommandLineTest {
  private final StringWriter err = new StringWriter();

  @TempDir
  Path dir;

  private int run(Map<String, String> env, String... args) {
    CommandLine commandLine = ExporterCommand.commandLine(env);
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    return commandLine.execute(args);
  }

  private void assertRefused(String expected, String... args) {
    assertEquals(2, run(Map.of(), args), err.toString());
    String line = err.toString().strip();
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.contains(expected), line);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "postgresql://ann:secret@db.example/agent_workflow|the URI holds a password; give it in PGPASSWORD, ~/.pgpass or --db-password-file",
    "postgresql:///agent_workflow|the URI names no host",
    "postgresql://db.example|the URI names no database",
    "postgresql://db.example/a/b|the URI names no database",
    "mysql://db.example/agent_workflow|--to must be a postgresql:// URI"})
  void shipRefusesABadStore(String uri, String expected) {
    assertRefused(expected, "ship", "--to", uri, "--project", "alpha");
  }

  @Test
  void shipRefusesABadProjectAHostAndAPasswordFile() throws Exception {
    assertRefused("--project 'al pha' is not a project name", "ship", "--to", "postgresql://db/aw", "--project", "al pha");
    err.getBuffer().setLength(0);
    assertRefused("--host must not be blank", "ship", "--to", "postgresql://db/aw", "--project", "a", "--host", " ");
    err.getBuffer().setLength(0);
    Path empty = Files.createFile(dir.resolve("empty"));
    assertRefused("--db-password-file " + empty + " is empty", "ship", "--to", "postgresql://db/aw", "--project", "a",
        "--db-password-file", empty.toString());
    err.getBuffer().setLength(0);
    assertRefused("--db-password-file " + dir.resolve("none") + " cannot be read", "ship", "--to",
        "postgresql://db/aw", "--project", "a", "--db-password-file", dir.resolve("none").toString());
    err.getBuffer().setLength(0);
    assertRefused("--interval must be at least 1 second", "ship", "--to", "postgresql://db/aw", "--project", "a",
        "--interval", "0");
  }

  @Test
  void theStoreIsReadAlone() {
    assertRefused("--db postgresql://… is read alone", "--db", "postgresql://db/aw", "--db", "x.db", "--once");
    err.getBuffer().setLength(0);
    assertRefused("--db postgresql://… is read alone", "--db", "postgresql://db/aw", "--db-glob", "/x/*.db", "--once");
    err.getBuffer().setLength(0);
    assertRefused("--db: the URI holds a password", "--db", "postgresql://ann:pw@db/aw", "--once");
    err.getBuffer().setLength(0);
    assertRefused("--db-password-file is for --db postgresql://", "--db", "x.db", "--db-password-file", "/etc/hosts",
        "--once");
    err.getBuffer().setLength(0);
    assertRefused("--metrics-config is not read with --db postgresql://", "--db", "postgresql://db/aw",
        "--metrics-config", "/etc/hosts", "--once");
    err.getBuffer().setLength(0);
    assertRefused("--ship-to must be a postgresql:// URI", "demo", "--ship-to", "x.db");
  }

  @Test
  void onceAgainstAStoreThatCannotBeReachedExitsOne() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertEquals(1, run(Map.of(), "--once", "--db", "postgresql://exporter@127.0.0.1:" + closed + "/aw"));
    assertTrue(err.toString().contains("the store postgresql://exporter@127.0.0.1:" + closed + "/aw lists no project"),
        err.toString());
    err.getBuffer().setLength(0);
    assertEquals(1, run(Map.of(), "ship", "--once", "--project", "alpha", "--from", dir.resolve("none.db").toString(),
        "--to", "postgresql://shipper@127.0.0.1:" + closed + "/aw"), "a file that is not there: nothing shipped");
  }

  @Test
  void theStoreComesFromTheVariableWholeThoughItHoldsColons() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "s3cret\nignored\n");
    CommandLine commandLine = ExporterCommand.commandLine(Map.of("AGENT_WORKFLOW_EXPORTER_DB",
        "postgresql://exporter@db.example:5432/agent_workflow?sslmode=verify-full",
        "AGENT_WORKFLOW_EXPORTER_DB_PASSWORD_FILE", password.toString()));
    commandLine.parseArgs();
    DatabaseSources sources = ((ExporterCommand) commandLine.getCommand()).databases.sources();
    assertEquals("postgresql://exporter@db.example:5432/agent_workflow?sslmode=verify-full",
        sources.store().orElseThrow().uri());
    assertEquals(Optional.of("s3cret"), sources.store().orElseThrow().password());
    assertEquals("StoreSource[postgresql://exporter@db.example:5432/agent_workflow]",
        sources.store().orElseThrow().toString(), "the password is never shown");
    assertTrue(sources.labelled(), "every series of a store carries project");
  }
}
