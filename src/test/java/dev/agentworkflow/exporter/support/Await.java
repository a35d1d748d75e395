package dev.agentworkflow.exporter.support;

import java.time.Duration;

/** Waits for a condition by polling it, never by a fixed sleep. */
public final class Await {
  /** A condition that may throw while it does not hold yet. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  public static void until(String what, Duration timeout, Condition condition) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < end) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what, last);
  }
}
