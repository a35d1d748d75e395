package dev.agentworkflow.exporter.demo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The tool calls of one run, as the tool-operations hook records them, each inside the run and
 * one after another, and the context the agent reaches: {@code contextTokens} is its context at
 * its last API call, before its final answer (the tokens of its prompt and of every call's input
 * and result).
 */
record AgentWork(List<ToolCall> calls, int contextTokens) {
  /**
   * The context an agent may fill before its final answer: current Claude models have a window of
   * 200,000 tokens, and an agent that nears it wraps up rather than calling more tools. Leaves room
   * for the final answer ({@link AgentReport} gives it at most 1,699 output tokens).
   */
  static final int CONTEXT_BUDGET = 196_000;

  /** Tool calls take at most this share of their run; the rest is the model thinking between them. */
  private static final double BUSY_SHARE = 0.7;

  /** One call: when it starts and ends, and what the hook records of it. */
  record ToolCall(DemoTool tool, Instant start, Instant end, DemoTool.Payload payload) {
    /** The hook's status {@code error} when the tool failed: it has an error text. */
    boolean failed() {
      return payload.error() != null;
    }

    /**
     * What the hook writes in {@code duration_seconds}: end minus start of the timestamps it wrote,
     * which keep whole microseconds.
     */
    double durationSeconds() {
      return ChronoUnit.MICROS.between(start.truncatedTo(ChronoUnit.MICROS), end.truncatedTo(ChronoUnit.MICROS)) / 1e6;
    }
  }

  /**
   * The calls of a run from {@code from} to {@code to}: about {@code kit.medianCalls()}, fewer when
   * the context would pass {@link #CONTEXT_BUDGET}. Calls last as long as they would in real time
   * unless together they would take more than 70% of the run (a short run, or the live demo's
   * faster agents): then all are shortened alike.
   */
  static AgentWork plan(Random random, Toolkit kit, Instant from, Instant to) {
    int wanted = Math.max(1, (int) Math.round(kit.medianCalls() * Math.exp(0.4 * random.nextGaussian())));
    List<DemoTool> tools = new ArrayList<>(kit.opening());
    int context = kit.baseContextTokens();
    for (DemoTool tool : kit.opening()) {
      context += tool.contextTokens(random);
    }
    int closingTokens = 0;
    for (DemoTool tool : kit.closing()) {
      closingTokens += tool.contextTokens(random);
    }
    while (tools.size() < wanted - kit.closing().size()) {
      DemoTool tool = kit.draw(random);
      int tokens = tool.contextTokens(random);
      if (context + closingTokens + tokens > CONTEXT_BUDGET) {
        break; // the agent wraps up with its context nearly full
      }
      tools.add(tool);
      context += tokens;
    }
    tools.addAll(kit.closing());
    context += closingTokens;
    return new AgentWork(layOut(random, tools, from, to), context);
  }

  private static List<ToolCall> layOut(Random random, List<DemoTool> tools, Instant from, Instant to) {
    double run = Duration.between(from, to).toNanos() / 1e9;
    double[] seconds = new double[tools.size()];
    DemoTool.Payload[] payloads = new DemoTool.Payload[tools.size()];
    double busy = 0;
    for (int i = 0; i < tools.size(); i++) {
      DemoTool tool = tools.get(i);
      seconds[i] = tool.seconds(random);
      payloads[i] = tool.payload(random, tool.fails(random));
      if (tool == DemoTool.BASH && seconds[i] > DemoTool.BASH_TIMEOUT_SECONDS) {
        seconds[i] = DemoTool.BASH_TIMEOUT_SECONDS;
        payloads[i] = new DemoTool.Payload(payloads[i].input(), null, DemoTool.BASH_TIMEOUT_ERROR);
      }
      busy += seconds[i];
    }
    double squeeze = busy > BUSY_SHARE * run ? BUSY_SHARE * run / busy : 1;
    // the idle time, split at random into a gap before each call and one after the last
    double[] gaps = new double[tools.size() + 1];
    double weights = 0;
    for (int i = 0; i < gaps.length; i++) {
      gaps[i] = 0.2 + random.nextDouble();
      weights += gaps[i];
    }
    double idle = run - busy * squeeze;
    List<ToolCall> calls = new ArrayList<>(tools.size());
    double t = 0;
    for (int i = 0; i < tools.size(); i++) {
      DemoTool tool = tools.get(i);
      t += idle * gaps[i] / weights;
      Instant start = at(from, t);
      t += seconds[i] * squeeze;
      Instant end = at(from, t);
      calls.add(new ToolCall(tool, start, end, payloads[i]));
    }
    return List.copyOf(calls);
  }

  private static Instant at(Instant from, double seconds) {
    return from.plusNanos((long) (seconds * 1e9));
  }
}
