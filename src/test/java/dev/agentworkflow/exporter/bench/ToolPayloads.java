package dev.agentworkflow.exporter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the hooks store for a tool-using agent, in the shapes and sizes Claude Code hands them:
 * a tool call's input and output (a Read returns the file, a few KB; an Edit's input holds the old
 * and new text and its output is small; a Bash call returns its output), an agent's prompt and
 * Task input, and its response shaped like database.md's sample. Made once from a seed, in pools
 * that rows draw from: SQLite stores every copy in full, so a repeated payload costs a reader what
 * a new one would, and building 3M payloads one by one would cost the generation more than writing
 * them.
 */
final class ToolPayloads {
  /**
   * One tool call as the tool-operations hook logs it.
   *
   * @param tool the tool's name, as {@code tool_name}
   * @param input the whole tool input, as {@code tool_input}
   * @param output the tool's response, as {@code tool_output} (for a failure, its error message)
   * @param error NULL when it worked; the error text when it failed (status {@code error})
   * @param medianSeconds how long such a call typically takes
   */
  record ToolCall(String tool, String input, String output, String error, double medianSeconds) {
    boolean failed() {
      return error != null;
    }
  }

  private static final String ROOT = "/home/dev/project";
  private static final String[] MODULES = {"orders", "billing", "users", "inventory", "shipping", "auth"};
  private static final String[] KINDS = {"Service", "Repository", "Controller", "Validator", "Mapper", "Client",
      "Config", "Events"};
  private static final String[] ENTITIES = {"Order", "Invoice", "Customer", "Stock", "Parcel", "Token", "Payment",
      "Address"};
  private static final String[] WORDS = {"order", "total", "customer", "amount", "status", "invoice", "line",
      "item", "price", "tax", "discount", "currency", "address", "parcel", "token", "result", "request", "event"};

  /** Tool calls per kind, in the proportions an agent makes them; failing variants included. */
  private final List<ToolCall> calls = new ArrayList<>();
  private final List<String> promptBodies = new ArrayList<>();
  private final List<String> summaries = new ArrayList<>();
  private final int promptChars;

  /**
   * @param promptChars longest prompt (the hooks cut prompts at 5,000 characters)
   * @param summaryChars typical length of an agent's final text in its response
   */
  ToolPayloads(Random random, int promptChars, int summaryChars) {
    this.promptChars = promptChars;
    List<String> paths = new ArrayList<>();
    for (String module : MODULES) {
      for (String entity : ENTITIES) {
        String kind = KINDS[random.nextInt(KINDS.length)];
        paths.add(ROOT + "/src/main/java/com/acme/" + module + "/" + entity + kind + ".java");
        paths.add(ROOT + "/src/test/java/com/acme/" + module + "/" + entity + kind + "Test.java");
      }
    }
    // 1,000 calls in the mix: Read 35%, Edit 20%, Bash 20%, Grep 10%, Glob 5%, Write 4%, TodoWrite 4%, WebFetch 2%
    for (int i = 0; i < 350; i++) {
      calls.add(read(random, pick(random, paths)));
    }
    for (int i = 0; i < 200; i++) {
      calls.add(edit(random, pick(random, paths)));
    }
    for (int i = 0; i < 200; i++) {
      calls.add(bash(random));
    }
    for (int i = 0; i < 100; i++) {
      calls.add(grep(random, paths));
    }
    for (int i = 0; i < 50; i++) {
      calls.add(glob(random, paths));
    }
    for (int i = 0; i < 40; i++) {
      calls.add(write(random, pick(random, paths)));
    }
    for (int i = 0; i < 40; i++) {
      calls.add(todoWrite(random));
    }
    for (int i = 0; i < 20; i++) {
      calls.add(webFetch(random));
    }
    for (int i = 0; i < 64; i++) {
      promptBodies.add(prose(random, 800 + random.nextInt(Math.max(1, promptChars - 1_000))));
      summaries.add("## Summary\n\n" + prose(random, summaryChars / 2 + random.nextInt(summaryChars + 1)));
    }
  }

