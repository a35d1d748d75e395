package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.demo.HookWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.UUID;

/**
 * The hooks of agents at work between two polls, on a dataset with tool uses: each round, in one
 * transaction, changes exactly the given number of invocations and of tool uses with the hooks'
 * statements. Half the invocations are agents started in the round before, which finish the tool
 * call they had in flight, make more, and end (the Task tool's PostToolUse with a response shaped
 * like database.md's sample, and the SubagentStop row); the other half start, make tool calls, and
 * are left running with one call in flight, as a poll finds a busy agent. So about a hundred rows
 * stay open from poll to poll, as in a live workflow, and the next poll reads them again.
 */
final class ToolUseWriter implements AutoCloseable {
  private static final String[] PHASES = {"requirements", "planning", "development", "review", "finalization"};
  private static final String[] AGENTS = {"jira-analyst", "architect", "backend-developer", "frontend-developer",
      "test-developer", "security-reviewer", "test-validator", "documentation-generator"};

  /** What one round wrote: invocations and tool uses it finished (a finished row is counted once). */
  record Written(int invocationsFinished, int toolUsesFinished) {}

  /** An agent left running: its invocation, the tool call it has in flight (row id, or -1), its calls so far. */
  private static final class Agent {
    final long invocationId;
    final String name;
    long toolInFlight = -1;
    ToolPayloads.ToolCall callInFlight;
    int toolUses;

    Agent(long invocationId, String name) {
      this.invocationId = invocationId;
      this.name = name;
    }
  }

  private final Connection connection;
  private final HookWriter.Batch hooks;
  private final Clock clock;
  private final Random random = new Random(14);
  private final ToolPayloads payloads;
  private final Deque<Agent> running = new ArrayDeque<>();
  private final String session = Datasets.BENCH_SESSION_PREFIX + UUID.randomUUID();
  private int sequence;

  ToolUseWriter(Path file, Dataset dataset, Clock clock) throws SQLException {
    this.connection = Datasets.connect(file);
    this.hooks = new HookWriter(ZoneOffset.UTC).on(connection);
    this.clock = clock;
    this.payloads = new ToolPayloads(new Random(dataset.invocations()), dataset.promptChars(), dataset.outputChars());
    hooks.startSession(session, clock.instant(), "/home/dev/bench", "{\"source\":\"startup\"}");
  }

  /**
   * Changes {@code invocations} invocations (half of them, as far as there are agents running,
   * finished; the rest started) and {@code toolUses} tool uses (shared out among those agents).
   */
  Written round(int invocations, int toolUses) throws SQLException {
    if (invocations == 0 && toolUses == 0) {
      return new Written(0, 0);
    }
    if (toolUses < invocations) {
      // each agent of the round makes at least one change: a finishing one ends its call in flight
      throw new IllegalArgumentException("tool uses are made by the round's agents, at least one each");
    }
    connection.setAutoCommit(false);
    int finishing = Math.min(running.size(), invocations / 2);
    int invocationsFinished = 0;
    int toolUsesFinished = 0;
    for (int i = 0; i < invocations; i++) {
      int share = toolUses / invocations + (i < toolUses % invocations ? 1 : 0);
      if (i < finishing) {
        Agent agent = running.removeFirst();
        toolUsesFinished += work(agent, share, false);
        hooks.endInvocation(agent.invocationId, clock.instant(), "completed", null, 30 + random.nextInt(600) / 1.0,
            "claude-sonnet-4-5", payloads.response(random, agent.toolUses, 30_000 + random.nextInt(600_000)));
        hooks.subagentStop(session, clock.instant());
        invocationsFinished++;
      } else {
        String name = AGENTS[random.nextInt(AGENTS.length)];
        String phase = PHASES[random.nextInt(PHASES.length)];
        String prompt = payloads.prompt(random, name, phase);
        Agent agent = new Agent(hooks.startInvocation(session, phase, name, clock.instant(), prompt,
            ToolPayloads.taskInput(name, prompt)), name);
        toolUsesFinished += work(agent, share, true);
        running.addLast(agent);
      }
    }
    connection.commit();
    connection.setAutoCommit(true);
    return new Written(invocationsFinished, toolUsesFinished);
  }

  /**
   * {@code changes} tool uses of one agent: the call in flight finished, then calls started and
   * finished, the last one left in flight if {@code leaveOneRunning}. Returns those finished.
   */
  private int work(Agent agent, int changes, boolean leaveOneRunning) throws SQLException {
    int finished = 0;
    for (int i = 0; i < changes; i++) {
      if (agent.toolInFlight >= 0) {
        end(agent.toolInFlight, agent.callInFlight);
        agent.toolInFlight = -1;
        finished++;
        continue;
      }
      ToolPayloads.ToolCall call = payloads.call(random);
      long id = hooks.startToolUse(session, agent.name, agent.invocationId, call.tool(), clock.instant(), call.input(),
          ++sequence);
      agent.toolUses++;
      if (leaveOneRunning && i == changes - 1) {
        agent.toolInFlight = id;
        agent.callInFlight = call;
      } else {
        end(id, call);
        finished++;
      }
    }
    return finished;
  }

  private void end(long id, ToolPayloads.ToolCall call) throws SQLException {
    hooks.endToolUse(id, clock.instant(), call.failed() ? "error" : "completed", call.output(), call.error(),
        call.medianSeconds());
  }

  @Override
  public void close() throws SQLException {
    hooks.close();
    connection.close();
  }
}
