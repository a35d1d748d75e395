package dev.agentworkflow.exporter.demo;

import java.time.Duration;
import java.util.Random;

/**
 * How busy the demo's simulated pipeline is, in its history and live.
 *
 * <pre>{@code
 * demo.createOrReuse(Pace.SPARSE);
 * try (LiveActivity live = demo.startLiveActivity(Pace.SPARSE)) { ... }
 * }</pre>
 */
public enum Pace {
  /**
   * Always moving: a day of history with a session every half hour, then live sessions back to
   * back (5 to 20 s apart) whose agents run ten times faster than real ones, so that a new user
   * sees every metric move within a minute.
   */
  BUSY(new SessionPlan.Options(AgentCatalog.DEMO, 0.1, 0, 0, true), Duration.ofSeconds(5), Duration.ofSeconds(20)),

  /**
   * A real pipeline's pace, in the history and live alike: agents run as long as real ones, a
   * session takes about half an hour, and the next one starts 10 to 50 minutes after it ends. An
   * agent finishes every few minutes while a session runs, none between sessions; most agents run
   * less than once an hour.
   */
  SPARSE(new SessionPlan.Options(AgentCatalog.DEMO, 1.0, 0, 0, true), Duration.ofMinutes(10), Duration.ofMinutes(50));

  private final SessionPlan.Options live;
  private final Duration minGap;
  private final Duration maxGap;

  Pace(SessionPlan.Options live, Duration minGap, Duration maxGap) {
    this.live = live;
    this.minGap = minGap;
    this.maxGap = maxGap;
  }

  /** How live sessions are simulated. */
  SessionPlan.Options live() {
    return live;
  }

  /** The time from a session's last event to the next session's start. */
  Duration gap(Random random) {
    return minGap.plusSeconds(random.nextInt((int) maxGap.minus(minGap).toSeconds()));
  }
}
