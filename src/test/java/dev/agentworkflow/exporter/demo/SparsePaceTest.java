package dev.agentworkflow.exporter.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --pace sparse}: a real pipeline's rhythm, in the day of history and live alike, and
 * the session the history leaves running goes on live.
 */
class SparsePaceTest {
  private static final Instant START = Instant.parse("2025-08-15T12:00:00Z");
  private static final Duration STEP = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(START);

  private DemoDatabase demo(long seed) throws Exception {
    DemoDatabase demo = new DemoDatabase(dir.resolve("sparse-" + seed + ".db"), ZoneOffset.UTC, new Random(seed), clock);
    assertTrue(demo.createOrReuse(Pace.SPARSE));
    return demo;
  }

  @Test
  void aDayOfHistoryFinishesAnAgentEveryFewMinutesAndMostAgentsLessThanHourly() throws Exception {
    DemoDatabase demo = demo(3);
    List<Instant> ends = new ArrayList<>();
    Map<String, Integer> runsPerAgent = new HashMap<>();
    Map<String, List<Double>> durations = new HashMap<>();
    for (List<String> row : rows(demo.path(), "SELECT agent_name, start_time, end_time, duration_seconds "
        + "FROM agent_invocations WHERE agent_name IS NOT NULL AND end_time IS NOT NULL")) {
      ends.add(instant(row.get(2)));
      runsPerAgent.merge(row.get(0), 1, Integer::sum);
      durations.computeIfAbsent(row.get(0), a -> new ArrayList<>())
          .add((double) Duration.between(instant(row.get(1)), instant(row.get(2))).toMillis() / 1000);
    }
    double minutesEach = 24 * 60.0 / ends.size();
    assertTrue(minutesEach >= 2 && minutesEach <= 15, "an agent finishes every " + minutesEach + " minutes");
    assertEquals(18, runsPerAgent.size(), "every agent runs now and then: " + runsPerAgent);
    long lessThanHourly = runsPerAgent.values().stream().filter(runs -> runs < 24).count();
    assertTrue(lessThanHourly > runsPerAgent.size() / 2, "most agents run less than once an hour: " + runsPerAgent);
    // real durations, not the busy pace's tenth: the architect's median is some 3 minutes
    List<Double> architect = durations.get("architect");
    architect.sort(Double::compare);
    double median = architect.get(architect.size() / 2);
    assertTrue(median > 90 && median < 360, "architect's median run " + median + " s");
  }

  @Test
  void eachSessionStartsTenToFiftyMinutesAfterTheOneBeforeEnded() throws Exception {
    DemoDatabase demo = demo(4);
    LiveWriter live = demo.liveWriter(Pace.SPARSE);
    for (int i = 0; i < 4 * 240; i++) { // four hours live
      clock.advance(STEP);
      live.writeDue();
    }
    List<List<String>> sessions = rows(demo.path(), "SELECT start_time, end_time FROM sessions ORDER BY start_time");
    assertTrue(sessions.size() >= 20, sessions.size() + " sessions in 28 hours");
    for (int i = 1; i < sessions.size(); i++) {
      Duration gap = Duration.between(instant(sessions.get(i - 1).get(1)), instant(sessions.get(i).get(0)));
      assertTrue(gap.compareTo(Duration.ofMinutes(10)) >= 0 && gap.compareTo(Duration.ofMinutes(50)) < 0,
          "gap " + gap + " before the session started " + sessions.get(i).get(0));
    }
    assertTrue(instant(sessions.get(sessions.size() - 1).get(0)).isAfter(START), "live sessions started");
  }

  @Test
  void liveFinishesWhatTheHistoryLeftRunning() throws Exception {
    DemoDatabase demo = demo(1); // its day ends with an agent running
    String running = "SELECT count(*) FROM agent_invocations WHERE agent_name IS NOT NULL AND end_time IS NULL";
    assertEquals(List.of(List.of("1")), rows(demo.path(), running));
    LiveWriter live = demo.liveWriter(Pace.SPARSE);
    for (int i = 0; i < 2 * 240; i++) { // two hours: the longest session is well within
      clock.advance(STEP);
      live.writeDue();
    }
    assertEquals(List.of(List.of("0")), rows(demo.path(), running + " AND start_time < '"
        + LocalDateTime.ofInstant(START, ZoneOffset.UTC) + "'"));
  }

  private static Instant instant(String text) {
    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
  }

  private static List<List<String>> rows(Path db, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
