package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.OtherUser;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 18, restarts with the state file (issue 13), on the packaged jar: a restart goes on from the
 * state file, so that no counter or histogram goes down and rows written while the exporter was
 * down are counted once, also after rows were deleted, a session resumed, or {@code kill -9}; a
 * file renamed or copied over the old one, emptied or restored from an older copy is counted from
 * scratch (equal to an exporter without state file) with one line that says why; a damaged,
 * truncated or foreign state file, a state folder that cannot be written and a second exporter on
 * the same state file each cost one log line and nothing else; {@code --once} and
 * {@code --textfile} read only what changed since the last run.
 */
@Tag("reliability")
class RestartIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration EXIT = Duration.ofSeconds(10);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";
  private static final String DB = "agent_workflow.db";
  /** Counters and histograms: what must never go down across a restart. */
  private static final List<String> COUNTED = List.of("agent_invocation_total", "agent_error_total",
      "phase_distribution_total", "agent_duration_seconds_bucket", "agent_duration_seconds_count",
      "agent_duration_seconds_sum", "session_duration_seconds_bucket", "session_duration_seconds_count",
      "session_duration_seconds_sum");

  @TempDir
  Path dir;

  /** Recent, whole seconds: running rows are not stale, durations are exact in binary. */
  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));

  // ---- 1. deleted rows and a resumed session while the exporter was down ----

  @Test
  void aRestartAfterDeletedRowsAndAResumedSessionLowersNothingAndCountsTheNewRowsOnce() throws Exception {
    HookDatabase db = history(dir);
    Exposition before;
    long highestBefore;
    Set<Long> runningBefore;
    Set<List<String>> endedBefore;
    try (Run first = serve(dir)) {
      awaitExact(first, db);
      before = first.scraper.metrics();
      assertEquals(0, before.value("agent_workflow_exporter_state_restored"), "the first run has no state yet");
      first.stop();
    }
    try (Connection c = db.connect()) {
      highestBefore = longs(c, "SELECT max(id) FROM agent_invocations").iterator().next();
      runningBefore = longs(c, "SELECT id FROM agent_invocations WHERE agent_name IS NOT NULL AND status = 'started'");
      endedBefore = sessionRuns(c, "WHERE end_time IS NOT NULL");
    }

    // while it is down: old rows deleted, the newest invocation counted among them; the ended session
    // s1 resumed (the hooks' INSERT OR REPLACE: a new row, a new start), its new run ended; the
    // running invocation finished; new rows, finished and running
    long newestCounted = newestInvocation(db);
    db.execute("DELETE FROM agent_invocations WHERE agent_name = 'architect' OR id = " + newestCounted);
    db.startSession("s1", t0.plusSeconds(1000));
    long w = db.startAgent("s1", "finalization", "changelog-writer", t0.plusSeconds(1010));
    db.finishAgent(w, t0.plusSeconds(1020), "completed", 10.0, "opus");
    long x = db.startAgent("s1", "finalization", "pr-creator", t0.plusSeconds(1030));
    db.finishAgent(x, t0.plusSeconds(1040), "timeout", 10.0, "opus");
    db.stopSession("s1", t0.plusSeconds(1100));
    for (long running : runningBefore) {
      db.finishAgent(running, t0.plusSeconds(1200), "completed", 600.0, "sonnet");
    }
    db.startAgent("s2", "review", "test-validator", t0.plusSeconds(1300));

    // what the rows to count now say by themselves: a copy without the rows counted before
    Path deltaDir = Files.createDirectories(dir.resolve("delta"));
    Files.copy(db.path(), deltaDir.resolve(DB));
    HookDatabase delta = HookDatabase.open(deltaDir.resolve(DB));
    delta.execute("DELETE FROM agent_invocations WHERE id <= " + highestBefore + " AND id NOT IN ("
        + String.join(",", runningBefore.stream().map(String::valueOf).toList()) + ")");
    for (List<String> run : endedBefore) {
      delta.execute("DELETE FROM sessions WHERE session_id = '" + run.get(0) + "' AND start_time = '" + run.get(1) + "'");
    }
    Exposition newRows = fromScratch(deltaDir);
    assertEquals(3, newRows.sum("agent_invocation_total"), "two new finished invocations and one finished while down");
    assertEquals(1, newRows.value("session_duration_seconds_count"), "the resumed session's new run");

    try (Run second = serve(dir)) {
      Exposition after = second.scraper.metrics();
      assertEquals(1, after.value("agent_workflow_exporter_state_restored"), second.process.stderr());
      Set<String> keys = new TreeSet<>();
      for (Exposition m : List.of(before, after, newRows)) {
        COUNTED.forEach(name -> keys.addAll(m.seriesOf(name)));
      }
      for (String key : keys) {
        double was = before.all().getOrDefault(key, 0.0);
        double is = after.all().getOrDefault(key, 0.0);
        assertTrue(is >= was, key + " went down from " + was + " to " + is);
        assertEquals(was + newRows.all().getOrDefault(key, 0.0), is, key + ": before plus the rows new since, once");
      }
      try (Connection c = db.connect()) {
        assertEquals(SqlTotals.running(c), after.value("parallel_executions_current"));
        assertEquals(SqlTotals.activeSessions(c), after.value("active_sessions_count"));
      }
      assertEquals(List.of(), scratchLines(second.process));
      assertEquals(List.of(), problemLines(second.process));
      System.out.printf("REPORT restart after deletes and a resumed session: %d series compared, none lower; "
          + "%.0f invocations before, %.0f after (%.0f new); %.0f session runs observed before, %.0f after%n",
          keys.size(), before.sum("agent_invocation_total"), after.sum("agent_invocation_total"),
          newRows.sum("agent_invocation_total"), before.value("session_duration_seconds_count"),
          after.value("session_duration_seconds_count"));
      second.stop();
    }
  }

  // ---- 2. another file at the path while the exporter was down ----

  @Test
  void aFileRenamedOverCopiedOverRestoredFromAnOlderCopyOrEmptiedIsCountedFromScratch() throws Exception {
    Path file = dir.resolve(DB);
    HookDatabase db = history(dir);
    try (Run run = serve(dir)) {
      awaitExact(run, db);
      run.stop();
    }

    // renamed over: another inode
    long inode = inode(file);
    HookDatabase other = HookDatabase.create(dir.resolve("other.db"));
    invocations(other, "renamed", 4);
    Files.move(other.path(), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertNotEquals(inode, inode(file));
    try (Run run = restartFromScratch(db, "another device or inode", "renamed over")) {
      run.stop();
    }

    // copied over in place, as cp does (the same inode), with more rows than were counted
    inode = inode(file);
    HookDatabase copy = HookDatabase.create(dir.resolve("copy.db"));
    invocations(copy, "copied", 9);
    Process cp = new ProcessBuilder("cp", copy.path().toString(), file.toString()).inheritIO().start();
    assertEquals(0, cp.waitFor());
    assertEquals(inode, inode(file), "cp writes into the file it copies over");
    byte[] older;
    try (Run run = restartFromScratch(db, "no longer holds the invocations the state file counted", "copied over in place")) {
      // restored from an older copy: bytes saved now, rows written and counted, then the bytes back in place
      older = Files.readAllBytes(file);
      invocations(db, "later", 3);
      awaitExact(run, db);
      run.stop();
    }
    Files.write(file, older); // truncates and writes: the same inode
    assertEquals(inode, inode(file));
    try (Run run = restartFromScratch(db, "gives lower invocation ids", "restored from an older copy")) {
      run.stop();
    }

    // emptied in place: the same inode, the hooks' schema again, fewer rows
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(0);
    }
    HookDatabase.create(file);
    invocations(db, "emptied", 1);
    assertEquals(inode, inode(file));
    try (Run run = restartFromScratch(db, "gives lower invocation ids", "emptied in place")) {
      run.stop();
    }
  }

  /**
   * Starts an exporter on a file that is not the one its state file describes and checks that it
   * counts from scratch (equal to an exporter without state file, and to SQL) and says why in one
   * line; returns it running (it has written its own state), for the caller to stop.
   */
  private Run restartFromScratch(HookDatabase db, String why, String what) throws Exception {
    Run run = serve(dir);
    try {
      checkFromScratch(run, db, why, what);
      return run;
    } catch (Exception | AssertionError e) {
      run.close();
      throw e;
    }
  }

  private void checkFromScratch(Run run, HookDatabase db, String why, String what) throws Exception {
    awaitExact(run, db);
    Exposition m = run.scraper.metrics();
    assertEquals(0, m.value("agent_workflow_exporter_state_restored"), what);
    assertEquals(workflow(fromScratch(dir)), workflow(m), what + ": the new file's figures");
    List<String> lines = scratchLines(run.process);
    assertEquals(1, lines.size(), what + ": one line says why\n" + run.process.stderr());
    assertTrue(lines.get(0).contains("the state file does not describe it"), lines.get(0));
    assertTrue(lines.get(0).contains(why), what + ": " + lines.get(0));
    assertEquals(List.of(), problemLines(run.process), what);
    System.out.printf("REPORT %s: counted from scratch, equal to --state-file none (%.0f invocations); the line: %s%n",
        what, m.sum("agent_invocation_total"), lines.get(0).replaceAll("^\\S+ ", ""));
  }

  // ---- 3. a damaged, cut or foreign state file ----

  @Test
  void aDamagedTruncatedOrForeignStateFileCostsOneLineAndCountsFromScratch() throws Exception {
    HookDatabase db = history(dir);
    Path good = dir.resolve("state").resolve("good.state");
    try (ExporterProcess once = ExporterProcess.start(dir, oneShot("--state-file", good.toString()))) {
      assertEquals(0, once.exitCode(EXIT), once.stderr());
    }
    byte[] bytes = Files.readAllBytes(good);
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x40;
    byte[] otherFormat = bytes.clone();
    otherFormat[11] = 99; // the format number's last byte
    byte[] random = new byte[bytes.length];
    new Random(18).nextBytes(random);
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("its checksum does not match: it is damaged", flipped);
    bad.put("it is cut short", java.util.Arrays.copyOf(bytes, bytes.length / 2));
    bad.put("it was written in format 99", otherFormat);
    bad.put("it is not a state file of this exporter", random);
    Map<String, Path> files = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : bad.entrySet()) {
      Path state = dir.resolve("state").resolve("bad-" + files.size() + ".state");
      Files.write(state, e.getValue());
      files.put(e.getKey(), state);
    }
    Map<String, Double> expected = workflow(fromScratch(dir));

    // all at once: each has a state file of its own
    List<Run> runs = new ArrayList<>();
    List<Watch> watches = new ArrayList<>();
    try {
      for (Path state : files.values()) {
        Run run = serve(dir, "--state-file", state.toString());
        runs.add(run);
        watches.add(new Watch(run.scraper));
      }
      int i = 0;
      for (Map.Entry<String, Path> e : files.entrySet()) {
        Run run = runs.get(i++);
        awaitExact(run, db);
        Exposition m = run.scraper.metrics();
        assertEquals(0, m.value("agent_workflow_exporter_state_restored"), e.getKey());
        assertEquals(expected, workflow(m), e.getKey());
        List<String> problems = problemLines(run.process);
        assertEquals(1, problems.size(), run.process.stderr());
        assertTrue(problems.get(0).contains("not used, counting from scratch: " + e.getKey()), problems.get(0));
        System.out.printf("REPORT bad state file: %s%n", problems.get(0).replaceAll("^\\S+ ", ""));
      }
      Await.until("a new state written by each", WAIT, () -> {
        for (Run run : runs) {
          if (run.scraper.metrics().value("agent_workflow_exporter_state_writes_total") < 1) {
            return false;
          }
        }
        return true;
      });
      long scrapes = 0;
      for (int j = 0; j < runs.size(); j++) {
        watches.get(j).close();
        assertTrue(watches.get(j).ok.get() > 0);
        assertEquals(0, watches.get(j).failed.get(), "served throughout");
        scrapes += watches.get(j).ok.get();
        runs.get(j).stop();
      }
      System.out.printf("REPORT bad state files: %d scrapes while they ran, none failed; each exited 0%n", scrapes);
    } finally {
      watches.forEach(Watch::close);
      runs.forEach(Run::close);
    }
    // what the first wrote in place of its damaged file is good; --once with a damaged file exits 0
    Path state = files.values().iterator().next();
    for (boolean damaged : new boolean[] {false, true}) {
      if (damaged) {
        Files.write(state, flipped);
      }
      try (ExporterProcess once = ExporterProcess.start(dir, oneShot("--state-file", state.toString()))) {
        assertEquals(0, once.exitCode(EXIT), once.stderr());
        Exposition m = Exposition.parse(once.stdout());
        assertEquals(damaged ? 0 : 1, m.value("agent_workflow_exporter_state_restored"), once.stderr());
        assertEquals(expected, workflow(m));
        assertEquals(damaged ? 1 : 0, problemLines(once).size(), once.stderr());
      }
    }
  }

  // ---- 4. a state folder that cannot be written ----

  @Test
  void aStateFolderThatCannotBeWrittenCostsOneLineAndCountsWriteErrors() throws Exception {
    HookDatabase db = history(dir);
    Path aFile = Files.writeString(dir.resolve("a-file"), "a regular file, not a folder\n");
    List<Run> runs = new ArrayList<>();
    Path shared = null;
    try {
      runs.add(serve(dir, "--state-file", aFile.resolve("agent_workflow.state").toString()));
      HookDatabase sharedDb = null;
      Optional<List<String>> nobody = OtherUser.nobodyIfPossible();
      if (nobody.isPresent()) {
        // as nobody, with the default state folder ($XDG_STATE_HOME/agent-workflow-exporter) root's, 0755
        shared = Files.createTempDirectory(Path.of("/tmp"), "agent-workflow-restart-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(Files.createDirectories(shared.resolve("xdg-state/agent-workflow-exporter")),
            PosixFilePermissions.fromString("rwxr-xr-x"));
        sharedDb = history(shared);
        Files.setPosixFilePermissions(sharedDb.path(), PosixFilePermissions.fromString("rw-r--r--"));
        runs.add(serve(shared, nobody.get()));
      } else {
        System.out.println("REPORT unwritable state folder: not run as nobody (needs root and runuser)");
      }
      List<HookDatabase> dbs = sharedDb == null ? List.of(db) : List.of(db, sharedDb);
      for (int i = 0; i < runs.size(); i++) {
        Run run = runs.get(i);
        HookDatabase hooks = dbs.get(i);
        awaitExact(run, hooks);
        // a poll publishes its figures, then the state is written: the count shows from the next poll on
        Await.until("a failed write counted", WAIT,
            () -> run.scraper.metrics().value("agent_workflow_exporter_state_write_errors_total") >= 1);
        double first = run.scraper.metrics().value("agent_workflow_exporter_state_write_errors_total");
        invocations(hooks, "meanwhile", 2); // it goes on counting
        awaitExact(run, hooks);
        Await.until("more write errors (a try every 5 s)", WAIT,
            () -> run.scraper.metrics().value("agent_workflow_exporter_state_write_errors_total") > first);
      }
      for (Run run : runs) {
        Exposition m = run.scraper.metrics();
        assertEquals(0, m.value("agent_workflow_exporter_state_writes_total"));
        assertEquals(0, m.value("agent_workflow_exporter_state_restored"));
        assertEquals(1, m.value("agent_workflow_database_up"));
        List<String> problems = problemLines(run.process);
        assertEquals(1, problems.size(), "one line, however many tries:\n" + run.process.stderr());
        assertTrue(problems.get(0).contains("state file"), problems.get(0));
        System.out.printf("REPORT unwritable state folder: %.0f failed writes, serving, counting; the line: %s%n",
            m.value("agent_workflow_exporter_state_write_errors_total"), problems.get(0).replaceAll("^\\S+ ", ""));
        run.stop();
      }
    } finally {
      runs.forEach(Run::close);
      if (shared != null) {
        try (Stream<Path> files = Files.walk(shared)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  // ---- 5. two exporters, one state file ----

  @Test
  void aSecondExporterOnTheSameStateFileGoesOnWithoutItAndLeavesTheFirstOnesFileValid() throws Exception {
    HookDatabase db = history(dir);
    byte[] written;
    try (Run first = serve(dir)) {
      awaitExact(first, db);
      Await.until("the first one's state written", WAIT,
          () -> first.scraper.metrics().value("agent_workflow_exporter_state_writes_total") >= 1);
      try (Run second = serve(dir)) {
        awaitExact(second, db);
        invocations(db, "both", 3);
        awaitExact(first, db);
        awaitExact(second, db);
        Exposition m = second.scraper.metrics();
        assertEquals(0, m.value("agent_workflow_exporter_state_restored"));
        assertEquals(0, m.value("agent_workflow_exporter_state_writes_total"));
        assertEquals(workflow(first.scraper.metrics()), workflow(m));
        List<String> problems = problemLines(second.process);
        assertEquals(1, problems.size(), second.process.stderr());
        assertTrue(problems.get(0).contains("is in use by another exporter"), problems.get(0));
        assertEquals(List.of(), problemLines(first.process));
        first.stop(); // the first writes its state on the way out, the second stops after it
        written = Files.readAllBytes(stateFile(dir));
        second.stop();
        System.out.printf("REPORT second exporter on one state file: %s%n", problems.get(0).replaceAll("^\\S+ ", ""));
      }
    }
    assertArrayEquals(written, Files.readAllBytes(stateFile(dir)), "the second one never wrote");
    invocations(db, "after", 2);
    try (Run third = serve(dir)) {
      awaitExact(third, db);
      Exposition m = third.scraper.metrics();
      assertEquals(1, m.value("agent_workflow_exporter_state_restored"), third.process.stderr());
      assertEquals(workflow(fromScratch(dir)), workflow(m));
      third.stop();
    }
  }

  // ---- 6. kill -9 ----

  @Test
  void killMinusNineLosesNothingAndCountsNothingTwice() throws Exception {
    HookDatabase db = history(dir);
    double rowsBefore;
    long killedAfterMs;
    try (Run run = serve(dir)) {
      awaitExact(run, db);
      // a poll publishes its figures, then the state is written: the count shows from the next poll on,
      // and the file exists only from the first write
      Await.until("a state written", WAIT,
          () -> run.scraper.metrics().value("agent_workflow_exporter_state_writes_total") >= 1);
      Path state = stateFile(dir);
      Exposition m = run.scraper.metrics();
      double writes = m.value("agent_workflow_exporter_state_writes_total");
      byte[] lastWritten = Files.readAllBytes(state);
      long wroteAt = System.nanoTime();
      // within the 5 s before the next write: a running invocation finishes, new ones finish and start
      try (Connection c = db.connect()) {
        for (long id : longs(c, "SELECT id FROM agent_invocations WHERE agent_name IS NOT NULL AND status = 'started'")) {
          db.finishAgent(id, t0.plusSeconds(2000), "completed", 33.0, "opus");
        }
      }
      invocations(db, "unsaved", 3);
      db.startAgent("s2", "review", "security-reviewer", t0.plusSeconds(2100));
      awaitExact(run, db);
      Exposition counted = run.scraper.metrics();
      assertEquals(writes, counted.value("agent_workflow_exporter_state_writes_total"),
          "no state written since (the test must kill within the write pause)");
      assertArrayEquals(lastWritten, Files.readAllBytes(state));
      rowsBefore = counted.value("agent_workflow_exporter_rows_read_total", "table", "agent_invocations");
      run.process.signal("KILL");
      killedAfterMs = (System.nanoTime() - wroteAt) / 1_000_000;
      assertEquals(137, run.process.exitCode(EXIT));
      assertArrayEquals(lastWritten, Files.readAllBytes(state), "the kill wrote nothing");
    }
    invocations(db, "down", 2);
    try (Run run = serve(dir)) {
      awaitExact(run, db);
      Exposition m = run.scraper.metrics();
      assertEquals(1, m.value("agent_workflow_exporter_state_restored"), run.process.stderr());
      assertEquals(workflow(fromScratch(dir)), workflow(m), "nothing lost, nothing twice");
      System.out.printf("REPORT kill -9 %d ms after the last state write, 4 invocations finished and 1 started since "
          + "it: restored, equal to SQL and to --state-file none; rows read by the killed run %.0f, after the "
          + "restart %.0f%n", killedAfterMs, rowsBefore,
          m.value("agent_workflow_exporter_rows_read_total", "table", "agent_invocations"));
      run.stop();
    }
  }

  // ---- 7. --once and --textfile, run again ----

  @Test
  void onceAndTextfileRunAgainReadOnlyWhatChanged() throws Exception {
    HookDatabase db = history(dir);
    Exposition first = once(dir);
    assertEquals(0, first.value("agent_workflow_exporter_state_restored"));
    assertExactOnce(db, first);
    Exposition second = onceAfterWrites(db, first, "once-1", this::once);
    Path textfile = dir.resolve("textfile").resolve("agent_workflow.prom");
    Files.createDirectories(textfile.getParent());
    ThrowingRun textfileRun = d -> {
      try (ExporterProcess run = ExporterProcess.start(d, textfileArgs(textfile))) {
        assertEquals(0, run.exitCode(EXIT), run.stderr());
      }
      return Exposition.parse(Files.readString(textfile));
    };
    Exposition third = onceAfterWrites(db, second, "textfile-1", textfileRun);
    onceAfterWrites(db, third, "textfile-2", textfileRun);
  }

  private interface ThrowingRun {
    Exposition run(Path workDir) throws Exception;
  }

  /**
   * Writes to the database (a running invocation finishes, new ones finish and start, a session
   * starts, one ends), runs {@code run} again, and checks that it read only the new rows and the
   * ones still open at the last run, and that its figures equal SQL's.
   */
  private Exposition onceAfterWrites(HookDatabase db, Exposition last, String what, ThrowingRun run) throws Exception {
    long openInvocations;
    long newInvocations;
    long openSessions;
    long newSessions;
    try (Connection c = db.connect()) {
      openInvocations = SqlTotals.running(c);
      openSessions = SqlTotals.activeSessions(c);
      long highest = longs(c, "SELECT max(id) FROM agent_invocations").iterator().next();
      long highestSession = longs(c, "SELECT max(rowid) FROM sessions").iterator().next();
      for (long id : longs(c, "SELECT id FROM agent_invocations WHERE agent_name IS NOT NULL AND status = 'started'")) {
        db.finishAgent(id, t0.plusSeconds(3000), "completed", 12.0, "opus");
      }
      invocations(db, what, 2);
      db.subagentStop("s2", t0.plusSeconds(3100));
      db.startAgent("s2", "review", "reviewer-" + what, t0.plusSeconds(3200));
      db.startSession(what, t0.plusSeconds(3300));
      newInvocations = longs(c, "SELECT count(*) FROM agent_invocations WHERE id > " + highest).iterator().next();
      newSessions = longs(c, "SELECT count(*) FROM sessions WHERE rowid > " + highestSession).iterator().next();
    }
    Exposition m = run.run(dir);
    assertEquals(1, m.value("agent_workflow_exporter_state_restored"), what);
    assertExactOnce(db, m);
    double invocationsRead = m.value("agent_workflow_exporter_rows_read_total", "table", "agent_invocations")
        - last.value("agent_workflow_exporter_rows_read_total", "table", "agent_invocations");
    double sessionsRead = m.value("agent_workflow_exporter_rows_read_total", "table", "sessions")
        - last.value("agent_workflow_exporter_rows_read_total", "table", "sessions");
    assertEquals(newInvocations + openInvocations, invocationsRead, what + ": the new rows and the open ones again");
    assertEquals(newSessions + openSessions, sessionsRead, what + ": the new sessions and the active ones again");
    System.out.printf("REPORT %s: read %.0f invocations (%d new, %d open before) and %.0f sessions (%d new, %d "
        + "active before); equal to SQL and to --state-file none%n", what, invocationsRead, newInvocations,
        openInvocations, sessionsRead, newSessions, openSessions);
    return m;
  }

  private void assertExactOnce(HookDatabase db, Exposition m) throws Exception {
    try (Connection c = db.connect()) {
      assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
    }
    assertEquals(workflow(fromScratch(dir)), workflow(m));
  }

  private Exposition once(Path workDir) throws Exception {
    try (ExporterProcess once = ExporterProcess.start(workDir, oneShot())) {
      assertEquals(0, once.exitCode(EXIT), once.stderr());
      return Exposition.parse(once.stdout());
    }
  }

  // ---- helpers ----

  /** A running exporter of {@code workDir}'s database and a client of it. */
  private static final class Run implements AutoCloseable {
    final ExporterProcess process;
    final Scraper scraper;

    Run(ExporterProcess process, Scraper scraper) {
      this.process = process;
      this.scraper = scraper;
    }

    /** SIGTERM: exit 0 (the state is written on the way out). */
    void stop() throws Exception {
      process.signal("TERM");
      assertEquals(0, process.exitCode(EXIT), process.stderr());
    }

    @Override
    public void close() {
      process.close();
    }
  }

  /** Scrapes every 100 ms until closed: serving throughout means no scrape failed. */
  private static final class Watch implements AutoCloseable {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Watch(Scraper scraper) {
      thread = new Thread(() -> {
        while (running.get()) {
          try {
            scraper.metrics();
            ok.incrementAndGet();
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      }, "watch");
      thread.start();
    }

    @Override
    public void close() {
      running.set(false);
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Run serve(Path workDir, String... extra) throws Exception {
    return serve(workDir, List.of(), extra);
  }

  /** Starts the jar on {@code workDir}'s database, polling every second; returns once its first poll is published. */
  private Run serve(Path workDir, List<String> prefix, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--db", DB, "--bind", "127.0.0.1", "--port", "0", "--interval", "1",
        "--timezone", HookDatabase.ZONE.getId()));
    args.addAll(List.of(extra));
    ExporterProcess process = ExporterProcess.start(prefix, workDir, args.toArray(String[]::new));
    try {
      Scraper scraper = new Scraper(Integer.parseInt(process.await(SERVING, WAIT)));
      Await.until("the first poll", WAIT, () -> scraper.metrics().value("agent_workflow_database_up") == 1);
      return new Run(process, scraper);
    } catch (Exception | AssertionError e) {
      process.close();
      throw e;
    }
  }

  private static String[] oneShot(String... extra) {
    List<String> args = new ArrayList<>(List.of("--once", "--db", DB, "--timezone", HookDatabase.ZONE.getId()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static String[] textfileArgs(Path textfile) {
    return new String[] {"--textfile", textfile.toString(), "--db", DB, "--timezone", HookDatabase.ZONE.getId()};
  }

  /** What an exporter without state file counts of {@code workDir}'s database, now. */
  private static Exposition fromScratch(Path workDir) throws Exception {
    try (ExporterProcess once = ExporterProcess.start(workDir, oneShot("--state-file", "none"))) {
      assertEquals(0, once.exitCode(EXIT), once.stderr());
      return Exposition.parse(once.stdout());
    }
  }

  /**
   * The figures of the workflow: every series but the exporter's own and its process's and JVM's,
   * except those that count what the trackers count (overflowing labels and series, rows not followed).
   */
  private static Map<String, Double> workflow(Exposition m) {
    Map<String, Double> out = new TreeMap<>();
    m.all().forEach((key, value) -> {
      if (key.startsWith("process_") || key.startsWith("jvm_")) {
        return;
      }
      if (!key.startsWith("agent_workflow_") || key.startsWith("agent_workflow_exporter_label_overflow_total")
          || key.startsWith("agent_workflow_exporter_series_overflow_total")
          || key.startsWith("agent_workflow_exporter_untracked_rows_total")) {
        out.put(key, value);
      }
    });
    return out;
  }

  private static void awaitExact(Run run, HookDatabase db) throws Exception {
    Await.until("the database counted exactly", WAIT, () -> {
      Exposition m = run.scraper.metrics();
      try (Connection c = db.connect()) {
        return m.value("agent_workflow_database_up") == 1 && SqlTotals.counters(c).equals(SqlTotals.scraped(m))
            && m.value("parallel_executions_current") == SqlTotals.running(c)
            && m.value("active_sessions_count") == SqlTotals.activeSessions(c)
            && m.value("total_sessions") == SqlTotals.sessions(c);
      }
    });
  }

  /** Lines that say the exporter counts from scratch (the state file does not describe the file). */
  private static List<String> scratchLines(ExporterProcess process) throws IOException {
    return process.stderr().lines().filter(l -> l.contains("from scratch")).toList();
  }

  private static List<String> problemLines(ExporterProcess process) throws IOException {
    String log = process.stderr();
    assertFalse(LogLines.hasStackTrace(log), "no stack trace:\n" + log);
    return LogLines.problems(log);
  }

  /** The state file in the default folder of exporters started in {@code workDir}. */
  private static Path stateFile(Path workDir) throws IOException {
    try (Stream<Path> files = Files.list(workDir.resolve("xdg-state").resolve("agent-workflow-exporter"))) {
      List<Path> states = files.filter(p -> p.getFileName().toString().endsWith(".state")).toList();
      assertEquals(1, states.size(), states.toString());
      return states.get(0);
    }
  }

  private static long inode(Path file) throws IOException {
    return (Long) Files.getAttribute(file, "unix:ino");
  }

  /**
   * Two sessions: s1 ended, with finished and failed invocations; s2 active, with a finished
   * invocation and a running one; and a SubagentStop row (no agent: not an invocation).
   */
  private HookDatabase history(Path folder) throws Exception {
    HookDatabase db = HookDatabase.create(folder.resolve(DB));
    db.startSession("s1", t0);
    long a = db.startAgent("s1", "planning", "architect", t0.plusSeconds(10));
    db.finishAgent(a, t0.plusSeconds(70), "completed", 60.0, "opus");
    long b = db.startAgent("s1", "development", "backend-developer", t0.plusSeconds(100));
    db.finishAgent(b, t0.plusSeconds(400), "failed", 300.0, "sonnet");
    long c = db.startAgent("s1", "development", "frontend-developer", t0.plusSeconds(110));
    db.finishAgent(c, t0.plusSeconds(230), "completed", 120.0, "sonnet");
    db.stopSession("s1", t0.plusSeconds(500));
    db.startSession("s2", t0.plusSeconds(600));
    db.startAgent("s2", "review", "performance-reviewer", t0.plusSeconds(610));
    long d = db.startAgent("s2", "review", "security-reviewer", t0.plusSeconds(620));
    db.finishAgent(d, t0.plusSeconds(650), "completed", 30.0, "opus");
    db.subagentStop("s2", t0.plusSeconds(651));
    return db;
  }

  /** {@code n} finished invocations of agents named after {@code prefix}, in session {@code prefix}. */
  private void invocations(HookDatabase db, String prefix, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      long id = db.startAgent(prefix, "development", prefix + "-" + i, t0.plusSeconds(700 + i));
      db.finishAgent(id, t0.plusSeconds(710 + i), i % 3 == 2 ? "failed" : "completed", 10.0 + i, "haiku");
    }
  }

  private static long newestInvocation(HookDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      return longs(c, "SELECT max(id) FROM agent_invocations WHERE agent_name IS NOT NULL").iterator().next();
    }
  }

  private static Set<Long> longs(Connection c, String sql) throws Exception {
    Set<Long> out = new java.util.LinkedHashSet<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static Set<List<String>> sessionRuns(Connection c, String where) throws Exception {
    Set<List<String>> out = new HashSet<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT session_id, start_time FROM sessions "
        + where)) {
      while (rs.next()) {
        out.add(List.of(rs.getString(1), rs.getString(2)));
      }
    }
    return out;
  }
}
