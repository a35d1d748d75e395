package dev.agentworkflow.exporter.demo;

import java.util.List;
import java.util.Random;

/**
 * The tools an agent of one role calls during a run: some always first ({@code opening}, a
 * jira-analyst fetching its issue), some always last ({@code closing}, the pr-creator opening its
 * pull request), and in between calls drawn from {@code mix} by weight, about {@code medianCalls}
 * in all. {@code baseContextTokens} is its context before the first call: system prompt, tool
 * definitions, the task.
 */
record Toolkit(int medianCalls, int baseContextTokens, List<DemoTool> opening, List<Weighted> mix,
    List<DemoTool> closing) {

  /** A tool of the mix and how often it is drawn relative to the others. */
  record Weighted(DemoTool tool, int weight) {}

  /** The main session's own calls before it hands a phase to its agents. */
  static final Toolkit DIRECT = new Toolkit(2, 0, List.of(), List.of(
      new Weighted(DemoTool.READ, 3), new Weighted(DemoTool.BASH, 2), new Weighted(DemoTool.GLOB, 1),
      new Weighted(DemoTool.TODO_WRITE, 1)), List.of());

  /** Reads an issue and what it links to: jira-analyst, requirements-clarifier, story-analyzer. */
  static Toolkit issueReader(int medianCalls) {
    return new Toolkit(medianCalls, 14_000, List.of(DemoTool.JIRA_ISSUE), List.of(
        new Weighted(DemoTool.JIRA_ISSUE, 2), new Weighted(DemoTool.JIRA_SEARCH, 1), new Weighted(DemoTool.READ, 2),
        new Weighted(DemoTool.GREP, 1), new Weighted(DemoTool.WEB_FETCH, 1)), List.of());
  }

  /** Explores the code base: context-analyzer, agent-discoverer. */
  static Toolkit explorer(int medianCalls) {
    return new Toolkit(medianCalls, 16_000, List.of(DemoTool.GLOB), List.of(
        new Weighted(DemoTool.READ, 5), new Weighted(DemoTool.GREP, 3), new Weighted(DemoTool.GLOB, 2),
        new Weighted(DemoTool.BASH, 1)), List.of());
  }

  /** Reads widely, looks things up, writes a design: architect. */
  static Toolkit designer(int medianCalls) {
    return new Toolkit(medianCalls, 18_000, List.of(), List.of(
        new Weighted(DemoTool.READ, 5), new Weighted(DemoTool.GREP, 3), new Weighted(DemoTool.GLOB, 2),
        new Weighted(DemoTool.WEB_FETCH, 1), new Weighted(DemoTool.WEB_SEARCH, 1)), List.of(DemoTool.WRITE));
  }

  /** Turns the design into tasks: task-planner. */
  static Toolkit planner(int medianCalls) {
    return new Toolkit(medianCalls, 15_000, List.of(DemoTool.JIRA_ISSUE), List.of(
        new Weighted(DemoTool.READ, 3), new Weighted(DemoTool.TODO_WRITE, 2), new Weighted(DemoTool.GREP, 1)),
        List.of(DemoTool.WRITE));
  }

  /** Reads, edits, runs the build and the tests: the four developers. */
  static Toolkit developer(int medianCalls) {
    return new Toolkit(medianCalls, 18_000, List.of(DemoTool.TODO_WRITE), List.of(
        new Weighted(DemoTool.READ, 6), new Weighted(DemoTool.EDIT, 5), new Weighted(DemoTool.BASH, 4),
        new Weighted(DemoTool.GREP, 3), new Weighted(DemoTool.WRITE, 1), new Weighted(DemoTool.GLOB, 1)),
        List.of(DemoTool.BASH));
  }

  /** Reads the change and runs checks: the four reviewers. */
  static Toolkit reviewer(int medianCalls) {
    return new Toolkit(medianCalls, 16_000, List.of(DemoTool.BASH), List.of(
        new Weighted(DemoTool.READ, 6), new Weighted(DemoTool.GREP, 3), new Weighted(DemoTool.GLOB, 1),
        new Weighted(DemoTool.BASH, 2)), List.of());
  }

  /** Writes documentation and the changelog. */
  static Toolkit writer(int medianCalls) {
    return new Toolkit(medianCalls, 14_000, List.of(DemoTool.BASH), List.of(
        new Weighted(DemoTool.READ, 4), new Weighted(DemoTool.EDIT, 3), new Weighted(DemoTool.WRITE, 1)), List.of());
  }

  /** Pushes the branch and opens the pull request. */
  static Toolkit pullRequest(int medianCalls) {
    return new Toolkit(medianCalls, 13_000, List.of(DemoTool.BASH), List.of(
        new Weighted(DemoTool.BASH, 3), new Weighted(DemoTool.READ, 1)), List.of(DemoTool.CREATE_PULL_REQUEST));
  }

  /** One tool of the mix, drawn by weight. */
  DemoTool draw(Random random) {
    int total = mix.stream().mapToInt(Weighted::weight).sum();
    int roll = random.nextInt(total);
    for (Weighted w : mix) {
      roll -= w.weight();
      if (roll < 0) {
        return w.tool();
      }
    }
    throw new IllegalStateException("unreachable: the weights sum to " + total);
  }
}
