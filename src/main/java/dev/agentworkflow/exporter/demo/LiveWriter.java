package dev.agentworkflow.exporter.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/**
 * Writes a demo database's live activity as it falls due by its clock: each statement through a
 * fresh connection, as a hook process does. {@link LiveActivity} calls it every second; a test
 * that moves the clock itself calls {@link #writeDue()} after each move.
 */
public final class LiveWriter {
  /** Opens a connection to the demo database. */
  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  private final HookWriter hooks;
  private final SessionStream sessions;
  private final Clock clock;

  LiveWriter(Connector connector, HookWriter hooks, SessionStream sessions, Clock clock) {
    this.connector = connector;
    this.hooks = hooks;
    this.sessions = sessions;
    this.clock = clock;
  }

  /**
   * Writes every event due by the clock's time. On an error the event not written stays due: the
   * next call tries it again. Returns how many events were written.
   */
  public synchronized int writeDue() throws SQLException {
    return sessions.writeDue(clock.instant(), (writer, event) -> {
      try (Connection c = connector.connect(); HookWriter.Batch batch = hooks.on(c)) {
        writer.write(batch, event);
      }
    });
  }
}
