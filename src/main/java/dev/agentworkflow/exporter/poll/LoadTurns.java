package dev.agentworkflow.exporter.poll;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Turns at large reads (a first load, a catch-up) for an exporter of many databases: as many at
 * once as there are cores, each passed on to a database waiting for one after a slice of its time.
 *
 * <p>Fifty databases loading at once on two cores each had a thread that the system switched
 * between: every switch brought another database's rows, counts and series into the cores' caches,
 * and fifty databases' chunks were in the heap at once: the benchmark's 50 projects took 7.1 to
 * 7.8 s of CPU up to {@code /-/ready}, the union of their rows in one file 5.7 to 6.3 s; with a
 * turn per core, 6.6 to 7.4 s beside the union's 6.2 to 6.5 s (docs/performance.md). A slice keeps
 * one database from holding the others' first loads back for longer than that: a turn held past it
 * goes to the database that has waited longest, and the one that gave it up waits for the next.
 * Small reads (a steady poll) take no turn, so a database that is loaded is never held up by
 * others still loading. A database waits for its turn between two chunks holding neither
 * ({@code TableReader}): when each waiting one kept its last chunk, the heap held 30 MB live
 * during the 50 projects' first loads (44,000 rows), not 15 MB.
 *
 * <pre>{@code
 * LoadTurns turns = LoadTurns.perCore(Runtime.getRuntime().availableProcessors());
 * try (LoadTurns.Turn turn = turns.take()) {
 *   for (chunk : chunks) { read(chunk); handOn(chunk); turn.passIfDue(); } // passed holding no chunk
 * }
 * }</pre>
 */
public final class LoadTurns {
  /** No turns: every read goes at once (one database, or a few next to the cores). */
  public static final LoadTurns NONE = new LoadTurns(null, 0, System::nanoTime);

  /**
   * A slice of a turn: long enough that a database's counts stay in the caches for many chunks (a
   * chunk aims at 10 ms), short enough that fifty databases' first loads all move along.
   */
  static final Duration SLICE = Duration.ofMillis(100);

  private final Semaphore turns;
  private final long sliceNanos;
  private final LongSupplier nanoTime;

  LoadTurns(Semaphore turns, long sliceNanos, LongSupplier nanoTime) {
    this.turns = turns;
    this.sliceNanos = sliceNanos;
    this.nanoTime = nanoTime;
  }

  /** One turn per core, handed on in the order they were waited for. */
  public static LoadTurns perCore(int cores) {
    return new LoadTurns(new Semaphore(Math.max(1, cores), true), SLICE.toNanos(), System::nanoTime);
  }

  /** Waits for a turn. */
  public Turn take() throws InterruptedException {
    if (turns != null) {
      turns.acquire();
    }
    return new Turn();
  }

  /** A turn held: given back when closed. */
  public final class Turn implements AutoCloseable {
    private long since = nanoTime.getAsLong();
    private boolean held = true;

    private Turn() {}

    /** Between two chunks: past its slice, hands the turn to a database waiting for one and waits for the next. */
    public void passIfDue() throws InterruptedException {
      if (turns == null || nanoTime.getAsLong() - since < sliceNanos || !turns.hasQueuedThreads()) {
        return;
      }
      turns.release();
      held = false;
      turns.acquire();
      held = true;
      since = nanoTime.getAsLong();
    }

    @Override
    public void close() {
      if (turns != null && held) {
        turns.release();
        held = false;
      }
    }
  }
}
