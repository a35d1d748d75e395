package dev.agentworkflow.exporter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a benchmark run measured, as the Markdown that docs/performance.md holds between its markers. */
final class Report {
  static final String BEGIN = "<!-- benchmark:begin (written by the benchmark; edit the code, not this) -->";
  static final String END = "<!-- benchmark:end -->";

  /**
   * Scans and service loads in the order taken; the figures compared are their medians.
   * {@code withoutState}: every service load said {@code agent_workflow_exporter_state_restored 0}.
   */
  record Load(long rows, List<Double> scans, List<Double> services, double exporterPoll, double longestRead,
      long residentKib, long peakKib, int port, boolean withoutState) {
    double floor() {
      return median(scans);
    }

    double firstScrape() {
      return median(services);
    }

    static double median(List<Double> values) {
      List<Double> sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
  }

  private final Benchmark.Config config;
  private final Map<Dataset, String> generated = new LinkedHashMap<>();
  private final Map<Dataset, Load> loads = new LinkedHashMap<>();
  private final Map<Dataset, Double> inProcessLoads = new LinkedHashMap<>();
  private final Map<Dataset, StateSteps.Figures> states = new LinkedHashMap<>();
  private final Map<Dataset, Map<Integer, Distribution>> steady = new LinkedHashMap<>();
  private final List<ScrapeLoad.Result> scrapes = new ArrayList<>();
  private List<Long> soakedResidentKib = List.of();
  private long soakedPeakKib;
  private double soakedSeconds;
  private double soakedUp;
  private double soakedStateWrites;
  private double totalSeconds;
  private ToolUseSteps.Figures toolUses;

  Report(Benchmark.Config config) {
    this.config = config;
  }

  void generated(Dataset dataset, double seconds, long bytes) {
    generated.put(dataset, "%s | %s".formatted(mib(bytes), seconds == 0 ? "reused" : "%.0f s".formatted(seconds)));
  }

  void firstLoad(Dataset dataset, long rows, List<Double> scans, List<Double> services, double exporterPoll,
      double longestRead, long residentKib, long peakKib, int port, boolean withoutState) {
    loads.put(dataset, new Load(rows, List.copyOf(scans), List.copyOf(services), exporterPoll, longestRead,
        residentKib, peakKib, port, withoutState));
  }

  void state(Dataset dataset, StateSteps.Figures figures) {
    states.put(dataset, figures);
  }

  StateSteps.Figures state(Dataset dataset) {
    return states.get(dataset);
  }

  void inProcessLoad(Dataset dataset, double seconds) {
    inProcessLoads.put(dataset, seconds);
  }

  void steady(Dataset dataset, int changedRows, Distribution polls) {
    steady.computeIfAbsent(dataset, d -> new LinkedHashMap<>()).put(changedRows, polls);
  }

  void scrape(ScrapeLoad.Result result) {
    scrapes.add(result);
  }

  void soaked(List<Long> residentKib, long peakKib, double seconds, double up, double stateWrites) {
    this.soakedStateWrites = stateWrites;
    this.soakedResidentKib = List.copyOf(residentKib);
    this.soakedPeakKib = peakKib;
    this.soakedSeconds = seconds;
    this.soakedUp = up;
  }

  void toolUses(ToolUseSteps.Figures figures) {
    this.toolUses = figures;
  }

  ToolUseSteps.Figures toolUses() {
    return toolUses;
  }

  void finished(double seconds) {
    this.totalSeconds = seconds;
  }

  Load load(Dataset dataset) {
    return loads.get(dataset);
  }

  Map<Integer, Distribution> steady(Dataset dataset) {
    return steady.get(dataset);
  }

  List<ScrapeLoad.Result> scrapes() {
    return scrapes;
  }

  long soakedResidentKib() {
    return soakedResidentKib.get(soakedResidentKib.size() - 1);
  }

  String markdown() throws IOException, SQLException {
    StringBuilder md = new StringBuilder();
    md.append("Run `").append(config.name()).append("` on ").append(LocalDate.now(ZoneOffset.UTC)).append(": ")
        .append(machine()).append("; ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append("; SQLite ").append(sqliteVersion())
        .append("; services started as the README starts them, by `bin/agent-workflow-exporter`, with its JVM options `")
        .append(String.join(" ", dev.agentworkflow.exporter.it.ExporterProcess.serviceJvmOptions())).append("`. Whole run: ")
        .append("%.0f s".formatted(totalSeconds)).append(" (generation included).\n\n");

    md.append("| target | goal | measured | met |\n| --- | --- | --- | --- |\n");
    targets(md);

    md.append("\n**Datasets** (the demo's generator, the hooks' statements; 20 agents × 5 phases × 4 statuses × 3 models)\n\n")
        .append("| dataset | invocations | rows (with subagent_stop) | file | generated |\n| --- | --- | --- | --- | --- |\n");
    for (Dataset d : config.datasets()) {
      md.append("| %s | %,d | %,d | %s |%n".formatted(d.name() + (d.hasPayload() ? ", ~9 KB each" : ", no payload"),
          d.invocations(), loads.get(d).rows(), generated.get(d)));
    }

    md.append("\n**First load**: the service (its JVM options, and a state file not there yet: it counts from "
        + "scratch) from process start to its first complete scrape, next to a bare JDBC scan of the same columns on the same file, taken in turns after an untimed scan (scan, service, scan, "
        + "service, scan); the ratio is of their medians. The service's own figures are from its last start.\n\n"
        + "| dataset | bare scans | service: start to first complete scrape | ratio of medians | its first poll | "
        + "in-process first poll | longest lock hold | resident memory after it |\n"
        + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Dataset d : config.datasets()) {
      Load l = loads.get(d);
      md.append("| %s | %s | %s | %.2f× | %.2f s | %.2f s | %.1f ms | %s |%n".formatted(d.name(), seconds(l.scans()),
          seconds(l.services()), l.firstScrape() / l.floor(), l.exporterPoll(), inProcessLoads.get(d),
          l.longestRead() * 1000, mib(l.residentKib() * 1024)));
    }

    md.append("\n**State file** (issue 13), right after each file's first service load above, which started with a "
        + "state file not there yet and wrote it: that service stopped with SIGTERM and started again ")
        .append(config.restarts()).append(" times with it, timed as its first load is; then ").append(config.onceRuns())
        .append(" times ").append(StateSteps.ONCE_ROWS).append(" rows written with the hooks' statements and `--once` "
            + "with the state (the same JVM options), timed from process start to exit; then the state written ")
        .append(config.stateWrites()).append(" times (after ").append(config.stateWarmup()).append(" untimed writes, "
            + "the first of them in the table) by the poller's `StateKeeper` in a JVM with the service's options, each "
            + "write timed around the call: encoded, written beside the file, fsynced, renamed over it, the folder "
            + "fsynced. \"Counts\": the restart's workflow series are the first load's, sample for sample; `--once`'s "
            + "finished invocations are those plus the ones the hooks finished since.\n\n"
            + "| dataset | first load without state (median) | restarts: start to first complete scrape | their first "
            + "polls | rows read since the state | restored, counts | `--once` after 100 rows | rows read since the "
            + "state | restored, counts | state writes: first, p50, p99 | state file |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Dataset d : config.datasets()) {
      StateSteps.Figures f = states.get(d);
      StateSteps.Writes w = f.writes();
      md.append("| %s | %.2f s | %s | %s | %s | %s | %s | %s | %s | %s, %s, %s | %s |%n".formatted(d.name(),
          loads.get(d).firstScrape(), seconds(f.restarts().stream().map(StateSteps.Restart::seconds).toList()),
          seconds(f.restarts().stream().map(StateSteps.Restart::firstPoll).toList()),
          longs(f.restarts().stream().map(StateSteps.Restart::rowsSince).toList()), restartsRight(f) ? "yes" : "**no**",
          seconds(f.onces().stream().map(StateSteps.Once::seconds).toList()),
          longs(f.onces().stream().map(StateSteps.Once::rowsSince).toList()), oncesRight(f) ? "yes" : "**no**",
          ms(w.firstMillis()), ms(w.millis().median()), ms(w.millis().p99()), mibFine(w.sizeBytes())));
    }

    md.append("\n**Steady polls** (in process, one poller per file, no state file; before each timed poll the hooks' statements "
        + "change that many rows in one transaction: finishing earlier agents, starting new ones; ")
        .append(config.warmupPolls()).append(" untimed polls first)\n\n"
            + "| dataset | changed rows per poll | polls | median | p99 |\n| --- | --- | --- | --- | --- |\n");
    for (Dataset d : config.datasets()) {
      for (Map.Entry<Integer, Distribution> e : steady.get(d).entrySet()) {
        md.append("| %s | %,d | %d | %s | %s |%n".formatted(d.name(), e.getKey(), e.getValue().count(),
            ms(e.getValue().median()), ms(e.getValue().p99())));
      }
    }

    ScrapeLoad.Result first = scrapes.get(0);
    md.append("\n**Scrapes** of the service on the ").append(config.scraped().name()).append(" file: ")
        .append("%,d series, %s gzipped (%s plain), each client back to back for %d s with Prometheus's Accept header"
            .formatted(first.series(), kib(first.gzipBytes()), kib(first.plainBytes()), config.scrapeEach().toSeconds()))
        .append("\n\n| clients | requests | p50 | p99 |\n| --- | --- | --- | --- |\n");
    for (ScrapeLoad.Result r : scrapes) {
      md.append("| %d | %,d | %s | %s |%n".formatted(r.clients(), r.latency().count(), ms(r.latency().median()),
          ms(r.latency().p99())));
    }

    Load soakedLoad = loads.get(config.soaked());
    md.append("\n**Memory** of the service on the ").append(config.soaked().name()).append(" file, polling every 15 s "
        + "and writing its state file after each poll, while the hooks' statements change 100 rows every 5 s and a scrape comes every 15 s (the steady polls "
        + "above also wrote to it): resident ").append(mib(soakedLoad.residentKib() * 1024))
        .append(" after the first load, then every 30 s: ")
        .append(String.join(", ", soakedResidentKib.stream().map(k -> Long.toString(k >> 10)).toList()))
        .append(" MiB; %.0f s after its start: ".formatted(soakedSeconds)).append(mib(soakedResidentKib() * 1024))
        .append(" (peak ").append(mib(soakedPeakKib * 1024)).append("; database up: ").append(soakedUp == 1 ? "yes" : "no")
        .append("; state files written: %.0f".formatted(soakedStateWrites))
        .append(").\n");
    if (toolUses != null) {
      toolUses(md);
    }
    return md.toString();
  }

  /** Issue 14's section: the file with tool uses, its first loads next to the sqlite3 shell, its polls, its memory. */
  private void toolUses(StringBuilder md) {
    ToolUseSteps.Figures t = toolUses;
    Dataset d = t.dataset();
    ToolUseSteps.FirstLoad l = t.load();
    ShellScan.Rows rows = l.rows();
    String intro = "%n**Tool uses** (issue 14): %s, written with the hooks' statements (each tool use started, then "
        + "finished with its output; invocations finished with a response shaped like database.md's sample): %,d "
        + "invocations (%,d rows with subagent_stop), %,d tool uses (%,d each, and the main session's `direct` ones), "
        + "%,d sessions; %s.%n%n";
    md.append(intro.formatted(d.name(), d.invocations(), rows.invocations(), rows.toolUses(), d.toolUsesEach(),
        rows.sessions(), generated.get(d).replace(" | ", ", generated: ")))
        .append("First load: the service as above, next to `sqlite3 -readonly FILE \"SELECT …\" > /dev/null` ("
            + t.shellVersion() + ") reading the columns the exporter reads from agent_invocations (raw_output as "
            + "the two numbers of its JSON expressions), sessions and agent_tool_uses, in turns after an untimed "
            + "shell scan; the ratio is of their medians. Beside each shell scan, a bare JDBC scan of the same "
            + "SELECTs (every value fetched, nothing done with it): what reading these columns costs any Java "
            + "reader through sqlite-jdbc.\n\n"
            + "| sqlite3 shell | bare JDBC scan | service: start to first complete scrape | ratio of medians (to "
            + "the shell; to the JDBC scan) | its first poll | in-process first poll | longest lock hold | resident "
            + "memory after it (peak) | tool uses counted |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
        .append("| %s | %s | %s | %.2f×; %.2f× | %.2f s | %.2f s | %.1f ms | %s (%s) | %,.0f of %,d |%n".formatted(
            seconds(l.scans()), seconds(l.jdbcScans()), seconds(l.services()), l.firstScrape() / l.floor(),
            l.firstScrape() / l.jdbcFloor(), l.exporterPoll(), t.inProcessLoad(),
            l.longestRead() * 1000, mib(l.residentKib() * 1024), mib(l.peakKib() * 1024), l.toolUsesCounted(),
            rows.toolUses()));
    md.append("\nSteady polls (in process, no state file; before each timed poll the hooks change that much in one "
        + "transaction: half the invocations are agents started a round before, which finish their tool call in "
        + "flight, make more and end; the other half start, make tool calls and keep one in flight; ")
        .append(config.warmupPolls()).append(" untimed polls first)\n\n"
            + "| changed per poll | polls | median | p99 |\n| --- | --- | --- | --- |\n");
    for (Map.Entry<ToolUseSteps.Round, Distribution> e : t.steady().entrySet()) {
      md.append("| %s | %d | %s | %s |%n".formatted(e.getKey().label(), e.getValue().count(), ms(e.getValue().median()),
          ms(e.getValue().p99())));
    }
    ToolUseSteps.Soak soak = t.soak();
    ToolUseSteps.Round round = config.toolRounds().get(config.toolRounds().size() - 1);
    md.append("\nMemory of that service, polling every 15 s while every 15 s the hooks change ").append(round.label())
        .append(" (a round as above) and a scrape comes (the steady polls above also wrote to its file): resident ")
        .append(mib(l.residentKib() * 1024)).append(" after the first load, then every 30 s: ")
        .append(String.join(", ", soak.residentKib().stream().map(k -> Long.toString(k >> 10)).toList()))
        .append(" MiB; %.0f s after its start: ".formatted(soak.seconds())).append(mib(soak.lastKib() * 1024))
        .append(" (peak ").append(mib(soak.peakKib() * 1024)).append("; database up: ").append(soak.up() ? "yes" : "no")
        .append("; tool uses counted: %,.0f of the %,d finished).%n".formatted(soak.toolUsesCounted(),
            soak.toolUsesFinished()));
  }

  /** Issue 14's targets. */
  private void toolUseTargets(StringBuilder md) {
    ToolUseSteps.Figures t = toolUses;
    String name = t.dataset().name();
    ToolUseSteps.FirstLoad l = t.load();
    row(md, "first load, " + name, "≤ 2× the sqlite3 shell, every tool use counted",
        "medians %.2f s / %.2f s = %.2f×; %,.0f of %,d tool uses counted".formatted(l.firstScrape(), l.floor(),
            l.firstScrape() / l.floor(), l.toolUsesCounted(), l.rows().toolUses()),
        l.firstScrape() <= 2 * l.floor() && l.countsRight() && l.withoutState());
    for (Map.Entry<ToolUseSteps.Round, Distribution> e : t.steady().entrySet()) {
      boolean idle = e.getKey().invocations() == 0;
      double goal = idle ? 2 : 15;
      row(md, "steady poll, %s changed, %s".formatted(e.getKey().label(), name),
          "median ≤ %.0f ms".formatted(goal), ms(e.getValue().median()), e.getValue().median() <= goal);
    }
    ToolUseSteps.Soak soak = t.soak();
    long worst = Math.max(l.residentKib(), soak.lastKib());
    row(md, "resident memory, %s, after first load and after %.0f min".formatted(name, soak.seconds() / 60),
        "≤ 128 MB", "%s → %s (peak %s)%s".formatted(mib(l.residentKib() * 1024), mib(soak.lastKib() * 1024),
            mib(soak.peakKib() * 1024), soak.countsRight() ? "" : "; **counted %,.0f of %,d tool uses**"
                .formatted(soak.toolUsesCounted(), soak.toolUsesFinished())),
        worst <= 128 * 1024 && soak.up() && soak.countsRight());
  }

  private void targets(StringBuilder md) {
    List<Dataset> ds = config.datasets();
    Dataset small = ds.get(0);
    Dataset large = config.soaked();
    Dataset lean = ds.get(ds.size() - 1);
    double largeHundred = steady.get(large).get(100).median();
    double smallHundred = steady.get(small).get(100).median();
    row(md, "steady poll, 100 changed rows, " + large.name(), "median ≤ 10 ms, ≤ 1.5× the " + small.name() + " figure",
        "%s; %.2f× %s".formatted(ms(largeHundred), largeHundred / smallHundred, ms(smallHundred)),
        largeHundred <= 10 && largeHundred <= 1.5 * smallHundred);
    double worstIdle = 0;
    StringBuilder idle = new StringBuilder();
    for (Dataset d : ds) {
      double median = steady.get(d).get(0).median();
      worstIdle = Math.max(worstIdle, median);
      idle.append(idle.length() == 0 ? "" : ", ").append(d.name()).append(' ').append(ms(median));
    }
    row(md, "steady poll, 0 changed rows", "median ≤ 2 ms at every size", idle.toString(), worstIdle <= 2);
    double leanHundred = steady.get(lean).get(100).median();
    row(md, "steady poll, 100 changed rows, " + lean.name(), "median ≤ 10 ms", ms(leanHundred), leanHundred <= 10);
    Load load = loads.get(large);
    row(md, "first load, " + large.name(), "≤ 1.5× the bare JDBC scan",
        "medians %.2f s / %.2f s = %.2f×".formatted(load.firstScrape(), load.floor(), load.firstScrape() / load.floor()),
        load.firstScrape() <= 1.5 * load.floor());
    StateSteps.Figures state = states.get(large);
    double restart = Load.median(state.restarts().stream().map(StateSteps.Restart::seconds).toList());
    row(md, "restart with its state, " + large.name(), "start to first complete scrape ≤ 1.5 s (median)",
        "%.2f s (%s)%s; first load without state %.2f s".formatted(restart,
            seconds(state.restarts().stream().map(StateSteps.Restart::seconds).toList()),
            restartsRight(state) ? ", restored, the first load's counts" : ", **not restored or other counts**",
            load.firstScrape()),
        restart <= 1.5 && restartsRight(state) && load.withoutState());
    double once = Load.median(state.onces().stream().map(StateSteps.Once::seconds).toList());
    row(md, "`--once` with its state after %d new rows, %s".formatted(StateSteps.ONCE_ROWS, large.name()),
        "wall time ≤ 1.5 s (median)",
        "%.2f s (%s)%s".formatted(once, seconds(state.onces().stream().map(StateSteps.Once::seconds).toList()),
            oncesRight(state) ? ", restored, counts right" : ", **not restored or other counts**"),
        once <= 1.5 && oncesRight(state));
    StateSteps.Writes writes = state.writes();
    row(md, "state write, " + large.name(), "p99 ≤ 50 ms, file ≤ 16 MB",
        "p50 %s, p99 %s over %d writes; %s".formatted(ms(writes.millis().median()), ms(writes.millis().p99()),
            writes.millis().count(), mibFine(writes.sizeBytes())),
        writes.millis().p99() <= 50 && writes.sizeBytes() <= 16L << 20);
    ScrapeLoad.Result eight = scrapes.stream().filter(r -> r.clients() == 8).findFirst().orElse(null);
    if (eight != null) {
      row(md, "scrape, 8 clients", "p99 ≤ 5 ms", ms(eight.latency().p99()), eight.latency().p99() <= 5);
    }
    // Issue 15: the README's command, java -jar without options, peaked at 410 MiB on the 100k file.
    Load readme = loads.get(small);
    row(md, "resident memory, " + small.name() + ", first load as the README runs it (`bin/agent-workflow-exporter`)",
        "peak ≤ 128 MB", "peak %s, %s after it".formatted(mib(readme.peakKib() * 1024), mib(readme.residentKib() * 1024)),
        readme.peakKib() <= 128 * 1024);
    long after = soakedResidentKib();
    long before = load.residentKib();
    row(md, "resident memory, " + large.name() + ", after first load and after %.0f min".formatted(soakedSeconds / 60),
        "≤ 128 MB, flat", "%s → %s".formatted(mib(before * 1024), mib(after * 1024)),
        Math.max(before, after) <= 128 * 1024 && after <= before * 1.1);
    if (toolUses != null) {
      toolUseTargets(md);
    }
  }

  /** Every restart went on from the state, with the first load's counts. */
  private static boolean restartsRight(StateSteps.Figures f) {
    return f.restarts().stream().allMatch(r -> r.restored() && r.sameCounts());
  }

  /** Every {@code --once} exited 0, went on from the state, and counted the invocations finished since. */
  private static boolean oncesRight(StateSteps.Figures f) {
    return f.onces().stream().allMatch(o -> o.exitCode() == 0 && o.restored() && o.countsRight());
  }

  private static void row(StringBuilder md, String figure, String goal, String measured, boolean met) {
    md.append("| ").append(figure).append(" | ").append(goal).append(" | ").append(measured).append(" | ")
        .append(met ? "yes" : "**no**").append(" |\n");
  }

  /** Replaces what lies between the markers in {@code doc}. */
  static void writeInto(Path doc, String table) throws IOException {
    String text = Files.readString(doc);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(doc + " lacks the markers " + BEGIN + " and " + END);
    }
    Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + "\n" + table + text.substring(end));
  }

  private static String machine() throws IOException {
    String cpu = "unknown CPU";
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.exists(cpuinfo)) {
      cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
    }
    long memKib = 0;
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.exists(meminfo)) {
      memKib = Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
    }
    return "%d cores (%s), %d GiB, %s %s".formatted(Runtime.getRuntime().availableProcessors(), cpu,
        memKib >> 20, System.getProperty("os.name"), System.getProperty("os.version"));
  }

  private static String sqliteVersion() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
      return rs.getString(1) + " (sqlite-jdbc " + c.getMetaData().getDriverVersion() + ")";
    }
  }

  private static String seconds(List<Double> values) {
    return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList()) + " s";
  }

  private static String longs(List<Long> values) {
    return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%,d", v)).toList());
  }

  private static String mibFine(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
  }

  private static String ms(double millis) {
    return millis < 10 ? String.format(Locale.ROOT, "%.2f ms", millis) : String.format(Locale.ROOT, "%.1f ms", millis);
  }

  private static String mib(long bytes) {
    return bytes >= 10L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%,d KiB", bytes >> 10);
  }
}
