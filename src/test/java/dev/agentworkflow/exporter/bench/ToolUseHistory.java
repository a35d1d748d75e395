package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.demo.HookWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Writes a dataset with tool uses (issue 14): a year of sessions of database.md's workflow, each
 * agent invocation making {@link Dataset#toolUsesEach()} tool calls logged by the tool-operations
 * hook (started, then finished with the tool's output), and the main session calling a tool itself
 * ({@code direct}) between phases. All through the hooks' own statements ({@link HookWriter.Batch},
 * each prepared once), in transactions of many sessions, into a file without a journal beside its
 * place that is renamed when complete, as the demo's generator does for the other datasets.
 */
final class ToolUseHistory {
  private static final Duration SPAN = Duration.ofDays(365);
  /** Sessions per transaction: some 6,000 rows, a few MB. */
  private static final int SESSIONS_PER_COMMIT = 16;
  private static final String DIRECT = "direct";

  /** A phase of database.md's workflow, its agents and their typical run time in seconds. */
  private record Phase(String name, boolean parallel, List<String> agents, List<Integer> medianSeconds) {}

  private static final List<Phase> PHASES = List.of(
      new Phase("requirements", false, List.of("jira-analyst", "context-analyzer", "requirements-clarifier"),
          List.of(25, 60, 40)),
      new Phase("planning", false, List.of("agent-discoverer", "story-analyzer", "architect", "task-planner"),
          List.of(15, 45, 180, 90)),
      new Phase("development", true, List.of("backend-developer", "frontend-developer", "database-developer",
          "test-developer"), List.of(600, 480, 300, 420)),
      new Phase("review", true, List.of("performance-reviewer", "security-reviewer", "maintainability-reviewer",
          "test-validator"), List.of(120, 150, 100, 240)),
      new Phase("finalization", false, List.of("documentation-generator", "changelog-writer", "pr-creator"),
          List.of(90, 20, 30)));

  /** An agent of a phase, between its start and its end. */
  private record Running(String agent, long id, Instant start, double seconds) {}

  private final HookWriter.Batch hooks;
  private final Random random;
  private final ToolPayloads payloads;
  private final int toolUsesEach;
  private int sequence;
  private long toolUses;

  private ToolUseHistory(HookWriter.Batch hooks, Random random, Dataset dataset) {
    this.hooks = hooks;
    this.random = random;
    this.payloads = new ToolPayloads(random, dataset.promptChars(), dataset.outputChars());
    this.toolUsesEach = dataset.toolUsesEach();
  }

  /** Writes {@code dataset} into {@code file}, which must not exist; returns the tool uses written. */
  static long generate(Path file, Dataset dataset, Clock clock) throws IOException, SQLException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    long written;
    // sqlite-jdbc would run SELECT last_insert_rowid() after every INSERT, prepared anew each time;
    // HookWriter.Batch asks for it with a statement prepared once.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + partial + "?jdbc.get_generated_keys=false")) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = OFF"); // safe: the file is renamed into place only when complete
        s.execute("PRAGMA synchronous = OFF");
        s.execute("PRAGMA cache_size = -65536");
      }
      HookWriter writer = new HookWriter(ZoneOffset.UTC);
      writer.createSchema(c);
      c.setAutoCommit(false);
      try (HookWriter.Batch hooks = writer.on(c)) {
        written = new ToolUseHistory(hooks, new Random(dataset.invocations()), dataset)
            .write(c, dataset.invocations(), clock.instant().minus(Duration.ofHours(1)));
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = DELETE"); // what the hooks' files have
      }
    }
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    return written;
  }

  /**
   * Sessions started evenly over the year before {@code end}, until there are {@code invocations}.
   * Which agents each session runs is drawn first, so that the number of sessions, and with it
   * their spacing, is known before the first one is written.
   */
  private long write(Connection c, int invocations, Instant end) throws SQLException {
    List<List<List<Integer>>> plans = new ArrayList<>();
    for (int left = invocations; left > 0; ) {
      List<List<Integer>> plan = new ArrayList<>();
      for (Phase phase : PHASES) {
        List<Integer> picked = pick(phase);
        plan.add(picked.subList(0, Math.min(picked.size(), left)));
        left -= plan.get(plan.size() - 1).size();
      }
      plans.add(plan);
    }
    Instant from = end.minus(SPAN);
    for (int i = 0; i < plans.size(); i++) {
      Instant start = from.plus(SPAN.multipliedBy(i).dividedBy(plans.size()));
      session(new UUID(random.nextLong(), random.nextLong()).toString(), start, plans.get(i));
      if (i % SESSIONS_PER_COMMIT == SESSIONS_PER_COMMIT - 1) {
        c.commit();
      }
    }
    return toolUses;
  }

  /** One session: in each phase, the agents {@code plan} names (a phase without any is skipped). */
  private void session(String id, Instant start, List<List<Integer>> plan) throws SQLException {
    sequence = 0;
    hooks.startSession(id, start, "/home/dev/project", "{\"source\":\"startup\",\"hook_event_name\":\"SessionStart\"}");
    Instant t = start.plusSeconds(2 + random.nextInt(8));
    for (int p = 0; p < PHASES.size(); p++) {
      Phase phase = PHASES.get(p);
      List<Integer> agents = plan.get(p);
      if (agents.isEmpty()) {
        continue;
      }
      t = directToolUse(id, t);
      t = phase.parallel() ? parallel(id, phase, agents, t) : sequential(id, phase, agents, t);
      hooks.stopSession(id, t, "{\"hook_event_name\":\"Stop\",\"stop_hook_active\":false}");
      t = t.plusSeconds(5 + random.nextInt(25));
    }
  }

  /** Indexes of the agents a session runs in {@code phase}: 1 to 3 in order, or 2 to 4 at once; about 12 a session. */
  private List<Integer> pick(Phase phase) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < phase.agents().size(); i++) {
      all.add(i);
    }
    if (phase.parallel()) {
      Collections.shuffle(all, random);
      return all.subList(0, Math.min(all.size(), 2 + random.nextInt(3)));
    }
    return all.subList(0, Math.min(all.size(), 1 + random.nextInt(3)));
  }

  private Instant sequential(String session, Phase phase, List<Integer> agents, Instant t) throws SQLException {
    for (int a : agents) {
      Running agent = start(session, phase, a, t);
      for (int k = 0; k < toolUsesEach; k++) {
        toolUse(session, agent, k);
      }
      t = end(session, agent).plusSeconds(1 + random.nextInt(4));
    }
    return t;
  }

  /** Agents at once: their tool calls interleave in the table as the hooks would write them. */
  private Instant parallel(String session, Phase phase, List<Integer> agents, Instant t) throws SQLException {
    List<Running> running = new ArrayList<>();
    for (int a : agents) {
      running.add(start(session, phase, a, t.plusMillis(random.nextInt(3_000))));
    }
    for (int k = 0; k < toolUsesEach; k++) {
      for (Running agent : running) {
        toolUse(session, agent, k);
      }
    }
    Instant phaseEnd = t;
    for (Running agent : running) {
      Instant ended = end(session, agent);
      phaseEnd = ended.isAfter(phaseEnd) ? ended : phaseEnd;
    }
    return phaseEnd;
  }

  private Running start(String session, Phase phase, int agent, Instant at) throws SQLException {
    String name = phase.agents().get(agent);
    String prompt = payloads.prompt(random, name, phase.name());
    long id = hooks.startInvocation(session, phase.name(), name, at, prompt, ToolPayloads.taskInput(name, prompt));
    double seconds = phase.medianSeconds().get(agent) * Math.exp(0.6 * random.nextGaussian());
    return new Running(name, id, at, seconds);
  }

  /** The agent's {@code k}th tool call, in the {@code k}th of equal slots of its run. */
  private void toolUse(String session, Running agent, int k) throws SQLException {
    ToolPayloads.ToolCall call = payloads.call(random);
    double slot = agent.seconds() / toolUsesEach;
    Instant at = agent.start().plusNanos((long) ((k + 0.1 + 0.3 * random.nextDouble()) * slot * 1e9));
    writeToolUse(session, agent.agent(), agent.id(), call, at, Math.min(0.55 * slot, duration(call)));
  }

  /** Between phases, the main session calls a tool itself: agent {@code direct}, no invocation. */
  private Instant directToolUse(String session, Instant at) throws SQLException {
    ToolPayloads.ToolCall call = payloads.call(random);
    double seconds = duration(call);
    writeToolUse(session, DIRECT, null, call, at, seconds);
    return at.plusNanos((long) ((seconds + 1) * 1e9));
  }

  /** PreToolUse, then PostToolUse: the hook's INSERT, then its UPDATE; some 2% of durations unset. */
  private void writeToolUse(String session, String agent, Long invocationId, ToolPayloads.ToolCall call, Instant at,
      double seconds) throws SQLException {
    long id = hooks.startToolUse(session, agent, invocationId, call.tool(), at, call.input(), ++sequence);
    Instant end = at.plusNanos((long) (seconds * 1e9));
    Double recorded = random.nextInt(50) == 0 ? null : Math.round(seconds * 1e6) / 1e6;
    hooks.endToolUse(id, end, call.failed() ? "error" : "completed", call.output(), call.error(), recorded);
    toolUses++;
  }

  private double duration(ToolPayloads.ToolCall call) {
    return call.medianSeconds() * Math.exp(0.8 * random.nextGaussian());
  }

  /** PostToolUse of the Task tool with its response, and the SubagentStop row; returns the end. */
  private Instant end(String session, Running agent) throws SQLException {
    Instant at = agent.start().plusNanos((long) (agent.seconds() * 1e9));
    double roll = random.nextDouble();
    String status = roll < 0.05 ? "failed" : roll < 0.07 ? "error" : roll < 0.08 ? "timeout" : "completed";
    String error = status.equals("completed") ? null : "agent " + status + ": tool returned an error";
    Double recorded = random.nextDouble() < 0.05 ? null : Math.round(agent.seconds() * 1000) / 1000.0;
    double m = random.nextDouble();
    String model = m < 0.7 ? "claude-sonnet-4-5" : m < 0.9 ? "claude-opus-4-1" : "claude-haiku-4-5";
    hooks.endInvocation(agent.id(), at, status, error, recorded, model,
        payloads.response(random, toolUsesEach, Math.round(agent.seconds() * 1000)));
    hooks.subagentStop(session, at);
    return at;
  }
}