  /** A tool call drawn from the mix. */
  ToolCall call(Random random) {
    return calls.get(random.nextInt(calls.size()));
  }

  /** A Task prompt: the agent's brief, 1 to {@code promptChars} characters, as the hooks cut it. */
  String prompt(Random random, String agent, String phase) {
    String prompt = "You are the " + agent + " of the " + phase + " phase. " + pick(random, promptBodies);
    return prompt.length() > promptChars ? prompt.substring(0, promptChars) : prompt;
  }

  /** The Task tool's input as the hooks store it in raw_input: the whole of it, the prompt included. */
  static String taskInput(String agent, String prompt) {
    return "{\"description\":" + quote("Run the " + agent) + ",\"prompt\":" + quote(prompt) + ",\"subagent_type\":"
        + quote(agent) + "}";
  }

  /**
   * The Task tool's response, shaped like database.md's sample: {@code totalTokens} is the sum of
   * the four usage counts (the agent's last API call), {@code totalToolUseCount} its tool calls.
   */
  String response(Random random, int toolUses, long durationMillis) {
    long cacheCreation = 500 + random.nextInt(8_000);
    long cacheRead = 10_000 + random.nextInt(140_000);
    long input = random.nextInt(4);
    long output = 100 + random.nextInt(3_000);
    long total = input + cacheCreation + cacheRead + output;
    return "{\"content\":[{\"type\":\"text\",\"text\":" + quote(pick(random, summaries)) + "}],"
        + "\"totalDurationMs\":" + durationMillis + ",\"totalTokens\":" + total + ",\"totalToolUseCount\":" + toolUses
        + ",\"usage\":{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":" + cacheCreation
        + ",\"cache_read_input_tokens\":" + cacheRead + ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":"
        + cacheCreation + ",\"ephemeral_1h_input_tokens\":0},\"output_tokens\":" + output
        + ",\"service_tier\":\"standard\"}}";
  }

  private static ToolCall read(Random random, String path) {
    String content = code(random, lognormalChars(random, 3_500, 400, 12_000));
    int lines = (int) content.chars().filter(ch -> ch == '\n').count() + 1;
    String input = "{\"file_path\":" + quote(path) + "}";
    if (random.nextInt(100) < 2) {
      return failed("Read", input, "File does not exist.", 0.05);
    }
    return new ToolCall("Read", input, "{\"type\":\"text\",\"file\":{\"filePath\":" + quote(path) + ",\"content\":"
        + quote(content) + ",\"numLines\":" + lines + ",\"startLine\":1,\"totalLines\":" + lines + "}}", null, 0.05);
  }

  private static ToolCall edit(Random random, String path) {
    String oldText = code(random, lognormalChars(random, 600, 60, 3_000));
    String newText = code(random, lognormalChars(random, 700, 60, 3_500));
    String input = "{\"file_path\":" + quote(path) + ",\"old_string\":" + quote(oldText) + ",\"new_string\":"
        + quote(newText) + ",\"replace_all\":false}";
    if (random.nextInt(100) < 5) {
      return failed("Edit", input, "String to replace not found in file.", 0.1);
    }
    int at = 10 + random.nextInt(400);
    return new ToolCall("Edit", input, "{\"filePath\":" + quote(path) + ",\"structuredPatch\":[{\"oldStart\":" + at
        + ",\"oldLines\":" + (1 + random.nextInt(20)) + ",\"newStart\":" + at + ",\"newLines\":" + (1 + random.nextInt(24))
        + ",\"lines\":[]}],\"userModified\":false,\"replaceAll\":false}", null, 0.1);
  }

