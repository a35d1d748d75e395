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
 * an agent fails, leaves its duration unset, or the session is resumed later.
 */
final class SessionPlan {
  sealed interface Event permits SessionStarted, AgentStarted, AgentEnded, SessionStopped {
    Instant at();
  }

  record SessionStarted(Instant at, String sessionId) implements Event {}

  /** {@code key} ties the start to its end: the row id is known only once the start is written. */
  record AgentStarted(Instant at, String sessionId, int key, String phase, String agent, String prompt)
      implements Event {}

  record AgentEnded(Instant at, String sessionId, int key, String status, String error, Double durationSeconds,
      String model, String rawOutput) implements Event {}

  record SessionStopped(Instant at, String sessionId) implements Event {}

  /** A prompt or output length meaning: write NULL, as a writer that does not log payloads does. */
  static final int NONE = -1;

  private SessionPlan() {}

  /**
   * @param timeScale 1 for realistic durations, less to make a live demo move faster
   * @param keyBase first invocation key of this session, so keys stay unique across sessions
   * @param promptChars length the prompts are padded to; 0 leaves them short, {@link #NONE} writes none
   * @param outputChars length the raw JSON outputs are padded to; 0 leaves them short, {@link #NONE} writes none
   */
  static List<Event> create(Random random, AgentCatalog catalog, String sessionId, Instant start, double timeScale,
      int keyBase, int promptChars, int outputChars) {
    List<Event> events = new ArrayList<>();
    events.add(new SessionStarted(start, sessionId));
    Instant t = start.plus(seconds(2 + random.nextInt(8) * timeScale));
    int key = keyBase;
    for (AgentCatalog.Phase phase : catalog.phases()) {
      List<AgentCatalog.Agent> agents = catalog.pick(random, phase);
      Instant phaseEnd = t;
      for (AgentCatalog.Agent agent : agents) {
        Instant agentStart = phase.parallel() ? t.plus(seconds(random.nextDouble() * 3)) : phaseEnd;
        double duration = agent.medianSeconds() * timeScale * Math.exp(0.6 * random.nextGaussian());
        Instant agentEnd = agentStart.plus(seconds(duration));
        events.add(new AgentStarted(agentStart, sessionId, key, phase.name(), agent.name(),
            prompt(random, phase.name(), agent.name(), promptChars)));
        events.add(ended(random, agentEnd, sessionId, key, duration, outputChars));
        key++;
        phaseEnd = phase.parallel() ? max(phaseEnd, agentEnd) : agentEnd.plus(seconds(1 + random.nextInt(4)));
      }
      Instant stop = phaseEnd.plus(seconds(2 * timeScale + 1));
      events.add(new SessionStopped(stop, sessionId));
      t = stop.plus(seconds((5 + random.nextInt(25)) * timeScale));
    }
    events.sort(Comparator.comparing(Event::at));
    return events;
  }

  private static AgentEnded ended(Random random, Instant at, String sessionId, int key, double duration,
      int outputChars) {
    double roll = random.nextDouble();
    String status = roll < 0.05 ? "failed" : roll < 0.07 ? "error" : roll < 0.08 ? "timeout" : "completed";
    String error = status.equals("completed") ? null : "agent " + status + ": tool returned an error";
    Double recorded = random.nextDouble() < 0.05 ? null : Math.round(duration * 1000) / 1000.0;
    double m = random.nextDouble();
    String model = AgentCatalog.MODELS.get(m < 0.7 ? 0 : m < 0.9 ? 1 : 2);
    return new AgentEnded(at, sessionId, key, status, error, recorded, model, rawOutput(outputChars));
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

  /** The Task tool's result as the hooks store it: JSON, padded with a transcript to about {@code chars}. */
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
