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
 * The workflow's hooks at work between two polls: each round writes exactly the given number of
 * rows with the hooks' statements, in one transaction: it finishes agents started in earlier
 * rounds (an UPDATE and the subagent_stop INSERT: two rows each, up to a third of the round) and
 * starts new ones with the rest, payloads as big as the dataset's.
 */
final class SteadyWriter implements AutoCloseable {
  private static final String[] STATUSES = {"completed", "completed", "completed", "failed", "error", "timeout"};
  private static final String[] MODELS = {"claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"};
  private static final String[] PHASES = {"requirements", "planning", "development", "review", "finalization"};

  private final Connection connection;
  private final HookWriter.Batch hooks;
  private final Clock clock;
  private final Random random = new Random(42);
  private final Deque<Long> running = new ArrayDeque<>();
  private final String session = Datasets.BENCH_SESSION_PREFIX + UUID.randomUUID();
  private final String prompt;
  private final String output;

  SteadyWriter(Path file, Dataset dataset, Clock clock) throws SQLException {
    this.connection = Datasets.connect(file);
    this.hooks = new HookWriter(ZoneOffset.UTC).on(connection);
    this.clock = clock;
    this.prompt = dataset.hasPayload() ? "p".repeat(dataset.promptChars()) : null;
    this.output = dataset.hasPayload() ? "{\"result\":\"" + "o".repeat(dataset.outputChars()) + "\"}" : null;
    hooks.startSession(session, clock.instant(), "/home/dev/bench", "{}");
  }

  /** Writes one round of {@code rows} rows; returns how many invocations it finished. */
  int round(int rows) throws SQLException {
    if (rows == 0) {
      return 0;
    }
    connection.setAutoCommit(false);
    int finishing = Math.min(running.size(), rows / 3);
    for (int i = 0; i < finishing; i++) {
      hooks.endInvocation(running.removeFirst(), clock.instant(), STATUSES[random.nextInt(STATUSES.length)], null,
          10 + random.nextInt(600) / 1.0, MODELS[random.nextInt(MODELS.length)], output);
      hooks.subagentStop(session, clock.instant());
    }
    for (int i = 2 * finishing; i < rows; i++) {
      String agent = "specialist-" + (1 + random.nextInt(Dataset.AGENTS));
      running.addLast(hooks.startInvocation(session, PHASES[random.nextInt(PHASES.length)], agent, clock.instant(),
          prompt, "{\"subagent_type\":\"" + agent + "\"}"));
    }
    connection.commit();
    connection.setAutoCommit(true);
    return finishing;
  }

  @Override
  public void close() throws SQLException {
    hooks.close();
    connection.close();
  }
}
