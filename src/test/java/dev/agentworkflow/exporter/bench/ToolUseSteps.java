package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.Poller;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 14's targets on the dataset with tool uses: the service's first load, taken in turns with
 * the {@code sqlite3} shell reading the same columns ({@link ShellScan}); steady polls in process
 * after a round of the hooks' writes ({@link ToolUseWriter}) and after none; and the service's
 * resident memory after its first load and after polling the file while the hooks keep writing.
 */
final class ToolUseSteps {
  /** What the hooks change between two polls: invocations, and tool uses. */
  record Round(int invocations, int toolUses) {
    String label() {
      return invocations == 0 && toolUses == 0 ? "nothing"
          : "%,d invocations, %,d tool uses".formatted(invocations, toolUses);
    }
  }

  /**
   * The first loads, in the order taken, compared by their medians.
   *
   * @param rows each table's rows, counted by the shell before the first scan
   * @param exporterPoll the last service's own first poll ({@code agent_workflow_exporter_poll_duration_seconds})
   * @param longestRead its longest lock hold ({@code agent_workflow_exporter_longest_read_seconds})
   * @param residentKib its resident memory right after its first complete scrape
   * @param peakKib its peak resident memory by then (VmHWM)
   * @param toolUsesCounted what its first scrape counted: the sum of {@code agent_tool_usage_total}
   * @param withoutState every service said {@code agent_workflow_exporter_state_restored 0}
   */
  record FirstLoad(ShellScan.Rows rows, List<Double> scans, List<Double> jdbcScans, List<Double> services,
      double exporterPoll, double longestRead, long residentKib, long peakKib, double toolUsesCounted,
      boolean withoutState) {
    double floor() {
      return Report.Load.median(scans);
    }

    /** The median bare JDBC scan of the same columns ({@link BareScan}): what reading them costs in Java. */
    double jdbcFloor() {
      return Report.Load.median(jdbcScans);
    }

    double firstScrape() {
      return Report.Load.median(services);
    }

    /** The generator finishes every tool use, so the first load must count every row of the table. */
    boolean countsRight() {
      return toolUsesCounted == rows.toolUses();
    }
  }

  /**
   * The service polling while the hooks write a round every poll interval and a scrape comes as often.
   *
   * @param residentKib every 30 s from the end of the steady polls, then at the end
   * @param toolUsesCounted its last scrape's sum of {@code agent_tool_usage_total}
   * @param toolUsesFinished the tool uses finished in the file by then: generated, and the benchmark's own
   */
  record Soak(List<Long> residentKib, long peakKib, double seconds, boolean up, double toolUsesCounted,
      long toolUsesFinished) {
    long lastKib() {
      return residentKib.get(residentKib.size() - 1);
    }

    boolean countsRight() {
      return toolUsesCounted == toolUsesFinished;
    }
  }

  record Figures(Dataset dataset, String shellVersion, FirstLoad load, double inProcessLoad,
      Map<Round, Distribution> steady, Soak soak) {}

  /** The metric whose samples sum to the finished tool uses counted. */
  static final String TOOL_USAGE = "agent_tool_usage_total";
  /** How often the service polls (the unit's default); the hooks write one round per interval in the soak. */
  private static final long POLL_NANOS = 15_000_000_000L;

  private ToolUseSteps() {}