  private static ToolCall bash(Random random) {
    String module = pick(random, MODULES);
    String[][] commands = {
        {"mvn -q -pl " + module + " test", "Run the " + module + " module's tests"},
        {"git status --short", "Show the working tree's changes"},
        {"git diff --stat HEAD~1", "Summarize the last commit's changes"},
        {"ls -la src/main/java/com/acme/" + module, "List the " + module + " package"},
        {"npm run lint -- --fix", "Lint the frontend"}};
    String[] command = commands[random.nextInt(commands.length)];
    String input = "{\"command\":" + quote(command[0]) + ",\"description\":" + quote(command[1])
        + ",\"timeout\":120000}";
    if (random.nextInt(100) < 8) {
      return failed("Bash", input, "Command failed with exit code 1\n" + log(random, 300 + random.nextInt(1_500)), 8);
    }
    return new ToolCall("Bash", input, "{\"stdout\":" + quote(log(random, lognormalChars(random, 900, 20, 6_000)))
        + ",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}", null, command[0].startsWith("mvn") ? 40 : 0.5);
  }

  private static ToolCall grep(Random random, List<String> paths) {
    String word = pick(random, WORDS);
    String input = "{\"pattern\":" + quote(word + "\\w*\\(") + ",\"path\":" + quote(ROOT + "/src")
        + ",\"output_mode\":\"files_with_matches\"}";
    List<String> found = new ArrayList<>();
    for (int i = random.nextInt(30); i >= 0; i--) {
      found.add(quote(pick(random, paths)));
    }
    return new ToolCall("Grep", input, "{\"mode\":\"files_with_matches\",\"filenames\":[" + String.join(",", found)
        + "],\"numFiles\":" + found.size() + "}", null, 0.2);
  }

  private static ToolCall glob(Random random, List<String> paths) {
    String module = pick(random, MODULES);
    String input = "{\"pattern\":" + quote("src/**/" + module + "/*.java") + "}";
    List<String> found = new ArrayList<>();
    for (int i = random.nextInt(40); i >= 0; i--) {
      found.add(quote(pick(random, paths)));
    }
    return new ToolCall("Glob", input, "{\"filenames\":[" + String.join(",", found) + "],\"durationMs\":"
        + (5 + random.nextInt(200)) + ",\"numFiles\":" + found.size() + ",\"truncated\":false}", null, 0.1);
  }

  private static ToolCall write(Random random, String path) {
    String input = "{\"file_path\":" + quote(path) + ",\"content\":"
        + quote(code(random, lognormalChars(random, 2_500, 300, 9_000))) + "}";
    if (random.nextInt(100) < 1) {
      return failed("Write", input, "File has not been read yet. Read it first before writing to it.", 0.05);
    }
    return new ToolCall("Write", input, "{\"type\":\"update\",\"filePath\":" + quote(path)
        + ",\"structuredPatch\":[]}", null, 0.05);
  }

  private static ToolCall todoWrite(Random random) {
    StringBuilder todos = new StringBuilder("[");
    for (int i = 0, n = 3 + random.nextInt(6); i < n; i++) {
      todos.append(i == 0 ? "" : ",").append("{\"content\":").append(quote(prose(random, 40 + random.nextInt(60))))
          .append(",\"status\":\"").append(i < n / 2 ? "completed" : i == n / 2 ? "in_progress" : "pending")
          .append("\",\"activeForm\":").append(quote(prose(random, 30 + random.nextInt(40)))).append('}');
    }
    todos.append(']');
    return new ToolCall("TodoWrite", "{\"todos\":" + todos + "}", "{\"oldTodos\":[],\"newTodos\":" + todos + "}", null,
        0.02);
  }

