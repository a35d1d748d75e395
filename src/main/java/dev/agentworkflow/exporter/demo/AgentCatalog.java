package dev.agentworkflow.exporter.demo;

import java.util.List;

/** The workflow's phases and agents, with typical durations, as {@code database.md} lists them. */
final class AgentCatalog {
  record Agent(String name, double medianSeconds) {}

  /** A phase whose agents run one after another, or all at once (development, review). */
  record Phase(String name, boolean parallel, List<Agent> agents) {}

  static final List<Phase> PHASES = List.of(
      new Phase("requirements", false, List.of(
          new Agent("jira-analyst", 25), new Agent("context-analyzer", 60), new Agent("requirements-clarifier", 40))),
      new Phase("planning", false, List.of(
          new Agent("agent-discoverer", 15), new Agent("story-analyzer", 45), new Agent("architect", 180),
          new Agent("task-planner", 90))),
      new Phase("development", true, List.of(
          new Agent("backend-developer", 600), new Agent("frontend-developer", 480),
          new Agent("database-developer", 300), new Agent("test-developer", 420))),
      new Phase("review", true, List.of(
          new Agent("performance-reviewer", 120), new Agent("security-reviewer", 150),
          new Agent("maintainability-reviewer", 100), new Agent("test-validator", 240))),
      new Phase("finalization", false, List.of(
          new Agent("documentation-generator", 90), new Agent("changelog-writer", 20), new Agent("pr-creator", 30))));

  static final List<String> MODELS = List.of("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5");

  private AgentCatalog() {}
}
