package dev.agentworkflow.exporter.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Writes plan events through the hooks' statements, remembering which row each agent start became. */
final class EventWriter {
  private final HookWriter hooks;
  private final Map<Integer, Long> rowIdByKey = new HashMap<>();

  EventWriter(HookWriter hooks) {
    this.hooks = hooks;
  }

  void write(Connection c, SessionPlan.Event event) throws SQLException {
    if (event instanceof SessionPlan.SessionStarted e) {
      hooks.startSession(c, e.sessionId(), e.at(), "/home/dev/project", "{\"source\":\"demo\"}");
    } else if (event instanceof SessionPlan.AgentStarted e) {
      rowIdByKey.put(e.key(), hooks.startInvocation(c, e.sessionId(), e.phase(), e.agent(), e.at(), e.prompt(),
          "{\"subagent_type\":\"" + e.agent() + "\"}"));
    } else if (event instanceof SessionPlan.AgentEnded e) {
      Long id = rowIdByKey.remove(e.key());
      if (id != null) {
        hooks.endInvocation(c, id, e.at(), e.status(), e.error(), e.durationSeconds(), e.model(),
            "{\"result\":\"done\"}");
        hooks.subagentStop(c, e.sessionId(), e.at());
      }
    } else if (event instanceof SessionPlan.SessionStopped e) {
      hooks.stopSession(c, e.sessionId(), e.at(), "{\"stop\":true}");
    }
  }
}