  private static ToolCall webFetch(Random random) {
    String url = "https://docs.example.org/" + pick(random, WORDS) + "/" + pick(random, WORDS) + ".html";
    String input = "{\"url\":" + quote(url) + ",\"prompt\":" + quote("What does the page say about "
        + pick(random, WORDS) + "?") + "}";
    if (random.nextInt(100) < 5) {
      return failed("WebFetch", input, "Request failed with status code 404", 1.5);
    }
    return new ToolCall("WebFetch", input, "{\"bytes\":" + (20_000 + random.nextInt(200_000)) + ",\"code\":200,"
        + "\"codeText\":\"OK\",\"result\":" + quote(prose(random, lognormalChars(random, 1_800, 200, 5_000)))
        + ",\"durationMs\":" + (300 + random.nextInt(4_000)) + ",\"url\":" + quote(url) + "}", null, 3);
  }

  /** A failed call: the hook stores the error, as text and as the output Claude Code hands it. */
  private static ToolCall failed(String tool, String input, String error, double medianSeconds) {
    return new ToolCall(tool, input, quote("<tool_use_error>" + error + "</tool_use_error>"), error, medianSeconds);
  }

  /** Source-like text of about {@code chars} characters: lines of a Java class. */
  private static String code(Random random, int chars) {
    StringBuilder code = new StringBuilder(chars + 80);
    String entity = pick(random, ENTITIES);
    code.append("package com.acme.").append(pick(random, MODULES)).append(";\n\n");
    while (code.length() < chars) {
      String a = pick(random, WORDS);
      String b = pick(random, WORDS);
      switch (random.nextInt(5)) {
        case 0 -> code.append("  private final ").append(entity).append("Repository ").append(a).append("s;\n");
        case 1 -> code.append("  public ").append(entity).append(' ').append(a).append("For(String ").append(b)
            .append("Id) {\n");
        case 2 -> code.append("    if (").append(a).append(" == null || ").append(b).append(".isEmpty()) {\n")
            .append("      throw new IllegalArgumentException(\"no ").append(a).append("\");\n    }\n");
        case 3 -> code.append("    return ").append(a).append("s.find(").append(b).append("Id).map(").append(entity)
            .append("::").append(a).append(").orElseThrow();\n  }\n\n");
        default -> code.append("    // the ").append(a).append(" follows the ").append(b).append("'s rules\n");
      }
    }
    return code.toString();
  }

  /** Build or test output of about {@code chars} characters. */
  private static String log(Random random, int chars) {
    StringBuilder log = new StringBuilder(chars + 80);
    while (log.length() < chars) {
      log.append("[INFO] ").append(pick(random, WORDS)).append(' ').append(pick(random, WORDS)).append(": Tests run: ")
          .append(random.nextInt(60)).append(", Failures: 0, Errors: 0, Skipped: ").append(random.nextInt(3))
          .append(", Time elapsed: ").append(random.nextInt(9)).append('.').append(random.nextInt(1000)).append(" s\n");
    }
    return log.toString();
  }

  /** Markdown-like prose of about {@code chars} characters. */
  private static String prose(Random random, int chars) {
    StringBuilder prose = new StringBuilder(chars + 80);
    while (prose.length() < chars) {
      if (random.nextInt(8) == 0) {
        prose.append("\n- ");
      }
      prose.append("The ").append(pick(random, WORDS)).append(" of each ").append(pick(random, WORDS))
          .append(" now follows the ").append(pick(random, WORDS)).append(" rules; see `")
          .append(pick(random, ENTITIES)).append(pick(random, KINDS)).append("`. ");
    }
    return prose.toString();
  }

  /** Sizes spread as files and outputs are: most near {@code median}, a few several times larger. */
  private static int lognormalChars(Random random, int median, int min, int max) {
    return (int) Math.max(min, Math.min(max, median * Math.exp(0.7 * random.nextGaussian())));
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  /** A JSON string literal of {@code text}. */
  static String quote(String text) {
    StringBuilder json = new StringBuilder(text.length() + 16).append('"');
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\t' -> json.append("\\t");
        case '\r' -> json.append("\\r");
        default -> {
          if (ch < 0x20) {
            json.append(String.format("\\u%04x", (int) ch));
          } else {
            json.append(ch);
          }
        }
      }
    }
    return json.append('"').toString();
  }
}
