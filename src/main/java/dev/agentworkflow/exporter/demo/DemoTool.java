package dev.agentworkflow.exporter.demo;

import java.util.List;
import java.util.Random;

/**
 * The tools the demo's agents call, with what the tool-operations hook records of them: the tool's
 * name, its input and output (small JSON, as Claude Code hands them to the hooks), how long a call
 * takes, how often one fails and with which error text, and how many tokens its result adds to the
 * agent's context.
 */
enum DemoTool {
  READ("Read", 0.04, 0.6, 0.02, 3_000, "File does not exist."),
  GLOB("Glob", 0.06, 0.5, 0, 300, null),
  GREP("Grep", 0.15, 0.6, 0.01, 600, "Path does not exist: src/legacy"),
  EDIT("Edit", 0.08, 0.5, 0.06, 500, "String to replace not found in file."),
  WRITE("Write", 0.06, 0.5, 0.01, 900, "File has not been read yet. Read it first before writing to it."),
  TODO_WRITE("TodoWrite", 0.02, 0.4, 0, 300, null),
  // Bash runs builds and tests: mostly a second or two, sometimes tens of seconds, and a failing
  // test run is a failed call. Past its 2 minute timeout the call fails with the timeout's text.
  BASH("Bash", 1.5, 1.3, 0.10, 1_200, null), // its error text is its command's (COMMANDS)
  WEB_FETCH("WebFetch", 2.0, 0.7, 0.08, 3_000, "Request failed with status code 404"),
  WEB_SEARCH("WebSearch", 3.0, 0.5, 0.02, 2_000, "Web search failed: too many requests"),
  JIRA_ISSUE("mcp__atlassian__getJiraIssue", 0.8, 0.5, 0.04, 1_500,
      "MCP error -32603: Issue does not exist or you do not have permission to see it."),
  JIRA_SEARCH("mcp__atlassian__searchJiraIssuesUsingJql", 1.2, 0.5, 0.03, 2_000,
      "MCP error -32603: Error in the JQL query: the field 'sprint' does not exist."),
  CREATE_PULL_REQUEST("mcp__github__create_pull_request", 1.5, 0.4, 0.05, 600,
      "MCP error -32603: Validation Failed: A pull request already exists for acme:feature/SHOP-1423.");

  /** Claude Code's default Bash timeout. */
  static final double BASH_TIMEOUT_SECONDS = 120;
  static final String BASH_TIMEOUT_ERROR = "Command timed out after 2m 0.0s";

  private static final List<String> FILES = List.of("src/orders/service.py", "src/orders/models.py",
      "src/api/routes.py", "tests/test_orders.py", "web/src/components/OrderForm.tsx",
      "migrations/0042_add_order_status.sql", "docs/orders.md", "CHANGELOG.md");
  private static final List<Command> COMMANDS = List.of(
      new Command("pytest -q tests/test_orders.py", "Run the order tests", "14 passed in 3.41s",
          "Exit code 1\nFAILED tests/test_orders.py::test_cancel_order - AssertionError"),
      new Command("npm test -- OrderForm", "Run the order form tests", "Tests: 9 passed, 9 total",
          "Exit code 1\nFAIL src/components/OrderForm.test.tsx"),
      new Command("ruff check src", "Lint the sources", "All checks passed!",
          "Exit code 1\nsrc/orders/service.py:42:5: F841 Local variable `order` is assigned to but never used"),
      new Command("git status --short", "Show the working tree status", " M src/orders/service.py",
          "Exit code 128\nfatal: Unable to create '/home/dev/project/.git/index.lock': File exists."),
      new Command("git diff --stat", "Show what changed", " 3 files changed, 42 insertions(+), 7 deletions(-)",
          "Exit code 128\nfatal: Unable to create '/home/dev/project/.git/index.lock': File exists."),
      new Command("git log --oneline main..HEAD", "Show the branch's commits", "a1b2c3d Orders can be cancelled",
          "Exit code 128\nfatal: ambiguous argument 'main..HEAD': unknown revision or path not in the working tree."));
  private static final List<String> PATTERNS = List.of("def cancel_order", "OrderStatus", "TODO", "import sqlite3");
  private static final String PROJECT = "/home/dev/project/";

  /** A shell command an agent runs, what it prints, and the error the hook records when it fails. */
  private record Command(String line, String description, String stdout, String failure) {}

  /** What the hook records of one call: its input, and its output or its error text. */
  record Payload(String input, String output, String error) {}

  private final String toolName;
  private final double medianSeconds;
  private final double spread;
  private final double failureShare;
  private final int contextTokens;
  private final String error;

  DemoTool(String toolName, double medianSeconds, double spread, double failureShare, int contextTokens,
      String error) {
    this.toolName = toolName;
    this.medianSeconds = medianSeconds;
    this.spread = spread;
    this.failureShare = failureShare;
    this.contextTokens = contextTokens;
    this.error = error;
  }

