package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.ShipLoop;
import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.project.ProjectName;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ship}: copies a machine's SQLite log into the team's PostgreSQL store. */
@Command(
    name = "ship",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    sortOptions = false,
    description = {
      "Copies the rows of the workflow database (SQLite) into the team's PostgreSQL store "
          + "(deploy/postgresql/schema.sql), and the updates of the rows still running, every --interval "
          + "seconds until stopped, or once with --once. Running it twice, or again after a crash, never "
          + "duplicates a row; while the store cannot be reached the rows wait in the file. "
          + "The exporter reads the store with --db postgresql://…"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT; with --once: everything was shipped",
      "1:with --once: the file could not be read or the store not written (the rows wait in the file)",
      "2:invalid option or value"
    })
final class ShipCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--from", paramLabel = "PATH", defaultValue = DatabaseOptions.DEFAULT_DATABASE,
      description = "The workflow database to ship (env AGENT_WORKFLOW_EXPORTER_FROM, default ${DEFAULT-VALUE}).")
  Path from;

  @Option(names = "--to", paramLabel = "URI", required = true,
      description = "The store: postgresql://[user@]host[:port]/dbname[?sslmode=verify-full&…]; the password comes "
          + "from PGPASSWORD, ~/.pgpass or --db-password-file, never from the URI (env AGENT_WORKFLOW_EXPORTER_TO).")
  String to;

  @Option(names = "--project", paramLabel = "NAME",
      description = "The project the rows belong to, the project label of their series (env "
          + "AGENT_WORKFLOW_EXPORTER_PROJECT; default: the folder that holds logs/, as for --db NAME=PATH).")
  String project;

  @Option(names = "--host", paramLabel = "NAME",
      description = "This machine's name in the store (env AGENT_WORKFLOW_EXPORTER_HOST; default: the host name).")
  String host;

  @Option(names = "--db-password-file", paramLabel = "FILE",
      description = "A file whose first line is the store's password (env AGENT_WORKFLOW_EXPORTER_DB_PASSWORD_FILE).")
  Path passwordFile;

  @Option(names = "--ship-payloads",
      description = "Ship the payload columns too (prompt, raw_input, raw_output, tool_input, tool_output, metadata); "
          + "by default they stay in the file, and only the figures the metrics take from raw_output travel.")
  boolean payloads;

  @Option(names = "--once", description = "Ship what the file holds that the store does not, then exit.")
  boolean once;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds between two passes (env AGENT_WORKFLOW_EXPORTER_INTERVAL, default ${DEFAULT-VALUE}).")
  long intervalSeconds;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws Exception {
    log.apply();
    ShipLoop loop = new ShipLoop(from, address(), password(), project(), host(), payloads, interval());
    if (once) {
      return loop.once() ? 0 : ExitCodes.CANNOT_START;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Foreground.handle("TERM", stop::countDown);
    Foreground.handle("INT", stop::countDown);
    loop.untilStopped(stop);
    return 0;
  }

  private StoreAddress address() {
    if (!StoreAddress.isStore(to)) {
      throw error("--to must be a postgresql:// URI");
    }
    try {
      return StoreAddress.parse(to);
    } catch (IllegalArgumentException e) {
      throw error("--to: " + e.getMessage());
    }
  }

  private Optional<String> password() {
    return PasswordFile.read(passwordFile, "--db-password-file", this::error);
  }

  private String project() {
    String name = project != null ? project : ProjectName.of(from);
    if (!ProjectName.isValid(name)) {
      throw error("--project '" + name + "' is not a project name: " + ProjectName.rule()
          + (project == null ? "; the folder holding logs/ gave it, give --project" : ""));
    }
    return name;
  }

  private String host() {
    if (host != null) {
      if (host.isBlank()) {
        throw error("--host must not be blank");
      }
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      throw error("this machine's host name cannot be found (" + e.getMessage() + "); give --host");
    }
  }

  private Duration interval() {
    if (intervalSeconds < 1) {
      throw error("--interval must be at least 1 second, got " + intervalSeconds);
    }
    return Duration.ofSeconds(intervalSeconds);
  }

  private ParameterException error(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
