package dev.agentworkflow.exporter.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a demo database alive: one session after another, its events written when they fall
 * due, each through a fresh connection like a hook process, tool uses included. Agents run about
 * ten times faster than in the history so that a new user sees the metrics move within a minute.
 */
public final class LiveActivity implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveActivity.class);
  static final SessionPlan.Options LIVE = new SessionPlan.Options(AgentCatalog.DEMO, 0.1, 0, 0, true);

  /** Opens a connection to the demo database. */
  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  private final HookWriter hooks;
  private final EventWriter writer;
  private final Random random;
  private final Clock clock;
  private final Deque<SessionPlan.Event> pending = new ArrayDeque<>();
  private final ScheduledExecutorService executor;
  private Instant nextSession;
  private int nextKey = 1_000_000;

  LiveActivity(Connector connector, HookWriter hooks, Random random, Clock clock) {
    this.connector = connector;
    this.hooks = hooks;
    this.writer = new EventWriter();
    this.random = random;
    this.clock = clock;
    this.nextSession = clock.instant();
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-writer");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
  }

  private void tick() {
    try {
      Instant now = clock.instant();
      if (pending.isEmpty() && !now.isBefore(nextSession)) {
        String id = new UUID(random.nextLong(), random.nextLong()).toString();
        pending.addAll(SessionPlan.create(random, id, now, nextKey, LIVE));
        nextKey += 100;
      }
      while (!pending.isEmpty() && !pending.peekFirst().at().isAfter(now)) {
        try (Connection c = connector.connect(); HookWriter.Batch hooks = this.hooks.on(c)) {
          writer.write(hooks, pending.peekFirst());
        }
        pending.removeFirst();
        if (pending.isEmpty()) {
          nextSession = now.plus(Duration.ofSeconds(5 + random.nextInt(15)));
        }
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("demo writer: {}; trying again in a second", e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
