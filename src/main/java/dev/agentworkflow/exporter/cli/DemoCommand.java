package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.demo.LiveActivity;
import dev.agentworkflow.exporter.demo.Pace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
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

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() throws Exception {
    serve.applyLogging();
    Path path = database != null ? database
        : Files.createTempDirectory("agent-workflow-demo-").resolve("agent_workflow.db");
    ExporterSettings settings = serve.settings(path);
    Clock clock = Clock.systemUTC();
    DemoDatabase demo = new DemoDatabase(path, settings.timezone(), new Random(seed), clock);
    try {
      demo.createOrReuse(pace);
    } catch (IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    LiveActivity live = demo.startLiveActivity(pace);
    try {
      Foreground.serve(settings, exporter -> {
        awaitFirstPoll(exporter); // so that the first page a new user opens already shows data
        out.println("Demo database: " + OneLine.escape(path.toString()));
        out.println("Metrics:       " + exporter.scheme() + "://localhost:" + exporter.port()
            + settings.telemetryPath());
        out.println("Stop with Ctrl-C.");
        out.flush();
      });
    } finally {
      live.close();
    }
    return ExitCodes.OK;
  }

  private static void awaitFirstPoll(Exporter exporter) {
    try {
      exporter.awaitFirstPoll(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
