package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.demo.AgentCatalog;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One generated database: {@code invocations} agent invocations (about 12 per session) written by
 * the demo's generator with the hooks' statements, with payloads of realistic size or none.
 *
 * @param name how the report names it
 * @param invocations agent invocations wanted; sessions are made in proportion
 * @param promptChars prompt length, or {@link DemoDatabase.History#NO_PAYLOAD}
 * @param outputChars raw JSON output length, or {@link DemoDatabase.History#NO_PAYLOAD}
 */
record Dataset(String name, int invocations, int promptChars, int outputChars) {
  /** Agents in the generated catalog: 20 agents in any of 5 phases, with 4 statuses and 3 models. */
  static final int AGENTS = 20;
  /** The demo's sessions run about 12 invocations each. */
  static final int INVOCATIONS_PER_SESSION = 12;

  /** About 9 KB of prompt and raw JSON per invocation, as in a real workflow log. */
  static Dataset realistic(String name, int invocations) {
    return new Dataset(name, invocations, 5_500, 2_800);
  }

  static Dataset lean(String name, int invocations) {
    return new Dataset(name, invocations, DemoDatabase.History.NO_PAYLOAD, DemoDatabase.History.NO_PAYLOAD);
  }

  boolean hasPayload() {
    return promptChars != DemoDatabase.History.NO_PAYLOAD;
  }

  /** The file name says what is in it, so a changed definition never reuses an old file. */
  Path file(Path dataDir) {
    return dataDir.resolve("invocations-%d-%s-g1.db".formatted(invocations,
        hasPayload() ? promptChars + "+" + outputChars : "lean"));
  }

  DemoDatabase.History history() {
    int sessions = Math.max(1, invocations / INVOCATIONS_PER_SESSION);
    return new DemoDatabase.History(Duration.ofDays(365), sessions, promptChars, outputChars,
        AgentCatalog.wide(AGENTS));
  }
}
