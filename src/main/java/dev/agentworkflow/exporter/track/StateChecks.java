package dev.agentworkflow.exporter.track;

import java.io.IOException;

/**
 * Checks on what a state file says, as it is read back: a file that is not what was written (from
 * another version, damaged past its checksum) fails with an {@link IOException} naming what did
 * not fit, never with an absurd allocation or a tracker in a state no poll could leave it in.
 */
final class StateChecks {
  /** More entries than any map or list here can hold in a heap this exporter runs in. */
  private static final int MAX_ENTRIES = 1 << 28;

  private StateChecks() {}

  static void expect(boolean holds, String what) throws IOException {
    if (!holds) {
      throw new IOException("the state holds " + what);
    }
  }

  static int count(int n) throws IOException {
    expect(n >= 0 && n <= MAX_ENTRIES, "a count of " + n);
    return n;
  }

  static long notNegative(long n) throws IOException {
    expect(n >= 0, "a negative count");
    return n;
  }
}
