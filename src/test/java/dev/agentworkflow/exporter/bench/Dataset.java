package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.demo.AgentCatalog;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One generated database: {@code invocations} agent invocations (about 12 per session) written
 * with the hooks' statements, with payloads of realistic size or none, and for issue 14's targets
 * {@code toolUsesEach} tool uses per invocation ({@link ToolUseHistory}); without tool uses, by
 * the demo's generator.
 *
 * @param name how the report names it
 * @param invocations agent invocations wanted; sessions are made in proportion
 * @param promptChars prompt length, or {@link DemoDatabase.History#NO_PAYLOAD}
 * @param outputChars raw JSON output length (with tool uses: of its text), or {@link DemoDatabase.History#NO_PAYLOAD}
 * @param toolUsesEach tool uses per invocation, 0 for none (no agent_tool_uses rows)
 */
record Dataset(String name, int invocations, int promptChars, int outputChars, int toolUsesEach) {
  /** Agents in the generated catalog: 20 agents in any of 5 phases, with 4 statuses and 3 models. */
  static final int AGENTS = 20;
  /** The demo's sessions run about 12 invocations each. */
  static final int INVOCATIONS_PER_SESSION = 12;

  /** About 9 KB of prompt and raw JSON per invocation, as in a real workflow log. */
  static Dataset realistic(String name, int invocations) {
    return new Dataset(name, invocations, 5_500, 2_800, 0);
  }

  static Dataset lean(String name, int invocations) {
    return new Dataset(name, invocations, DemoDatabase.History.NO_PAYLOAD, DemoDatabase.History.NO_PAYLOAD, 0);
  }

  /**
   * Issue 14's: each invocation makes {@code toolUsesEach} tool calls, logged by the
   * tool-operations hook with their input and output; prompts of up to 5,000 characters, as the
   * hooks cut them, and a response shaped like database.md's sample with about 2.8 KB of text.
   */
  static Dataset withToolUses(String name, int invocations, int toolUsesEach) {
    return new Dataset(name, invocations, 5_000, 2_800, toolUsesEach);
  }

  boolean hasPayload() {
    return promptChars != DemoDatabase.History.NO_PAYLOAD;
  }

  boolean hasToolUses() {
    return toolUsesEach > 0;
  }

  /** The file name says what is in it, so a changed definition never reuses an old file. */
  Path file(Path dataDir) {
    if (hasToolUses()) {
      return dataDir.resolve("invocations-%d-%d+%d-tools%d-g1.db".formatted(invocations, promptChars, outputChars,
          toolUsesEach));
    }
    return dataDir.resolve("invocations-%d-%s-g1.db".formatted(invocations,
        hasPayload() ? promptChars + "+" + outputChars : "lean"));
  }

  DemoDatabase.History history() {
    int sessions = Math.max(1, invocations / INVOCATIONS_PER_SESSION);
    return new DemoDatabase.History(Duration.ofDays(365), sessions, promptChars, outputChars,
        AgentCatalog.wide(AGENTS));
  }
}
