package dev.agentworkflow.exporter.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Turns at large reads: held until a slice is over and someone waits, then handed to whoever waited longest. */
class LoadTurnsTest {
  private final AtomicLong now = new AtomicLong();
  private final Semaphore semaphore = new Semaphore(1, true);
  private final LoadTurns turns = new LoadTurns(semaphore, 100, now::get);

  private void awaitWaiting(int threads) throws InterruptedException {
    for (int i = 0; i < 1000 && semaphore.getQueueLength() < threads; i++) {
      Thread.sleep(5);
    }
    assertEquals(threads, semaphore.getQueueLength(), "threads waiting for a turn");
  }

  @Test
  void aTurnIsKeptWithinItsSliceAndPassedOnPastItToTheOneWaiting() throws Exception {
    LoadTurns.Turn mine = turns.take();
    CompletableFuture<LoadTurns.Turn> theirs = CompletableFuture.supplyAsync(() -> {
      try {
        return turns.take();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    awaitWaiting(1);

    now.set(99);
    mine.passIfDue(); // within the slice: kept
    assertFalse(theirs.isDone());

    now.set(100);
    CompletableFuture<Void> passed = CompletableFuture.runAsync(() -> {
      try {
        mine.passIfDue(); // past it, someone waits: handed on, and this one waits for the next
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    LoadTurns.Turn handedOn = theirs.get(10, TimeUnit.SECONDS);
    awaitWaiting(1);
    assertFalse(passed.isDone());
    handedOn.close();
    passed.get(10, TimeUnit.SECONDS);
    mine.close();
    assertEquals(1, semaphore.availablePermits(), "every turn given back");
  }

  @Test
  void aTurnPastItsSliceIsKeptWhenNobodyWaits() throws Exception {
    try (LoadTurns.Turn mine = turns.take()) {
      now.set(1_000);
      mine.passIfDue();
      assertEquals(0, semaphore.availablePermits());
    }
    assertEquals(1, semaphore.availablePermits());
  }

  /** Taken twice on one thread: with any limit, the second would wait for ever (the test's timeout ends it). */
  @Test
  @Timeout(10)
  void withoutTurnsNothingWaits() throws Exception {
    try (LoadTurns.Turn a = LoadTurns.NONE.take(); LoadTurns.Turn b = LoadTurns.NONE.take()) {
      a.passIfDue();
      b.passIfDue();
    }
  }
}
