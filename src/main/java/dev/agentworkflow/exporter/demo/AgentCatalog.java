package dev.agentworkflow.exporter.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which agents a simulated session runs in each phase, and with which models.
 * {@link #DEMO} is the workflow of {@code database.md}: each agent belongs to one phase. {@link
 * #wide(int)} lets any of {@code n} agents run in any phase, so that a large generated database
 * has every combination of agent, phase, status and model: the series count of a big team.
 */
public final class AgentCatalog {
  /** An agent, its usual run time, and the tools it calls in a run. */
  record Agent(String name, double medianSeconds, Toolkit toolkit) {}

  /** A phase whose agents run one after another, or all at once (development, review). */
  record Phase(String name, boolean parallel, List<Agent> agents) {}

  // How many tools each agent calls in a run sets how full its context gets (AgentWork): the
  // backend-developer's long runs often near the 200k window, the others stay well below it.
  public static final AgentCatalog DEMO = new AgentCatalog(List.of(
      new Phase("requirements", false, List.of(
          new Agent("jira-analyst", 25, Toolkit.issueReader(6)),
          new Agent("context-analyzer", 60, Toolkit.explorer(25)),
          new Agent("requirements-clarifier", 40, Toolkit.issueReader(8)))),
      new Phase("planning", false, List.of(
          new Agent("agent-discoverer", 15, Toolkit.explorer(5)),
          new Agent("story-analyzer", 45, Toolkit.issueReader(10)),
          new Agent("architect", 180, Toolkit.designer(25)),
          new Agent("task-planner", 90, Toolkit.planner(12)))),
      new Phase("development", true, List.of(
          new Agent("backend-developer", 600, Toolkit.developer(80)),
          new Agent("frontend-developer", 480, Toolkit.developer(35)),
          new Agent("database-developer", 300, Toolkit.developer(30)),
          new Agent("test-developer", 420, Toolkit.developer(35)))),
      new Phase("review", true, List.of(
          new Agent("performance-reviewer", 120, Toolkit.reviewer(20)),
          new Agent("security-reviewer", 150, Toolkit.reviewer(25)),
          new Agent("maintainability-reviewer", 100, Toolkit.reviewer(20)),
          new Agent("test-validator", 240, Toolkit.reviewer(30)))),
      new Phase("finalization", false, List.of(
          new Agent("documentation-generator", 90, Toolkit.writer(15)),
          new Agent("changelog-writer", 20, Toolkit.writer(5)),
          new Agent("pr-creator", 30, Toolkit.pullRequest(6))))),
      false);

  static final List<String> MODELS = List.of("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5");

  private final List<Phase> phases;
  private final boolean wide;

  private AgentCatalog(List<Phase> phases, boolean wide) {
    this.phases = phases;
    this.wide = wide;
  }

  /** The demo's five phases, each offering all of {@code agents} agents (the demo's names, then numbered ones). */
  public static AgentCatalog wide(int agents) {
    List<Agent> all = new ArrayList<>();
    DEMO.phases.forEach(phase -> all.addAll(phase.agents()));
    for (int i = all.size() + 1; all.size() < agents; i++) {
      all.add(new Agent("specialist-" + i, 60 + 20 * (i % 7), Toolkit.developer(20)));
    }
    List<Agent> offered = List.copyOf(all.subList(0, agents));
    return new AgentCatalog(DEMO.phases.stream()
        .map(phase -> new Phase(phase.name(), phase.parallel(), offered)).toList(), true);
  }

  List<Phase> phases() {
    return phases;
  }

  /**
   * The agents a session runs in a phase. Demo: a prefix of a sequential phase's list, or 2 or more
   * of a parallel one's. Wide: 1 to 3 (sequential) or 2 to 4 (parallel) drawn from all, so a session
   * keeps the demo's size, about 12 invocations.
   */
  List<Agent> pick(Random random, Phase phase) {
    List<Agent> agents = new ArrayList<>(phase.agents());
    if (wide) {
      Collections.shuffle(agents, random);
      return agents.subList(0, phase.parallel() ? 2 + random.nextInt(3) : 1 + random.nextInt(3));
    }
    if (phase.parallel()) {
      Collections.shuffle(agents, random);
      return agents.subList(0, 2 + random.nextInt(agents.size() - 1));
    }
    return agents.subList(0, 1 + random.nextInt(agents.size()));
  }
}
