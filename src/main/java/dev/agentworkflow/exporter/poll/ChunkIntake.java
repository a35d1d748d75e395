package dev.agentworkflow.exporter.poll;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Takes in the chunks of one read on the poller's second thread, in order, while the poller
 * reads the next chunk: on two cores SQLite's reading and the tracker's counting overlap, and a
 * first load of a million invocations takes little more than SQLite's own scan. At most two
 * chunks wait; the reader waits for room between two statements, never inside one, so no read
 * transaction lasts longer for it.
 *
 * <p>Without a worker ({@link #here}) each chunk is taken in on the reader's own thread as it
 * arrives: for an exporter of many databases, whose readers already keep every core busy, a
 * second thread per database would only add threads, context switches and chunks waiting in the
 * heap.
 *
 * <p>A chunk the reader could not hand on (the poll was interrupted) and every chunk after it are
 * not taken in: the tracker stays where the chunks it took in left it, and the next poll reads
 * from there.
 */
final class ChunkIntake<R> implements Consumer<List<R>> {
  private static final int WAITING = 2;

  private final ExecutorService worker;
  private final Consumer<R> sink;
  private final Semaphore room = new Semaphore(WAITING);
  private volatile RuntimeException failure;
  private boolean stopped;
  private Future<?> last;

  ChunkIntake(ExecutorService worker, Consumer<R> sink) {
    this.worker = worker;
    this.sink = sink;
  }

  /** Takes each chunk in on the thread that hands it on. */
  static <R> ChunkIntake<R> here(Consumer<R> sink) {
    return new ChunkIntake<>(null, sink);
  }

  @Override
  public void accept(List<R> chunk) {
    if (stopped) {
      return;
    }
    if (worker == null) {
      takeIn(chunk);
      return;
    }
    try {
      room.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the reader stops before its next chunk
      stopped = true;
      return;
    }
    last = worker.submit(() -> {
      try {
        takeIn(chunk);
      } finally {
        room.release();
      }
    });
  }

  private void takeIn(List<R> chunk) {
    try {
      if (failure == null) {
        chunk.forEach(sink);
      }
    } catch (RuntimeException e) {
      failure = e; // the chunks after it are not taken in: they would be out of order
    }
  }

  /**
   * Waits until every chunk handed on is taken in; a failure to take one in is thrown here. An
   * interrupt does not cut the wait short (it is kept for the caller to see): the tracker must be
   * left alone by the intake thread once this returns, and at most three chunks remain.
   */
  void finish() {
    if (last != null) {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            last.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause()); // the task catches everything: cannot happen
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
