package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.it.ExporterProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state file (issue 13) on one dataset, taken right after the service's first load without
 * state, which wrote its state file: the service stopped as a service manager stops it (SIGTERM)
 * and restarted with that state, then {@code --once} with it after rows written the hooks' way,
 * then the state's writes timed in a JVM with the service's options.
 */
final class StateSteps {
  /** Rows the hooks write before each {@code --once}. */
  static final int ONCE_ROWS = 100;
  private static final Pattern ROWS_SINCE = Pattern.compile(
      "read .*: (\\d+) rows written since the state file in (\\d+) ms");

  /**
   * One restart with the state file.
   *
   * @param seconds process start to the first scrape that shows {@code agent_workflow_database_up 1}
   * @param firstPoll the service's own {@code agent_workflow_exporter_poll_duration_seconds} then
   * @param rowsSince rows its first poll read, from its log line ({@code -1}: no such line)
   * @param restored it said {@code agent_workflow_exporter_state_restored 1}
   * @param sameCounts its workflow series are the first load's, sample for sample
   */
  record Restart(double seconds, double firstPoll, long rowsSince, boolean restored, boolean sameCounts) {}

  /**
   * One {@code --once} with the state file, after {@link #ONCE_ROWS} rows written the hooks' way.
   *
   * @param seconds wall time of the process, start to exit
   * @param rowsSince rows its poll read, from its log line ({@code -1}: no such line)
   * @param restored it said {@code agent_workflow_exporter_state_restored 1}
   * @param countsRight its finished invocations are the first load's plus those the hooks finished since
   */
  record Once(double seconds, int exitCode, long rowsSince, boolean restored, boolean countsRight) {}

  /** The state's writes: untimed ones first (the first of them cold), then the timed ones. */
  record Writes(double firstMillis, Distribution millis, long sizeBytes) {}

  record Figures(List<Restart> restarts, List<Once> onces, Writes writes) {}

  private StateSteps() {}

  /**
   * @param service the first load's service, up with its first complete scrape; stopped here
   * @param firstMetrics that scrape
   * @param state the state file it was started with (fresh: it wrote it in its first poll)
   */
  static Figures run(Benchmark.Config config, Dataset dataset, Path file, ExporterProcess service, String firstMetrics,
      Path state, Path workDir) throws Exception {
    stop(service);
    Map<String, Double> firstCounts = Benchmark.counts(firstMetrics);
    if (invocations(firstMetrics) == 0) {
      throw new IllegalStateException("the first load counted no finished invocation: nothing to compare with");
    }
    List<Restart> restarts = new ArrayList<>();
    for (int i = 0; i < config.restarts(); i++) {
      long started = System.nanoTime();
      ExporterProcess process = Benchmark.startService(file, state, workDir);
      try {
        String metrics = Benchmark.awaitFirstCompleteScrape(process, Benchmark.awaitPort(process));
        double seconds = (System.nanoTime() - started) / 1e9;
        restarts.add(new Restart(seconds, Benchmark.value(metrics, "agent_workflow_exporter_poll_duration_seconds"),
            rowsSince(process), Benchmark.value(metrics, "agent_workflow_exporter_state_restored") == 1,
            Benchmark.counts(metrics).equals(firstCounts)));
        stop(process);
      } finally {
        process.close();
      }
    }

    List<Once> onces = new ArrayList<>();
    double finished = invocations(firstMetrics);
    try (SteadyWriter hooks = new SteadyWriter(file, dataset, Clock.systemUTC())) {
      for (int i = 0; i < config.onceRuns(); i++) {
        finished += hooks.round(ONCE_ROWS);
        long started = System.nanoTime();
        ExporterProcess process = ExporterProcess.launch(workDir,
            "--db", file.toAbsolutePath().toString(), "--once", "--state-file", state.toAbsolutePath().toString());
        try {
          int exitCode = process.exitCode(Duration.ofMinutes(5));
          double seconds = (System.nanoTime() - started) / 1e9;
          String metrics = "\n" + process.stdout();
          onces.add(new Once(seconds, exitCode, rowsSince(process),
              Benchmark.value(metrics, "agent_workflow_exporter_state_restored") == 1,
              invocations(metrics) == finished));
        } finally {
          process.close();
        }
      }
    }
    return new Figures(restarts, onces, writes(config, file, state, workDir));
  }

  /**
   * Copies the state file and has {@link StateWrites} write the copy, in a JVM with the service's
   * options, and on the classpath the jar and the benchmark's own classes.
   */
  private static Writes writes(Benchmark.Config config, Path file, Path state, Path workDir) throws Exception {
    Path copy = state.resolveSibling(state.getFileName() + "-writes.state");
    Files.copy(state, copy, StandardCopyOption.REPLACE_EXISTING);
    Path benchClasses = Path.of(StateWrites.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ExporterProcess.serviceJvmOptions());
    command.addAll(List.of("-cp", System.getProperty("exporter.jar") + java.io.File.pathSeparator + benchClasses,
        StateWrites.class.getName(), file.toAbsolutePath().toString(), copy.toAbsolutePath().toString(),
        Integer.toString(config.stateWarmup()), Integer.toString(config.stateWrites())));
    Path out = Files.createTempFile(workDir, "state-writes", ".txt");
    Path err = Files.createTempFile(workDir, "state-writes", ".err.txt");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("timing the state's writes failed:\n" + Files.readString(err));
    }
    double first = Double.NaN;
    List<Double> timed = new ArrayList<>();
    long size = -1;
    for (String line : Files.readAllLines(out)) {
      String[] words = line.split(" ");
      switch (words[0]) {
        case "warmup" -> first = Double.isNaN(first) ? Double.parseDouble(words[1]) : first;
        case "write" -> {
          timed.add(Double.parseDouble(words[1]));
          first = Double.isNaN(first) ? timed.get(0) : first;
        }
        case "size" -> size = Long.parseLong(words[1]);
        default -> throw new IllegalStateException("unexpected output of StateWrites: " + line);
      }
    }
    Files.deleteIfExists(copy);
    Files.deleteIfExists(copy.resolveSibling(copy.getFileName() + ".lock"));
    return new Writes(first, Distribution.of(timed.stream().mapToDouble(Double::doubleValue).toArray()), size);
  }

  /** As a service manager stops it: SIGTERM, and the exporter writes its state if it changed since the last write. */
  private static void stop(ExporterProcess process) throws IOException, InterruptedException {
    process.signal("TERM");
    int exitCode = process.exitCode(Duration.ofSeconds(60));
    if (exitCode != 0) {
      throw new IllegalStateException("the service exited with " + exitCode + " on SIGTERM: " + process.stderr());
    }
  }

  private static long rowsSince(ExporterProcess process) throws IOException {
    Matcher m = ROWS_SINCE.matcher(process.stderr());
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Finished invocations: the sum of {@code agent_invocation_total}. */
  private static double invocations(String metrics) {
    return Benchmark.counts(metrics).entrySet().stream().filter(e -> e.getKey().startsWith("agent_invocation_total"))
        .mapToDouble(Map.Entry::getValue).sum();
  }
}