  static Figures run(Benchmark.Config config, Path dataDir, Path workDir) throws Exception {
    Dataset dataset = config.toolUses();
    Path file = dataset.file(dataDir);
    String shell = ShellScan.version();
    ShellScan.Rows rows = ShellScan.rows(file);

    // As for the other files: an untimed scan first, so that the cold page cache falls on neither side.
    ShellScan.seconds(file);
    List<Double> scans = new ArrayList<>();
    List<Double> jdbcScans = new ArrayList<>();
    List<Double> services = new ArrayList<>();
    scans.add(ShellScan.seconds(file));
    jdbcScans.add(BareScan.seconds(file, new long[1]));
    ExporterProcess process = null;
    long started = 0;
    String metrics = "";
    boolean withoutState = true;
    long residentKib = 0;
    long peakKib = 0;
    try {
      for (int i = 0; i < config.serviceLoads(); i++) {
        if (process != null) {
          process.close();
        }
        Path state = Benchmark.freshStateFile(workDir, file, i);
        started = System.nanoTime();
        process = Benchmark.startService(file, state, workDir);
        int port = Benchmark.awaitPort(process);
        metrics = Benchmark.awaitFirstCompleteScrape(process, port);
        services.add((System.nanoTime() - started) / 1e9);
        residentKib = process.residentKib();
        peakKib = process.peakResidentKib();
        withoutState &= Benchmark.value(metrics, "agent_workflow_exporter_state_restored") == 0;
        scans.add(ShellScan.seconds(file));
        jdbcScans.add(BareScan.seconds(file, new long[1]));
      }
      FirstLoad load = new FirstLoad(rows, List.copyOf(scans), List.copyOf(jdbcScans), List.copyOf(services),
          Benchmark.value(metrics, "agent_workflow_exporter_poll_duration_seconds"),
          Benchmark.value(metrics, "agent_workflow_exporter_longest_read_seconds"), residentKib, peakKib,
          sum(metrics, TOOL_USAGE), withoutState);

      // The last service stays up: it polls the steady polls' writes too, as the 1M service does.
      long finished = rows.toolUses();
      Map<Round, Distribution> steady = new LinkedHashMap<>();
      double inProcessLoad;
      try (Poller poller = Exporter.newPoller(Benchmark.inProcessSettings(file), Clock.systemUTC());
          ToolUseWriter writer = new ToolUseWriter(file, dataset, Clock.systemUTC())) {
        long t0 = System.nanoTime();
        check(poller.poll());
        inProcessLoad = (System.nanoTime() - t0) / 1e9;
        for (Round round : config.toolRounds()) {
          for (int i = 0; i < config.warmupPolls(); i++) {
            finished += writer.round(round.invocations(), round.toolUses()).toolUsesFinished();
            check(poller.poll());
          }
          double[] millis = new double[config.polls()];
          for (int i = 0; i < config.polls(); i++) {
            finished += writer.round(round.invocations(), round.toolUses()).toolUsesFinished();
            long t = System.nanoTime();
            check(poller.poll());
            millis[i] = (System.nanoTime() - t) / 1e6;
          }
          steady.put(round, Distribution.of(millis));
        }
      }
      Soak soak = soak(config, dataset, file, process, started, finished);
      return new Figures(dataset, shell, load, inProcessLoad, steady, soak);
    } finally {
      if (process != null) {
        process.close();
      }
    }
  }

  /**
   * Until the soak time since the service's start is up: a round of the hooks' writes (the largest
   * of the steady polls') and a scrape every poll interval, the resident memory every 30 s.
   */
  private static Soak soak(Benchmark.Config config, Dataset dataset, Path file, ExporterProcess process, long started,
      long finishedBefore) throws Exception {
    int port = Benchmark.awaitPort(process);
    Round round = config.toolRounds().get(config.toolRounds().size() - 1);
    long end = started + config.toolSoak().toNanos();
    long nextSample = 0;
    long finished = finishedBefore;
    List<Long> residentKib = new ArrayList<>();
    try (ToolUseWriter writer = new ToolUseWriter(file, dataset, Clock.systemUTC())) {
      while (System.nanoTime() < end) {
        finished += writer.round(round.invocations(), round.toolUses()).toolUsesFinished();
        Benchmark.scrape(port);
        long now = System.nanoTime();
        if (now >= nextSample) {
          residentKib.add(process.residentKib());
          nextSample = now + 30_000_000_000L;
        }
        Thread.sleep(Math.max(0, Math.min(POLL_NANOS, end - System.nanoTime()) / 1_000_000));
      }
    }
    // One more poll interval, so that the service has read the last round before the counts are compared.
    Thread.sleep(POLL_NANOS / 1_000_000 + 1_000);
    residentKib.add(process.residentKib());
    String metrics = Benchmark.scrape(port);
    return new Soak(residentKib, process.peakResidentKib(), (System.nanoTime() - started) / 1e9,
        Benchmark.value(metrics, "agent_workflow_database_up") == 1, sum(metrics, TOOL_USAGE), finished);
  }

  /** The sum of a counter family's samples (its {@code _total} series); 0 when it is not there. */
  static double sum(String metrics, String family) {
    return Benchmark.counts(metrics).entrySet().stream()
        .filter(e -> e.getKey().equals(family) || e.getKey().startsWith(family + "{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  private static void check(PollResult result) {
    if (!result.database().up()) {
      throw new IllegalStateException("a poll failed: " + result.database().problem().orElse(""));
    }
  }
}
