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
import java.util.function.Consumer;

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
  private final String run;
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
  private ManyDatabasesSteps.Figures many;
  private CustomMetricsSteps.Result custom;
  private StoreSteps.Figures store;
  /** Why the many databases' figures are not there: a service stopped before they were taken. */
  private String manyStopped;

  Report(Benchmark.Config config) {
    this(config, config.name());
  }

  /** @param run what the header calls the run: the config's name, or the part run alone ({@code many}) */
  Report(Benchmark.Config config, String run) {
    this.config = config;
    this.run = run;
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

  void custom(CustomMetricsSteps.Result result) {
    this.custom = result;
  }

  void store(StoreSteps.Figures figures) {
    this.store = figures;
  }

  StoreSteps.Figures store() {
    return store;
  }

  void toolUses(ToolUseSteps.Figures figures) {
    this.toolUses = figures;
  }

  ToolUseSteps.Figures toolUses() {
    return toolUses;
  }

  void many(ManyDatabasesSteps.Figures figures) {
    this.many = figures;
  }

  ManyDatabasesSteps.Figures many() {
    return many;
  }

  void manyStopped(String why) {
    this.manyStopped = why;
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
    return withHeader(this::targets, md -> {
      sections(md);
      if (custom != null) {
        md.append('\n').append(CustomMetricsSteps.markdown(custom));
      }
      if (many != null || manyStopped != null) {
        many(md);
      }
    });
  }

  /** Only issue 18's part ({@code Benchmark custom}): its target and its section. */
  String customMarkdown() throws IOException, SQLException {
    return withHeader(this::customTargets, md -> md.append('\n').append(CustomMetricsSteps.markdown(custom)));
  }

  private void customTargets(StringBuilder md) {
    int hundred = custom.changedRows().indexOf(100);
    double without = custom.without().get(hundred).median();
    double with = custom.with().get(hundred).median();
    row(md, "steady poll, 100 changed rows, " + custom.dataset().name() + ", with the example custom metrics",
        "median ≤ 1.5× the same poll without them", "%s / %s = %.2f×".formatted(ms(with), ms(without), with / without),
        with <= 1.5 * without);
  }

  /** Only issue 17's part ({@code Benchmark store}): its targets and its section. */
  String storeMarkdown() throws IOException, SQLException {
    return withHeader(md -> StoreSteps.targets(store, md), md -> md.append(StoreSteps.markdown(store)));
  }

  /** Only issue 16's part ({@code Benchmark many}): its targets and its section. */
  String manyMarkdown() throws IOException, SQLException {
    return withHeader(this::manyTargets, this::many);
  }

  /** Only issue 14's part ({@code Benchmark tools}): its targets and its section. */
  String toolsMarkdown() throws IOException, SQLException {
    return withHeader(this::toolUseTargets, this::toolUses);
  }

  /** The run's header, the table of {@code targets}, then {@code sections}. */
  private String withHeader(Consumer<StringBuilder> targets, Consumer<StringBuilder> sections)
      throws IOException, SQLException {
    StringBuilder md = new StringBuilder();
    header(md);
    md.append("| target | goal | measured | met |\n| --- | --- | --- | --- |\n");
    targets.accept(md);
    sections.accept(md);
    return md.toString();
  }

  private void header(StringBuilder md) throws IOException, SQLException {
    md.append("Run `").append(run).append("` on ").append(LocalDate.now(ZoneOffset.UTC)).append(": ")
        .append(machine()).append("; ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append("; SQLite ").append(sqliteVersion())
        .append("; services started as the README starts them, by `bin/agent-workflow-exporter`, with its JVM options `")
        .append(String.join(" ", dev.agentworkflow.exporter.it.ExporterProcess.serviceJvmOptions())).append('`')
        .append(extraJvmOptions()).append(". Whole run: ")
        .append("%.0f s".formatted(totalSeconds)).append(" (generation included).\n\n");
  }

  private void sections(StringBuilder md) {
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
    if (custom != null) {
      customTargets(md);
    }
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
    if (many != null || manyStopped != null) {
      manyTargets(md);
    }
  }

  /** Issue 16's targets: many projects' databases in one service. */
  private void manyTargets(StringBuilder md) {
    ManyDatabasesSteps.Plan plan = config.many();
    if (many == null) {
      String why = "not measured: " + manyStopped;
      row(md, "first complete scrape, %s in one service".formatted(plan.label()),
          "≤ 1.2× one service on the same rows in one file (medians)", why, false);
      row(md, "poll of all %d with nothing changed".formatted(plan.databases()),
          "sum of their poll durations ≤ 20 ms (median)", why, false);
      row(md, "resident memory, %s in one service".formatted(plan.label()), "≤ 160 MB", why, false);
      row(md, "one of %d databases locked by a writer for %.0f s".formatted(plan.databases(),
          plan.lock().toMillis() / 1000.0), "no other's poll later than its interval + %.2f s".formatted(
          plan.margin().toMillis() / 1000.0), why, false);
      return;
    }
    ManyDatabasesSteps.Figures m = many;
    String label = plan.label();
    double projects = ManyDatabasesSteps.Figures.median(m.projects());
    double union = ManyDatabasesSteps.Figures.median(m.union());
    row(md, "first complete scrape, %s in one service".formatted(label),
        "≤ 1.2× one service on the same rows in one file (medians)",
        "medians %.2f s / %.2f s = %.2f×%s".formatted(projects, union, m.ratio(),
            m.countsRight() ? "; both counted %,.0f invocations, from scratch".formatted(m.union().get(0).invocations())
                : "; **not the same counts, or not from scratch**"),
        m.ratio() <= 1.2 && m.countsRight());
    ManyDatabasesSteps.Idle idle = m.idle();
    row(md, "poll of all %d with nothing changed".formatted(plan.databases()),
        "sum of their poll durations ≤ 20 ms (median)",
        "%s (%s to %s over %d polls of each)%s".formatted(ms(idle.sumsMillis().median()),
            ms(idle.sumsMillis().percentile(0)), ms(idle.sumsMillis().percentile(100)), idle.sumsMillis().count(),
            idle.rowsRead() == 0 ? "" : "; **%,.0f rows read**".formatted(idle.rowsRead())),
        idle.sumsMillis().median() <= 20 && idle.rowsRead() == 0);
    ManyDatabasesSteps.Memory memory = m.memory();
    long worst = Math.max(memory.afterLoadKib(), memory.lastKib());
    row(md, "resident memory, %s in one service, after first load and after a %.0f s soak".formatted(label,
        plan.soak().toSeconds() * 1.0), "≤ 160 MB",
        "%s → %s (peak %s)%s".formatted(mib(memory.afterLoadKib() * 1024), mib(memory.lastKib() * 1024),
            mib(memory.peakKib() * 1024), memory.allUp() ? "" : "; **not every database up**"),
        worst <= 160 * 1024 && memory.allUp());
    ManyDatabasesSteps.Lock lock = m.lock();
    double limit = plan.interval().toMillis() / 1000.0 + plan.margin().toMillis() / 1000.0;
    row(md, "one of %d databases locked by a writer for %.0f s".formatted(plan.databases(),
        plan.lock().toMillis() / 1000.0),
        "no other's poll later than its interval + %.2f s (%.2f s)".formatted(plan.margin().toMillis() / 1000.0, limit),
        "longest gap between two polls of the other %d: %.2f s (%s; without a lock: %.2f s); the locked one: %.0f "
            .formatted(plan.databases() - 1, lock.others().longestSeconds(), lock.others().worst(),
                lock.without().longestSeconds(), lock.lockedErrors())
            + "poll errors, %.2f s between two polls".formatted(lock.lockedGapSeconds()),
        lock.others().longestSeconds() <= limit && lock.lockedErrors() >= 1
            && lock.others().gaps() >= (plan.databases() - 1) * (plan.lock().toSeconds() / plan.interval().toSeconds()));
  }

  /** Issue 16's section: the projects and their union, the first loads, the idle polls, the lock, the memory. */
  private void many(StringBuilder md) {
    if (many == null) {
      md.append("%n**Many databases** (issue 16): %s in one service: not measured, %s.%n".formatted(
          config.many().label(), manyStopped));
      return;
    }
    ManyDatabasesSteps.Figures m = many;
    ManyDatabasesSteps.Plan plan = m.plan();
    md.append(("%n**Many databases** (issue 16): %d projects' files of %s invocations each, generated as the files "
        + "above (the demo's generator, the hooks' statements, ~9 KB each, a seed per project; "
        + "`pNN/logs/agent_workflow.db`), %s in all; and their union, the same rows in one file (%s): "
        + "%,d invocations (%,d rows with subagent_stop, %,d finished), %,d sessions; %s.%n%n").formatted(
        plan.databases(), "%,d".formatted(plan.each().invocations()), mib(m.partsBytes()), mib(m.unionBytes()),
        m.invocations(), m.invocationRows(), m.finished(), m.sessions(),
        m.generatedSeconds() == 0 ? "reused" : "generated in %.0f s".formatted(m.generatedSeconds())));
    md.append("First load: one service reading the %d projects (`--db pNN=PATH` each, `--interval 15`, its state files "
        .formatted(plan.databases())
        + "in a `STATE_DIRECTORY` where nothing is yet) and one reading the union (`--state-file`, fresh), both by "
        + "the launcher, in turns (union first) after every file was read once untimed; each from process start to "
        + "its first complete scrape: `/-/ready` 200 and a full scrape with every project's "
        + "`agent_workflow_database_up 1`, timed to when the last byte of its answer (gzipped, as Prometheus asks) "
        + "was in (not to when the benchmark had inflated it and looked through it). The ratio is of their "
        + "medians.\n\n"
        + "| service | start to first complete scrape | ratio of medians | of which to `/-/ready` 200 | resident after it "
        + "| peak (VmHWM) | invocations counted |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    md.append("| union, one file | %s | | %s | %s | %s | %s |%n".formatted(seconds(secondsOf(m.union())),
        seconds(m.union().stream().map(ManyDatabasesSteps.Load::readySeconds).toList()),
        kibs(m.union(), ManyDatabasesSteps.Load::residentKib), kibs(m.union(), ManyDatabasesSteps.Load::peakKib),
        counted(m.union())));
    md.append("| %d projects, one service | %s | %.2f× | %s | %s | %s | %s |%n".formatted(plan.databases(),
        seconds(secondsOf(m.projects())), m.ratio(),
        seconds(m.projects().stream().map(ManyDatabasesSteps.Load::readySeconds).toList()),
        kibs(m.projects(), ManyDatabasesSteps.Load::residentKib),
        kibs(m.projects(), ManyDatabasesSteps.Load::peakKib), counted(m.projects())));
    md.append("\nA full scrape of the service on the projects: %,d samples, %s of text.%n".formatted(m.series(),
        kib(m.scrapeBytes())));

    ManyDatabasesSteps.Load watched = m.watched();
    ManyDatabasesSteps.Idle idle = m.idle();
    md.append(("%nThen one more service on the projects, `--interval %d` (first complete scrape after %.2f s): "
        + "polls after no change, %d scrapes each %.1f s after the one before, once no database had been "
        + "written for two intervals: the sum over the %d projects of `agent_workflow_exporter_poll_duration_seconds` "
        + "median %s (%s to %s); one project's poll median %s, p99 %s; rows read meanwhile: %,.0f.%n").formatted(
        plan.interval().toSeconds(), watched.seconds(), idle.sumsMillis().count(),
        plan.interval().toMillis() * ManyDatabasesSteps.IDLE_SPACING / 1000.0,
        plan.databases(), ms(idle.sumsMillis().median()), ms(idle.sumsMillis().percentile(0)),
        ms(idle.sumsMillis().percentile(100)), ms(idle.eachMillis().median()), ms(idle.eachMillis().p99()),
        idle.rowsRead()));
    ManyDatabasesSteps.Lock lock = m.lock();
    md.append(("%nLock: a writer took project %s's database with `BEGIN EXCLUSIVE`, started a session there with the "
        + "hooks' statement and committed %.2f s later; meanwhile every project's "
        + "`agent_workflow_exporter_last_poll_success_timestamp_seconds` was scraped every 200 ms, from 1 s before "
        + "the lock to 2 s after it, and as long again just before, without a lock. Gaps between two successive "
        + "successful polls of the same project:%n%n"
        + "| watch | projects | gaps | median | longest |%n| --- | --- | --- | --- | --- |%n").formatted(
        lock.project(), lock.heldSeconds()));
    md.append("| without a lock | the other %d | %,d | %.3f s | %.3f s (%s) |%n".formatted(plan.databases() - 1,
        lock.without().gaps(), lock.without().millis().median() / 1000, lock.without().longestSeconds(),
        lock.without().worst()));
    md.append("| %s locked | the other %d | %,d | %.3f s | %.3f s (%s) |%n".formatted(lock.project(),
        plan.databases() - 1, lock.others().gaps(), lock.others().millis().median() / 1000,
        lock.others().longestSeconds(), lock.others().worst()));
    md.append("| %s locked | %s | | | %.3f s (%.0f poll errors) |%n".formatted(lock.project(), lock.project(),
        lock.lockedGapSeconds(), lock.lockedErrors()));

    ManyDatabasesSteps.Memory memory = m.memory();
    md.append(("%nMemory of that service: resident %s after its first load (peak %s); then, while every 5 s the "
        + "hooks' statements change 100 rows in the next project in turn and a full scrape comes every 15 s, every "
        + "30 s: %s MiB; %.0f s after its first load: %s (peak %s, %d threads; every database up: %s). Its scrapes "
        + "in the soak, as Prometheus asks (its Accept header, gzip, a new connection), each after polls that "
        + "changed something, so rendered anew: %s (sorted), median %s (%s gzipped).%n").formatted(
        mib(memory.afterLoadKib() * 1024), mib(memory.afterLoadPeakKib() * 1024),
        String.join(", ", memory.soakKib().stream().map(k -> Long.toString(k >> 10)).toList()),
        memory.soakSeconds(), mib(memory.lastKib() * 1024), mib(memory.peakKib() * 1024), memory.threads(),
        memory.allUp() ? "yes" : "no",
        String.join(", ", java.util.Arrays.stream(memory.scrapesMillis().sortedMillis()).mapToObj(Report::ms).toList()),
        ms(memory.scrapesMillis().median()), kib(memory.gzipBytes())));
  }

  private static List<Double> secondsOf(List<ManyDatabasesSteps.Load> loads) {
    return loads.stream().map(ManyDatabasesSteps.Load::seconds).toList();
  }

  private static String kibs(List<ManyDatabasesSteps.Load> loads,
      java.util.function.ToLongFunction<ManyDatabasesSteps.Load> kib) {
    return String.join(", ", loads.stream().map(l -> Long.toString(kib.applyAsLong(l) >> 10)).toList()) + " MiB";
  }

  private static String counted(List<ManyDatabasesSteps.Load> loads) {
    return String.join(", ", loads.stream().map(l -> "%,.0f%s".formatted(l.invocations(),
        l.fromScratch() ? "" : " (**restored**)")).toList());
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

  /**
   * The launcher puts {@code AGENT_WORKFLOW_EXPORTER_JAVA_OPTS} after its own options, and the
   * services inherit the benchmark's environment: a run with it set is not the launcher's own.
   */
  private static String extraJvmOptions() {
    String extra = System.getenv("AGENT_WORKFLOW_EXPORTER_JAVA_OPTS");
    return extra == null || extra.isBlank() ? ""
        : ", **and after them `%s` from AGENT_WORKFLOW_EXPORTER_JAVA_OPTS** (set for this run)".formatted(extra.strip());
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
