package dev.agentworkflow.exporter.support;

/**
 * Sizes of the reliability cases: reduced by default so that .ci/run stays short, full with
 * {@code -Dreliability.full=true} (docs/reliability.md has the command).
 */
public final class Sizes {
  private Sizes() {}

  public static boolean full() {
    return Boolean.getBoolean("reliability.full");
  }

  public static int pick(int reduced, int full) {
    return full() ? full : reduced;
  }
}