  /** The name the hook writes in {@code tool_name}. */
  String toolName() {
    return toolName;
  }

  /** How long a call takes in real time, before the demo fits it into its agent's run. */
  double seconds(Random random) {
    return medianSeconds * Math.exp(spread * random.nextGaussian());
  }

  boolean fails(Random random) {
    return random.nextDouble() < failureShare;
  }

  /** Tokens the call's input and result add to the agent's context. */
  int contextTokens(Random random) {
    return (int) Math.round(contextTokens * Math.exp(0.5 * random.nextGaussian()));
  }

  /**
   * What the hook records of a call: {@code tool_input}, what the agent asked for; then {@code
   * tool_output}, the tool's response, or when it {@code failed}, no output and the error text.
   */
  Payload payload(Random random, boolean failed) {
    if (this == BASH) {
      Command command = COMMANDS.get(random.nextInt(COMMANDS.size()));
      String input = "{\"command\":" + JsonText.quote(command.line()) + ",\"description\":"
          + JsonText.quote(command.description()) + "}";
      String output = "{\"stdout\":" + JsonText.quote(command.stdout()) + ",\"stderr\":\"\",\"interrupted\":false}";
      return failed ? new Payload(input, null, command.failure()) : new Payload(input, output, null);
    }
    String input = input(random);
    return failed ? new Payload(input, null, error) : new Payload(input, output(random), null);
  }

  private String input(Random random) {
    String file = JsonText.quote(PROJECT + pick(random, FILES));
    return switch (this) {
      case READ -> "{\"file_path\":" + file + "}";
      case GLOB -> "{\"pattern\":\"src/**/*.py\"}";
      case GREP -> "{\"pattern\":" + JsonText.quote(pick(random, PATTERNS))
          + ",\"path\":\"src\",\"output_mode\":\"files_with_matches\"}";
      case EDIT -> "{\"file_path\":" + file
          + ",\"old_string\":\"status = 'new'\",\"new_string\":\"status = OrderStatus.NEW\"}";
      case WRITE -> "{\"file_path\":" + file + ",\"content\":"
          + JsonText.quote("def cancel_order(order_id):\n    order = Order.get(order_id)\n    order.cancel()\n")
          + "}";
      case TODO_WRITE -> "{\"todos\":[{\"content\":\"Add the cancel endpoint\",\"status\":\"in_progress\"}]}";
      case BASH -> throw new IllegalStateException("Bash's payload comes with its command");
      case WEB_FETCH -> "{\"url\":\"https://docs.python.org/3/library/sqlite3.html\","
          + "\"prompt\":\"How are transactions committed?\"}";
      case WEB_SEARCH -> "{\"query\":\"sqlite busy timeout python\"}";
      case JIRA_ISSUE -> "{\"cloudId\":\"acme\",\"issueIdOrKey\":\"SHOP-" + (1400 + random.nextInt(100)) + "\"}";
      case JIRA_SEARCH -> "{\"cloudId\":\"acme\",\"jql\":\"project = SHOP AND sprint in openSprints()\"}";
      case CREATE_PULL_REQUEST -> "{\"owner\":\"acme\",\"repo\":\"shop\",\"title\":\"Orders can be cancelled\","
          + "\"head\":\"feature/SHOP-1423\",\"base\":\"main\"}";
    };
  }

  private String output(Random random) {
    return switch (this) {
      case READ -> "{\"type\":\"text\",\"file\":{\"numLines\":" + (20 + random.nextInt(400)) + "}}";
      case GLOB -> "{\"numFiles\":" + (5 + random.nextInt(60)) + ",\"truncated\":false}";
      case GREP -> "{\"mode\":\"files_with_matches\",\"numFiles\":" + random.nextInt(8) + "}";
      case EDIT -> "{\"replaceAll\":false,\"userModified\":false}";
      case WRITE -> "{\"type\":\"create\"}";
      case TODO_WRITE -> "{\"newTodos\":[{\"content\":\"Add the cancel endpoint\",\"status\":\"in_progress\"}]}";
      case BASH -> throw new IllegalStateException("Bash's payload comes with its command");
      case WEB_FETCH -> "{\"code\":200,\"bytes\":" + (20_000 + random.nextInt(60_000)) + "}";
      case WEB_SEARCH -> "{\"results\":" + (5 + random.nextInt(6)) + "}";
      case JIRA_ISSUE -> "{\"fields\":{\"status\":{\"name\":\"In Progress\"},\"issuetype\":{\"name\":\"Story\"}}}";
      case JIRA_SEARCH -> "{\"total\":" + (3 + random.nextInt(20)) + "}";
      case CREATE_PULL_REQUEST -> "{\"number\":" + (500 + random.nextInt(100)) + ",\"state\":\"open\"}";
    };
  }

  private static String pick(Random random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }
}
