package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.demo.HookWriter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.Scraper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's process tests: one exporter process reading several databases shows, for each, exactly
 * the series an exporter of that database alone shows ({@code --once --db THAT_FILE}), with
 * {@code project="NAME"} added, and no series of any other project. Databases named, found by a glob,
 * added and removed while running, corrupt, locked by a writer, clashing by name; and one database
 * alone, whose series carry no {@code project} at all.
 */
class ManyDatabasesIT {
  private static final Duration START = Duration.ofSeconds(30);
  /** How long a change may take to show: a poll every second, a look for the glob's files every second. */
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";
  private static final String ZONE = HookDatabase.ZONE.getId();
  /** Flags that decide how rows are counted, given alike to the exporter under test and to each database's own. */
  private static final List<String> COUNTING = List.of("--timezone", ZONE);
  /** The writer's lock in the locked case, as long as the benchmark target holds it. */
  private static final Duration LOCK = Duration.ofSeconds(5);

  /**
   * Per-database self metrics whose values say when and how the polls ran, not what the database
   * holds: present in both outputs with the same labels, values not compared.
   */
  private static final Set<String> TIMING = Set.of(
      // how long the last poll took
      "agent_workflow_exporter_poll_duration_seconds",
      // when the last poll ran
      "agent_workflow_exporter_last_poll_success_timestamp_seconds",
      // how long the longest read held SQLite's lock
      "agent_workflow_exporter_longest_read_seconds",
      // a running exporter reads the running invocations (and rows updated since) again at every poll; the
      // reference reads each row once
      "agent_workflow_exporter_rows_read_total");

  /**
   * With state files (the default), how many were written and how large the last was depend on when
   * the polls fell (a state is written at most every 5 s after a change); the reference writes none.
   * Neither presence nor value compared. Restored (0: nothing to go on from) and write errors are.
   */
  private static final Set<String> STATE_WRITES = Set.of(
      "agent_workflow_exporter_state_writes_total", "agent_workflow_exporter_state_size_bytes");

  private static final List<String> AGENTS = List.of("architect", "implementer", "security-reviewer",
      "test-validator", "doc-writer");
  private static final List<String> PHASES = List.of("planning", "implementation", "review", "testing");
  private static final List<String> TOOLS = List.of("Bash", "Read", "Edit", "Grep");
  private static final List<String> MODELS = List.of("claude-opus-4-1", "claude-sonnet-4-5");

  @TempDir
  Path dir;

