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
 * @param project 0 for a file of its own; from 1 on, one of several projects' files of the same
 *     kind ({@link #ofProject}), each in its own project folder, each generated from a seed of its own
 */
record Dataset(String name, int invocations, int promptChars, int outputChars, int toolUsesEach, int project) {
  /** Agents in the generated catalog: 20 agents in any of 5 phases, with 4 statuses and 3 models. */
  static final int AGENTS = 20;
  /** The demo's sessions run about 12 invocations each. */
  static final int INVOCATIONS_PER_SESSION = 12;

  /** About 9 KB of prompt and raw JSON per invocation, as in a real workflow log. */
  static Dataset realistic(String name, int invocations) {
    return new Dataset(name, invocations, 5_500, 2_800, 0, 0);
  }

  static Dataset lean(String name, int invocations) {
    return new Dataset(name, invocations, DemoDatabase.History.NO_PAYLOAD, DemoDatabase.History.NO_PAYLOAD, 0, 0);
  }

  /**
   * Issue 14's: each invocation makes {@code toolUsesEach} tool calls, logged by the
   * tool-operations hook with their input and output; prompts of up to 5,000 characters, as the
   * hooks cut them, and a response shaped like database.md's sample with about 2.8 KB of text.
   */
  static Dataset withToolUses(String name, int invocations, int toolUsesEach) {
    return new Dataset(name, invocations, 5_000, 2_800, toolUsesEach, 0);
  }

  /**
   * The same kind of file for project {@code n} (from 1) of several: {@code p01/logs/agent_workflow.db}
   * and so on in one folder, as the hooks lay out their projects, with rows of its own.
   */
  Dataset ofProject(int n) {
    if (n < 1 || n > 999 || hasToolUses()) {
      throw new IllegalArgumentException("projects are numbered from 1 to 999, without tool uses: " + n);
    }
    return new Dataset(projectName(n) + " (" + name + ")", invocations, promptChars, outputChars, 0, n);
  }

  /** What project {@code n} is called: its folder's name, and its {@code project} label. */
  static String projectName(int n) {
    return "p%02d".formatted(n);
  }

  /** The folder that holds the project folders of this kind of file. */
  Path projectsFolder(Path dataDir) {
    return dataDir.resolve("projects-%d-%s-g1".formatted(invocations, payloadName()));
  }

  /**
   * The generator's seed: a file of its own keeps the one it always had (so files generated before
   * are what this makes), each project a seed of its own (so the projects' sessions are distinct).
   */
  long seed() {
    return project == 0 ? invocations : invocations * 1_000L + project;
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
    if (project > 0) {
      return projectsFolder(dataDir).resolve(projectName(project)).resolve("logs").resolve("agent_workflow.db");
    }
    return dataDir.resolve("invocations-%d-%s-g1.db".formatted(invocations, payloadName()));
  }

  private String payloadName() {
    return hasPayload() ? promptChars + "+" + outputChars : "lean";
  }

  DemoDatabase.History history() {
    int sessions = Math.max(1, invocations / INVOCATIONS_PER_SESSION);
    return new DemoDatabase.History(Duration.ofDays(365), sessions, promptChars, outputChars,
        AgentCatalog.wide(AGENTS));
  }
}
