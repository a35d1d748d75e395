package dev.agentworkflow.exporter.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The hook events of one simulated session, in time order: the session starts, its phases run
 * their agents (development and review in parallel), a Stop follows every phase, and now and then
 * an agent fails, leaves its duration unset, or the session is resumed later. With tool uses, each
 * agent calls its tools during its run, the main session calls a few itself before each phase, and
 * each agent reports what it did in its {@code raw_output}.
 */
final class SessionPlan {
  sealed interface Event permits SessionStarted, AgentStarted, AgentEnded, ToolStarted, ToolEnded, SessionStopped {
    Instant at();
  }

  record SessionStarted(Instant at, String sessionId) implements Event {}

  /** {@code key} ties the start to its end: the row id is known only once the start is written. */
  record AgentStarted(Instant at, String sessionId, int key, String phase, String agent, String prompt)
      implements Event {}

  record AgentEnded(Instant at, String sessionId, int key, String status, String error, Double durationSeconds,
      String model, String rawOutput) implements Event {}

  /**
   * A tool call starts: {@code invocationKey} is the {@link AgentStarted#key()} of the agent that
   * calls it, null for the main session's own calls (agent {@code direct}); {@code sequence}
   * counts the calls of the agent's run (of the session, for direct calls) from 1.
   */
  record ToolStarted(Instant at, String sessionId, Integer invocationKey, String agent, String tool, String input,
      int sequence) implements Event {}

  /** The call {@code start} ends; its row is found by the very start event it ends. */
  record ToolEnded(Instant at, ToolStarted start, String status, String output, String error, double durationSeconds)
      implements Event {}

  record SessionStopped(Instant at, String sessionId) implements Event {}

  /** A prompt or output length meaning: write NULL, as a writer that does not log payloads does. */
  static final int NONE = -1;

  /** What the main session's own tool calls are recorded under. */
  static final String DIRECT = "direct";

  /**
   * How sessions are simulated.
   *
   * @param timeScale 1 for realistic durations, less to make a live demo move faster
   * @param promptChars length the prompts are padded to; 0 leaves them short, {@link #NONE} writes none
   * @param outputChars length the raw JSON outputs are padded to; 0 leaves them short, {@link #NONE} writes none
   * @param toolUses whether agents and the main session call tools, and agents report what they did
   */
  record Options(AgentCatalog catalog, double timeScale, int promptChars, int outputChars, boolean toolUses) {}

  private SessionPlan() {}

  /**
   * The events of one session. The tool calls are drawn from their own generator, seeded by the
   * session id: with or without them, {@code random} gives the same sessions and invocations.
   *
   * @param keyBase first invocation key of this session, so keys stay unique across sessions
   */
  static List<Event> create(Random random, String sessionId, Instant start, int keyBase, Options options) {
    double timeScale = options.timeScale();
    Random tools = new Random(sessionId.hashCode());
    List<Event> events = new ArrayList<>();
    events.add(new SessionStarted(start, sessionId));
    Instant t = start.plus(seconds(2 + random.nextInt(8) * timeScale));
    Instant idleSince = start;
    int directCalls = 0;
    int key = keyBase;
    for (AgentCatalog.Phase phase : options.catalog().phases()) {
      if (options.toolUses()) {
        // the main session looks around before it hands the phase to its agents
        AgentWork direct = AgentWork.plan(tools, Toolkit.DIRECT, idleSince, t);
        directCalls = addToolEvents(events, sessionId, null, DIRECT, direct, directCalls);
      }
      List<AgentCatalog.Agent> agents = options.catalog().pick(random, phase);
      Instant phaseEnd = t;
      for (AgentCatalog.Agent agent : agents) {
        Instant agentStart = phase.parallel() ? t.plus(seconds(random.nextDouble() * 3)) : phaseEnd;
        double duration = agent.medianSeconds() * timeScale * Math.exp(0.6 * random.nextGaussian());
        Instant agentEnd = agentStart.plus(seconds(duration));
        events.add(new AgentStarted(agentStart, sessionId, key, phase.name(), agent.name(),
            prompt(random, phase.name(), agent.name(), options.promptChars())));
        String rawOutput;
        if (options.toolUses()) {
          AgentWork work = AgentWork.plan(tools, agent.toolkit(), agentStart, agentEnd);
          addToolEvents(events, sessionId, key, agent.name(), work, 0);
          rawOutput = options.outputChars() == NONE ? null
              : AgentReport.of(tools, agent.name(), duration, work).json(options.outputChars());
        } else {
          rawOutput = rawOutput(options.outputChars());
        }
        events.add(ended(random, agentEnd, sessionId, key, duration, rawOutput));
        key++;
        phaseEnd = phase.parallel() ? max(phaseEnd, agentEnd) : agentEnd.plus(seconds(1 + random.nextInt(4)));
      }
      Instant stop = phaseEnd.plus(seconds(2 * timeScale + 1));
      events.add(new SessionStopped(stop, sessionId));
      idleSince = stop;
      t = stop.plus(seconds((5 + random.nextInt(25)) * timeScale));
    }
    // stable: events at the same instant keep the order above (a tool ends before its agent)
    events.sort(Comparator.comparing(Event::at));
    return events;
  }

  /** Adds the start and end of each call; returns the last sequence number used. */
  private static int addToolEvents(List<Event> events, String sessionId, Integer invocationKey, String agent,
      AgentWork work, int lastSequence) {
    int sequence = lastSequence;
    for (AgentWork.ToolCall call : work.calls()) {
      ToolStarted started = new ToolStarted(call.start(), sessionId, invocationKey, agent, call.tool().toolName(),
          call.payload().input(), ++sequence);
      events.add(started);
      events.add(new ToolEnded(call.end(), started, call.failed() ? "error" : "completed", call.payload().output(),
          call.payload().error(), call.durationSeconds()));
    }
    return sequence;
  }

  private static AgentEnded ended(Random random, Instant at, String sessionId, int key, double duration,
      String rawOutput) {
    double roll = random.nextDouble();
    String status = roll < 0.05 ? "failed" : roll < 0.07 ? "error" : roll < 0.08 ? "timeout" : "completed";
    String error = status.equals("completed") ? null : "agent " + status + ": tool returned an error";
    Double recorded = random.nextDouble() < 0.05 ? null : Math.round(duration * 1000) / 1000.0;
    double m = random.nextDouble();
    String model = AgentCatalog.MODELS.get(m < 0.7 ? 0 : m < 0.9 ? 1 : 2);
    return new AgentEnded(at, sessionId, key, status, error, recorded, model, rawOutput);
  }

  private static String prompt(Random random, String phase, String agent, int promptChars) {
    if (promptChars == NONE) {
      return null;
    }
    StringBuilder prompt = new StringBuilder("You are the " + agent + " of the " + phase + " phase. ");
    int sentences = 2 + random.nextInt(8);
    for (int i = 0; i < sentences || prompt.length() < promptChars; i++) {
      prompt.append("Work through ticket item ").append(random.nextInt(1000)).append(" and report what changed. ");
    }
    return prompt.toString();
  }

  /**
   * Without tool uses: the Task tool's result as older hooks store it, JSON padded with a
   * transcript to about {@code chars}.
   */
  private static String rawOutput(int chars) {
    if (chars == NONE) {
      return null;
    }
    if (chars <= 0) {
      return "{\"result\":\"done\"}";
    }
    StringBuilder transcript = new StringBuilder(chars + 64);
    while (transcript.length() < chars) {
      transcript.append("Edited src/module.py: applied the change and ran the tests, all passed. ");
    }
    return "{\"result\":\"done\",\"transcript\":\"" + transcript + "\"}";
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