  /**
   * The rows' times start three hours ago: all within --stale-after (6h), so the agents still running
   * count in parallel_executions_current alike in both outputs, whenever each was taken.
   */
  private final Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(3));

  /**
   * Named ({@code alpha=}, {@code beta=}), by folder (gamma) and a corrupt file in one process: each
   * readable one is exactly its own exporter; the corrupt one is down with errors growing; a writer
   * holding beta's lock for 5 s delays no other database's polls, and once it commits every one is
   * exact again.
   */
  @Test
  void namedDatabasesEachShowWhatTheirOwnExporterShowsWhileOneIsCorruptAndOneIsLocked() throws Exception {
    Path alphaFile = dir.resolve("repo-one/logs/agent_workflow.db"); // named alpha, not after its folder
    Path betaFile = dir.resolve("beta.db");
    Path gammaFile = dir.resolve("src/gamma/logs/agent_workflow.db");
    Path corruptFile = dir.resolve("broken/logs/agent_workflow.db");
    project(alphaFile, "a", 5, 0);
    HookDatabase beta = project(betaFile, "b", 3, 1);
    project(gammaFile, "g", 4, 2);
    Files.createDirectories(corruptFile.getParent());
    byte[] garbage = new byte[64 * 1024];
    new Random(16).nextBytes(garbage);
    Files.write(corruptFile, garbage);
    Map<String, Path> readable = Map.of("alpha", alphaFile, "beta", betaFile, "gamma", gammaFile);

    try (ExporterProcess exporter = serve("--db", "alpha=" + alphaFile, "--db", "beta=" + betaFile,
        "--db", gammaFile.toString(), "--db", "corrupt=" + corruptFile, "--state-file", "none")) {
      Map<String, Exposition> own = ownExporters(readable);
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      awaitReady(scraper);

      // Ready: every database has had its first poll, which reads all there is. No waiting for more.
      Exposition first = scraper.metrics();
      Set<String> all = Set.of("alpha", "beta", "gamma", "corrupt");
      assertSame(first, own, all, Set.of());
      assertEquals(4, first.value("agent_workflow_exporter_databases"));
      assertEquals(0, first.value("agent_workflow_exporter_database_name_clashes"));
      assertEquals(0, first.value("agent_workflow_database_up", "project", "corrupt"));
      assertEquals(1, first.value("agent_workflow_database_info", "project", "corrupt", "path", corruptFile.toString()));
      assertEquals(List.of(), first.seriesOf("agent_invocation_total").stream()
          .filter(k -> k.contains("project=\"corrupt\"")).toList(), "nothing counted from a file that is no database");
      double corruptErrors = first.value("agent_workflow_exporter_poll_errors_total", "project", "corrupt");
      assertTrue(corruptErrors >= 1, "a failed first poll counts, got " + corruptErrors);

      // A writer holds beta's lock for 5 s and writes in it, as a long transaction does.
      Map<String, List<Double>> pollsDuringLock = new TreeMap<>(Map.of("alpha", new ArrayList<>(),
          "gamma", new ArrayList<>()));
      double betaErrorsBefore = first.value("agent_workflow_exporter_poll_errors_total", "project", "beta");
      boolean betaSeenDown = false;
      try (Connection writer = beta.connect(); Statement lock = writer.createStatement()) {
        lock.execute("BEGIN EXCLUSIVE");
        double lockedAt = System.currentTimeMillis() / 1000.0;
        long lockedNanos = System.nanoTime();
        try (HookWriter.Batch batch = beta.hooks().on(writer)) {
          batch.startSession("b-locked", base.plusSeconds(9000), "/work", "{}");
          long id = batch.startInvocation("b-locked", "review", "security-reviewer", base.plusSeconds(9001), "p", "{}");
          batch.endInvocation(id, base.plusSeconds(9100), "completed", null, 99.0, "claude-opus-4-1", "{}");
        }
        while (System.nanoTime() - lockedNanos < LOCK.toNanos()) {
          Exposition during = scraper.metrics();
          // the others are untouched: exact, up, and polled on their own schedule
          List<String> changed = new ArrayList<>();
          for (String other : pollsDuringLock.keySet()) {
            changed.addAll(projectDifferences(during, other, own.get(other), TIMING, Set.of()));
          }
          assertEquals(List.of(), changed, "the others changed during beta's lock");
          for (Map.Entry<String, List<Double>> polls : pollsDuringLock.entrySet()) {
            assertEquals(1, during.value("agent_workflow_database_up", "project", polls.getKey()));
            double at = during.value("agent_workflow_exporter_last_poll_success_timestamp_seconds",
                "project", polls.getKey());
            List<Double> seen = polls.getValue();
            if (at > lockedAt && (seen.isEmpty() || seen.get(seen.size() - 1) != at)) {
              seen.add(at);
            }
          }
          betaSeenDown |= during.value("agent_workflow_database_up", "project", "beta") == 0;
          Thread.sleep(100);
        }
        lock.execute("COMMIT");
      }
      assertTrue(betaSeenDown, "beta's polls met the lock (1 s busy timeout), so the lock was real");
      // Beta's failed polls take their 1 s busy timeout each; had they held up the others, those would
      // have been polled every 2 s or more. On their own schedule it is every 1 s (and the time a poll takes).
      pollsDuringLock.forEach((project, polls) -> {
        assertTrue(polls.size() >= 3, project + " polled " + polls.size() + " times in 5 s: " + polls);
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < polls.size(); i++) {
          gaps.add(polls.get(i) - polls.get(i - 1));
        }
        gaps.sort(null);
        double median = gaps.get(gaps.size() / 2);
        assertTrue(median < 1.5, project + "'s polls came every " + median + " s (median) during beta's lock: "
            + polls);
      });

      // After the lock: beta counts what the writer committed, every database is exact again.
      Map<String, Exposition> after = new TreeMap<>(own);
      after.put("beta", ownExporters(Map.of("beta", betaFile)).get("beta"));
      Exposition unlocked = awaitSame(scraper, after, all, Set.of(),
          Map.of("beta", Set.of("agent_workflow_exporter_poll_errors_total")), // its own exporter never met the lock
          Map.of("alpha", own.get("alpha"), "gamma", own.get("gamma")));
      double betaErrors = unlocked.value("agent_workflow_exporter_poll_errors_total", "project", "beta");
      assertTrue(betaErrors > betaErrorsBefore, "beta's polls failed during the lock: " + betaErrors);
      assertEquals(0, after.get("beta").value("agent_workflow_exporter_poll_errors_total"));
      assertEquals(1, unlocked.value("agent_invocation_total", "project", "beta", "agent_name", "security-reviewer",
          "phase", "review", "status", "completed", "model", "claude-opus-4-1"), "written under the lock, counted once");
      assertEquals(0, unlocked.value("agent_workflow_database_up", "project", "corrupt"));
      double corruptLater = unlocked.value("agent_workflow_exporter_poll_errors_total", "project", "corrupt");
      assertTrue(corruptLater > corruptErrors, "the corrupt file's polls keep failing: " + corruptLater);
      assertFalse(LogLines.hasStackTrace(exporter.stderr()), exporter.stderr());
    }
  }

  /**
   * Found by two globs, looked at every second: a project added while running is read, one moved
   * away disappears, the others stay exact after more rows; of two folders named {@code app}, the
   * first is read and the other is a clash, named in the log.
   */
  @Test
  void databasesFoundByGlobComeAndGoAndEachShowsWhatItsOwnExporterShows() throws Exception {
    Path projects = dir.resolve("projects");
    Path northFile = projects.resolve("north/logs/agent_workflow.db");
    Path southFile = projects.resolve("south/logs/agent_workflow.db");
    Path appFile = dir.resolve("clash/a/app/logs/agent_workflow.db");
    Path otherAppFile = dir.resolve("clash/b/app/logs/agent_workflow.db");
    HookDatabase north = project(northFile, "n", 4, 0);
    project(southFile, "s", 3, 3);
    HookDatabase app = project(appFile, "app-a", 2, 1);
    project(otherAppFile, "app-b", 5, 4); // different rows: reading it instead of a's would show

    // State files on (the default, in the test's folder): each database keeps its own.
    try (ExporterProcess exporter = serve("--db-glob", projects + "/*/logs/agent_workflow.db",
        "--db-glob", dir.resolve("clash") + "/**/logs/agent_workflow.db", "--db-glob-interval", "1s")) {
      Map<String, Exposition> own = new TreeMap<>(ownExporters(Map.of("north", northFile, "south", southFile,
          "app", appFile)));
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      awaitReady(scraper);

      Exposition first = scraper.metrics();
      assertSame(first, own, own.keySet(), STATE_WRITES);
      assertEquals(3, first.value("agent_workflow_exporter_databases"));
      assertEquals(1, first.value("agent_workflow_exporter_database_name_clashes"));
      exporter.await(LogLines.event("WARN", "ProjectPolling", Pattern.quote(otherAppFile + " (found by --db-glob) is "
          + "not read: its project name app is taken by " + appFile) + "; [^\"]*"), START);

      // Added while running: a project moved in whole, made elsewhere so that the look never finds it with its
      // tables half made (what a poll makes of that is another test's; here its own exporter must see the same file).
      Path eastFile = projects.resolve("east/logs/agent_workflow.db");
      Path staged = dir.resolve("staging/east");
      project(staged.resolve("logs/agent_workflow.db"), "e", 3, 2);
      Files.move(staged, eastFile.getParent().getParent());
      HookDatabase east = HookDatabase.open(eastFile);
      Map<String, Exposition> before = Map.copyOf(own);
      own.put("east", ownExporters(Map.of("east", eastFile)).get("east"));
      Exposition added = awaitSame(scraper, own, own.keySet(), STATE_WRITES, Map.of(), before);
      assertEquals(4, added.value("agent_workflow_exporter_databases"));
      exporter.await(LogLines.event("INFO", "ProjectPolling", Pattern.quote("found " + eastFile
          + " by --db-glob; reading it as project east")), START);

      // Removed while running: its folder moved out of the glob's reach.
      Path moved = dir.resolve("moved-away/south");
      Files.createDirectories(moved.getParent());
      Files.move(southFile.getParent().getParent(), moved);
      own.remove("south");
      Exposition removed = awaitSame(scraper, own, own.keySet(), STATE_WRITES, Map.of(), Map.copyOf(own));
      assertEquals(3, removed.value("agent_workflow_exporter_databases"));
      assertEquals(1, removed.value("agent_workflow_exporter_database_name_clashes"));

      // More rows everywhere, the moved database too: the ones read follow, the moved one stays gone.
      work(north, "n-more", 2, 1, base.plusSeconds(7200));
      work(east, "e-more", 3, 3, base.plusSeconds(7200));
      work(app, "app-a-more", 1, 0, base.plusSeconds(7200));
      work(HookDatabase.open(moved.resolve("logs/agent_workflow.db")), "s-more", 2, 0, base.plusSeconds(7200));
      Map<String, Exposition> more = ownExporters(Map.of("north", northFile, "east", eastFile, "app", appFile));
      assertEquals(own.keySet(), more.keySet());
      Exposition later = awaitSame(scraper, more, more.keySet(), STATE_WRITES, Map.of(), Map.of());
      assertEquals(Set.of("north", "east", "app"), projects(later));
      assertEquals(3, later.value("agent_workflow_exporter_databases"));
      String log = exporter.stderr();
      assertEquals(1, log.lines().filter(line -> line.contains(otherAppFile + " (found by --db-glob) is not read"))
          .count(), "the clash is said once, not at every look:\n" + log);
      assertFalse(LogLines.hasStackTrace(log), log);
    }
  }

  /** One --db: every series as an exporter of one database always showed it, no project label anywhere. */
  @Test
  void oneDatabaseAloneCarriesNoProjectLabel() throws Exception {
    Path file = dir.resolve("solo/logs/agent_workflow.db");
    project(file, "solo", 3, 1);
    try (ExporterProcess exporter = serve("--db", file.toString(), "--state-file", "none")) {
      Exposition own = ownExporters(Map.of("solo", file)).get("solo");
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      awaitReady(scraper);
      Exposition scrape = scraper.metrics();
      assertEquals(List.of(), scrape.all().keySet().stream().filter(k -> k.contains("project=")).toList());
      assertFalse(scrape.has("agent_workflow_exporter_databases"));
      assertFalse(scrape.has("agent_workflow_exporter_database_name_clashes"));
      assertEquals(List.of(), projectDifferences(scrape, null, own, TIMING, Set.of()));
    }
  }

  /** Refused at start, before anything is read or served: exit code 2 and one line saying why. */
  @Test
  void badDatabaseOptionsExitTwoWithOneLine() throws Exception {
    Path one = dir.resolve("a/app/logs/agent_workflow.db");
    Path two = dir.resolve("b/app/logs/agent_workflow.db");
    Map<List<String>, List<String>> cases = new LinkedHashMap<>();
    cases.put(List.of("--db", "x=one.db", "--db", "x=two.db"), List.of("one.db and two.db are both named x"));
    cases.put(List.of("--db", one.toString(), "--db", two.toString()),
        List.of(one + " and " + two + " are both named app", "NAME=PATH"));
    cases.put(List.of("--db", "a=one.db", "--db", "b=two.db", "--state-file", "/x"),
        List.of("--state-file /x names one file, and several databases are read"));
    cases.put(List.of("--db-glob", "["), List.of("--db-glob '[' is not a glob"));
    cases.put(List.of("--once", "--db-glob", "["), List.of("--db-glob '[' is not a glob"));
    Map<List<String>, ExporterProcess> runs = new LinkedHashMap<>();
    try {
      for (List<String> args : cases.keySet()) { // at once: each is a JVM start
        List<String> all = new ArrayList<>(args);
        if (!args.contains("--once")) {
          all.addAll(List.of("--bind", "127.0.0.1", "--port", "0")); // were it accepted, it would not take a real port
        }
        runs.put(args, ExporterProcess.start(dir, all.toArray(String[]::new)));
      }
      for (Map.Entry<List<String>, ExporterProcess> run : runs.entrySet()) {
        ExporterProcess process = run.getValue();
        assertEquals(2, process.exitCode(START), run.getKey() + ": " + process.stderr());
        assertEquals("", process.stdout(), run.getKey().toString());
        String err = process.stderr();
        assertEquals(1, err.lines().count(), run.getKey() + ": " + err);
        assertTrue(err.startsWith("agent-workflow-exporter: ") && err.endsWith("\n"), err);
        for (String part : cases.get(run.getKey())) {
          assertTrue(err.contains(part), run.getKey() + ": '" + part + "' not in: " + err);
        }
      }
    } finally {
      runs.values().forEach(ExporterProcess::close);
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.filter(p -> !p.getFileName().toString().matches("std(out|err).*\\.txt")).toList(),
          "nothing made: no state folder, no database");
    }
  }

  // --- the processes

  private ExporterProcess serve(String... databases) throws Exception {
    List<String> args = new ArrayList<>(List.of(databases));
    args.addAll(List.of("--bind", "127.0.0.1", "--port", "0", "--interval", "1"));
    args.addAll(COUNTING);
    return ExporterProcess.start(dir, args.toArray(String[]::new));
  }

  /**
   * What an exporter of each database alone shows: {@code --once --db THAT_FILE}, as given to the
   * exporter under test (the info series holds the path), with its counting flags and no state file.
   * The runs go at once: each is a JVM start.
   */
  private Map<String, Exposition> ownExporters(Map<String, Path> databases) throws Exception {
    Map<String, ExporterProcess> runs = new TreeMap<>();
    try {
      for (Map.Entry<String, Path> db : databases.entrySet()) {
        List<String> args = new ArrayList<>(List.of("--once", "--db", db.getValue().toString(), "--state-file", "none",
            "--log-level", "warn"));
        args.addAll(COUNTING);
        runs.put(db.getKey(), ExporterProcess.start(dir, args.toArray(String[]::new)));
      }
      Map<String, Exposition> own = new TreeMap<>();
      for (Map.Entry<String, ExporterProcess> run : runs.entrySet()) {
        ExporterProcess once = run.getValue();
        assertEquals(0, once.exitCode(START), run.getKey() + ": " + once.stderr());
        Exposition exposition = Exposition.parse(once.stdout());
        assertTrue(exposition.sum("agent_invocation_total") > 0, run.getKey() + " has invocations to compare");
        own.put(run.getKey(), exposition);
      }
      return own;
    } finally {
      runs.values().forEach(ExporterProcess::close);
    }
  }

  private static void awaitReady(Scraper scraper) throws Exception {
    long end = System.nanoTime() + START.toNanos();
    while (scraper.get("/-/ready").statusCode() != 200) {
      assertTrue(System.nanoTime() < end, "not ready within " + START);
      Thread.sleep(100);
    }
  }

  // --- the comparison

  /**
   * Fails unless the scrape shows each project of {@code own} exactly as its own exporter does, no
   * series of a project other than {@code projects}, and no per-database series without a project.
   */
  private static void assertSame(Exposition scrape, Map<String, Exposition> own, Set<String> projects,
      Set<String> uncompared) {
    assertEquals(List.of(), differences(scrape, own, projects, uncompared, Map.of()));
  }

  /**
   * Scrapes until {@link #differences} finds none; the projects of {@code steady} (which did not
   * change) must be exact at every scrape meanwhile. Returns the scrape that matched.
   */
  private static Exposition awaitSame(Scraper scraper, Map<String, Exposition> own, Set<String> projects,
      Set<String> uncompared, Map<String, Set<String>> valuesDiffer, Map<String, Exposition> steady)
      throws Exception {
    long end = System.nanoTime() + SETTLE.toNanos();
    List<String> differences = List.of();
    while (System.nanoTime() < end) {
      Exposition scrape = scraper.metrics();
      List<String> unsteady = new ArrayList<>();
      steady.forEach((project, reference) ->
          unsteady.addAll(projectDifferences(scrape, project, reference, TIMING, uncompared)));
      assertEquals(List.of(), unsteady, "a database that did not change changed");
      differences = differences(scrape, own, projects, uncompared, valuesDiffer);
      if (differences.isEmpty()) {
        return scrape;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not the same as each database's own exporter within " + SETTLE + ":\n"
        + String.join("\n", differences));
  }

  /**
   * What differs between the scrape and the databases' own exporters.
   *
   * @param own each project's own exporter; its series must all be in the scrape with the project label
   * @param projects the projects whose series the scrape may hold (those of {@code own}, and any read but
   *     not comparable, such as a corrupt file that its own exporter cannot read)
   * @param uncompared families compared neither for presence nor for value
   * @param valuesDiffer per project, families compared for presence only: their values its own exporter
   *     cannot know (besides {@link #TIMING}, compared so for every project)
   */
  private static List<String> differences(Exposition scrape, Map<String, Exposition> own, Set<String> projects,
      Set<String> uncompared, Map<String, Set<String>> valuesDiffer) {
    List<String> differences = new ArrayList<>();
    own.forEach((project, reference) -> {
      Set<String> notValues = new HashSet<>(TIMING);
      notValues.addAll(valuesDiffer.getOrDefault(project, Set.of()));
      differences.addAll(projectDifferences(scrape, project, reference, notValues, uncompared));
    });
    if (!projects.equals(projects(scrape))) {
      differences.add("projects " + new TreeSet<>(projects(scrape)) + ", expected " + new TreeSet<>(projects));
    }
    Set<String> perDatabase = new HashSet<>();
    own.values().forEach(reference -> reference.all().keySet().forEach(key -> perDatabase.add(nameOf(key))));
    perDatabase.remove("agent_workflow_exporter_build_info"); // the process's, never a project's
    scrape.all().keySet().stream()
        .filter(key -> perDatabase.contains(nameOf(key)) && !labelsOf(key).containsKey("project"))
        .forEach(key -> differences.add("without project: " + key));
    return differences;
  }

  /**
   * The differences between the series of {@code project} in the scrape, the label taken off, and its
   * own exporter's: missing, extra, or another value. With {@code project} null, the scrape's series
   * without a project label, of the families its own exporter shows.
   */
  private static List<String> projectDifferences(Exposition scrape, String project, Exposition reference,
      Set<String> valuesNotCompared, Set<String> uncompared) {
    Map<String, Double> expected = new TreeMap<>();
    reference.all().forEach((key, value) -> {
      String name = nameOf(key);
      if (!uncompared.contains(name) && !name.equals("agent_workflow_exporter_build_info")) {
        expected.put(key, value);
      }
    });
    Map<String, Double> shown = new TreeMap<>();
    scrape.all().forEach((key, value) -> {
      Map<String, String> labels = labelsOf(key);
      String name = nameOf(key);
      boolean ours = project == null
          ? !labels.containsKey("project") && expected.keySet().stream().anyMatch(k -> nameOf(k).equals(name))
          : project.equals(labels.get("project"));
      if (ours && !uncompared.contains(name)) {
        labels.remove("project");
        List<String> pairs = new ArrayList<>();
        labels.forEach((label, labelValue) -> pairs.addAll(List.of(label, labelValue)));
        shown.put(Exposition.key(name, pairs.toArray(String[]::new)), value);
      }
    });
    String where = project == null ? "" : "{project=\"" + project + "\"} ";
    List<String> differences = new ArrayList<>();
    expected.forEach((key, value) -> {
      Double seen = shown.get(key);
      if (seen == null) {
        differences.add(where + "missing " + key);
      } else if (!valuesNotCompared.contains(nameOf(key)) && Double.compare(seen, value) != 0) {
        differences.add(where + key + " is " + seen + ", its own exporter shows " + value);
      }
    });
    shown.keySet().stream().filter(key -> !expected.containsKey(key))
        .forEach(key -> differences.add(where + "extra " + key));
    return differences;
  }

  /** The values of the {@code project} label in the scrape. */
  private static Set<String> projects(Exposition scrape) {
    Set<String> projects = new TreeSet<>();
    scrape.all().keySet().forEach(key -> {
      String project = labelsOf(key).get("project");
      if (project != null) {
        projects.add(project);
      }
    });
    return projects;
  }

  private static String nameOf(String key) {
    int brace = key.indexOf('{');
    return brace < 0 ? key : key.substring(0, brace);
  }

  /** The labels of a key as {@link Exposition} writes it: {@code name{a="x",b="y"}}, values unescaped. */
  private static Map<String, String> labelsOf(String key) {
    Map<String, String> labels = new TreeMap<>();
    int i = key.indexOf('{');
    if (i < 0) {
      return labels;
    }
    i++;
    while (i < key.length() - 1) {
      int equals = key.indexOf("=\"", i);
      int close = key.indexOf("\"", equals + 2);
      // a value ends at a quote followed by ',' or the closing brace (the test's values hold neither)
      while (key.charAt(close + 1) != ',' && key.charAt(close + 1) != '}') {
        close = key.indexOf("\"", close + 1);
      }
      labels.put(key.substring(i, equals), key.substring(equals + 2, close));
      i = close + 2;
    }
    return labels;
  }

  // --- the databases

  /** A project's database at {@code file}, its folders made, with {@link #work} in it. */
  private HookDatabase project(Path file, String tag, int runs, int seed) throws Exception {
    Files.createDirectories(file.getParent());
    HookDatabase db = HookDatabase.create(file);
    work(db, tag, runs, seed, base);
    return db;
  }

  /**
   * A pipeline's day as the hooks log it, one connection per event: {@code runs} sessions, each an
   * agent with a tool use (some failed), ended or still active; then one agent still running. The
   * seed shifts agents, phases, durations and reports, so that no project's series could pass for
   * another's.
   */
  private static void work(HookDatabase db, String tag, int runs, int seed, Instant from) throws Exception {
    for (int i = 0; i < runs; i++) {
      String session = tag + "-" + i;
      Instant t = from.plusSeconds(600L * i);
      db.startSession(session, t);
      String agent = AGENTS.get((i + seed) % AGENTS.size());
      long id = db.startAgent(session, PHASES.get((2 * i + seed) % PHASES.size()), agent, t.plusSeconds(5));
      long tool = db.startTool(session, agent, id, TOOLS.get((i + seed) % TOOLS.size()), t.plusSeconds(10), 1);
      db.finishTool(tool, t.plusSeconds(12L + seed), i % 4 == 3 ? "error" : "completed", 2.0 + seed);
      double seconds = 30.0 * (i + 1) + seed;
      db.finishAgent(id, t.plusSeconds(5 + (long) seconds), i % 3 == 2 ? "failed" : "completed", seconds,
          MODELS.get((i + seed) % MODELS.size()),
          "{\"totalToolUseCount\": " + (i + seed) + ", \"totalTokens\": " + 1000 * (i + 1) * (seed + 1) + "}");
      db.subagentStop(session, t.plusSeconds(6 + (long) seconds));
      if (i % 2 == 0) {
        db.stopSession(session, t.plusSeconds(300L + 60L * seed));
      }
    }
    String live = tag + "-live";
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    db.startSession(live, now.minusSeconds(60));
    db.startAgent(live, PHASES.get(seed % PHASES.size()), AGENTS.get((seed + 2) % AGENTS.size()), now.minusSeconds(30));
  }
}
