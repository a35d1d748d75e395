package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.app.ShipLoop;
import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.demo.LiveActivity;
import dev.agentworkflow.exporter.demo.Pace;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.project.StoreSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code demo}: a realistic database, kept busy the way the hooks write, exported. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    sortOptions = false,
    abbreviateSynopsis = true, // the full synopsis wraps with picocli's BreakIterator, which breaks "--web." from "listen-address"
    description = {
      "Creates a demo database with a day of history, keeps writing live activity to it with the hooks' "
          + "statements, and exports it. Stop with Ctrl-C."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--db", paramLabel = "PATH",
      description = "Where to create the demo database; it must not exist, unless an earlier demo made it "
          + "(default: a new temporary folder).")
  Path database;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of the simulated activity (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--pace", paramLabel = "PACE", defaultValue = "busy", converter = PaceConverter.class,
      description = {"How busy the simulated pipeline is (default ${DEFAULT-VALUE}):",
          "busy: a session every half hour in the history; live, agents run ten times faster than real ones "
              + "and sessions follow each other seconds apart, so every metric moves within a minute.",
          "sparse: history and live at a real pipeline's pace: agents take as long as real ones, a session "
              + "about half an hour, the next one starts 10 to 50 minutes later; an agent finishes every few "
              + "minutes, most agents less than once an hour (what the dashboard must show well)."})
  Pace pace;

  @Option(names = "--ship-to", paramLabel = "URI",
      description = "Also ship the demo database to the team's PostgreSQL store at this URI "
          + "(postgresql://[user@]host[:port]/dbname, with deploy/postgresql/schema.sql applied; the password from "
          + "PGPASSWORD, ~/.pgpass or --db-password-file), as project 'demo', and export the store instead of the "
          + "file: the whole path of docs/postgresql.md in one command.")
  String shipTo;

  @Option(names = "--db-password-file", paramLabel = "FILE",
      description = "With --ship-to: a file whose first line is the store's password.")
  Path passwordFile;

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() throws Exception {
    serve.applyLogging();
    Path path = database != null ? database
        : Files.createTempDirectory("agent-workflow-demo-").resolve("agent_workflow.db");
    Optional<ShipLoop> shipping = shipping(path);
    ExporterSettings settings = shipping.isPresent()
        ? serve.settings(DatabaseSources.store(new StoreSource(shipTo, shipping.get().password())))
        : serve.settings(path);
    Clock clock = Clock.systemUTC();
    DemoDatabase demo = new DemoDatabase(path, settings.timezone(), new Random(seed), clock);
    try {
      demo.createOrReuse(pace);
    } catch (IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stopShipping = new CountDownLatch(1);
    Thread shipper = null;
    if (shipping.isPresent()) {
      ShipLoop loop = shipping.get();
      if (!loop.once()) { // the day of history, before the first poll, so that the first page shows it
        throw new StartupException("cannot ship the demo database to " + loop.to().shown() + " (see the log)", null);
      }
      shipper = new Thread(() -> {
        try {
          loop.untilStopped(stopShipping);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "agent-workflow-demo-shipper");
      shipper.setDaemon(true);
      shipper.start();
    }
    LiveActivity live = demo.startLiveActivity(pace);
    try {
      Foreground.serve(settings, exporter -> {
        awaitFirstPoll(exporter); // so that the first page a new user opens already shows data
        out.println("Demo database: " + OneLine.escape(path.toString()));
        shipping.ifPresent(loop -> out.println("Shipped to:    " + loop.to().shown() + " (project demo)"));
        out.println("Metrics:       " + exporter.scheme() + "://localhost:" + exporter.port()
            + settings.telemetryPath());
        out.println("Stop with Ctrl-C.");
        out.flush();
      });
    } finally {
      live.close();
      stopShipping.countDown();
      if (shipper != null) {
        shipper.join(5_000);
      }
    }
    return ExitCodes.OK;
  }

  /** The demo's shipping to --ship-to, every 2 seconds, or none; a bad URI or password file is exit 2. */
  private Optional<ShipLoop> shipping(Path path) {
    if (shipTo == null) {
      if (passwordFile != null) {
        throw new ParameterException(spec.commandLine(), "--db-password-file is for --ship-to");
      }
      return Optional.empty();
    }
    if (!StoreAddress.isStore(shipTo)) {
      throw new ParameterException(spec.commandLine(), "--ship-to must be a postgresql:// URI");
    }
    StoreAddress address;
    try {
      address = StoreAddress.parse(shipTo);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--ship-to: " + e.getMessage());
    }
    Optional<String> password = PasswordFile.read(passwordFile, "--db-password-file",
        message -> new ParameterException(spec.commandLine(), message));
    return Optional.of(new ShipLoop(path, address, password, "demo", "demo", false, Duration.ofSeconds(2)));
  }

  private static void awaitFirstPoll(Exporter exporter) {
    try {
      exporter.awaitFirstPoll(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
