package dev.agentworkflow.exporter.demo;

import java.util.Random;

/**
 * What an agent reports when it ends: the Agent (Task) tool's response, which the hooks store in
 * {@code raw_output}, shaped like the sample in {@code database.md}. {@code usage} is the agent's
 * last API call, so {@code totalTokens} (the sum of its four counts) is the agent's context at the
 * end plus its answer, not the tokens billed over its run.
 */
record AgentReport(String summary, long totalDurationMs, int totalToolUseCount, Usage usage) {
  /** The last API call's token counts, as the API reports them. */
  record Usage(int inputTokens, int cacheCreationInputTokens, int cacheReadInputTokens, int outputTokens) {
    int total() {
      return inputTokens + cacheCreationInputTokens + cacheReadInputTokens + outputTokens;
    }
  }

  /**
   * The report of a run of {@code seconds} that did {@code work}: its last call reads most of the
   * context from the prompt cache, writes the newest part of it to the cache, and answers in 200
   * to 1,699 tokens.
   */
  static AgentReport of(Random random, String agent, double seconds, AgentWork work) {
    int context = work.contextTokens();
    int input = random.nextInt(12);
    int cacheCreation = Math.min(context - input, 500 + random.nextInt(4_000));
    int output = 200 + random.nextInt(1_500);
    Usage usage = new Usage(input, cacheCreation, context - input - cacheCreation, output);
    String summary = "## Summary\n\n" + agent + " finished its task in " + work.calls().size() + " tool calls.";
    return new AgentReport(summary, Math.round(seconds * 1000), work.calls().size(), usage);
  }

  /** The JSON, its text padded with a transcript to about {@code chars} (0: the summary alone). */
  String json(int chars) {
    StringBuilder text = new StringBuilder(summary);
    while (text.length() < chars) {
      text.append("\nEdited src/module.py: applied the change and ran the tests, all passed.");
    }
    return "{\"content\":[{\"type\":\"text\",\"text\":" + JsonText.quote(text.toString()) + "}]"
        + ",\"totalDurationMs\":" + totalDurationMs
        + ",\"totalTokens\":" + usage.total()
        + ",\"totalToolUseCount\":" + totalToolUseCount
        + ",\"usage\":{\"input_tokens\":" + usage.inputTokens()
        + ",\"cache_creation_input_tokens\":" + usage.cacheCreationInputTokens()
        + ",\"cache_read_input_tokens\":" + usage.cacheReadInputTokens()
        + ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":" + usage.cacheCreationInputTokens()
        + ",\"ephemeral_1h_input_tokens\":0}"
        + ",\"output_tokens\":" + usage.outputTokens()
        + ",\"service_tier\":\"standard\"}}";
  }
}
