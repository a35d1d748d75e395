package dev.agentworkflow.exporter.demo;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.UUID;

/**
 * Sessions one after another at a {@link Pace}: each starts a gap after the last event of the one
 * before, and its events are handed out as they fall due. A stream that wrote a history can go on
 * live where it stopped, its running session included.
 */
final class SessionStream {
  /** Where a due event goes: through one batch (a history), or a connection each (live, as the hooks). */
  @FunctionalInterface
  interface Sink {
    void write(EventWriter writer, SessionPlan.Event event) throws SQLException;
  }

  private final Pace pace;
  private final Random random;
  private final EventWriter writer = new EventWriter();
  private final Deque<SessionPlan.Event> pending = new ArrayDeque<>();
  private Instant nextSession;
  private int nextKey;

  SessionStream(Pace pace, Random random, Instant firstSession, int firstKey) {
    this.pace = pace;
    this.random = random;
    this.nextSession = firstSession;
    this.nextKey = firstKey;
  }

  /**
   * Writes every event due by {@code now}, starting the sessions due by then, in time order. An
   * event the sink fails to write stays due, to be written next time. Returns how many were written.
   */
  int writeDue(Instant now, Sink sink) throws SQLException {
    int written = 0;
    while (true) {
      if (pending.isEmpty()) {
        if (nextSession.isAfter(now)) {
          return written;
        }
        String id = new UUID(random.nextLong(), random.nextLong()).toString();
        pending.addAll(SessionPlan.create(random, id, nextSession, nextKey, pace.live()));
        nextKey += 100;
      }
      SessionPlan.Event event = pending.peekFirst();
      if (event.at().isAfter(now)) {
        return written;
      }
      sink.write(writer, event);
      pending.removeFirst();
      written++;
      if (pending.isEmpty()) {
        nextSession = event.at().plus(pace.gap(random));
      }
    }
  }
}
