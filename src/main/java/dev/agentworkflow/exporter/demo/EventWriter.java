package dev.agentworkflow.exporter.demo;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes plan events through the hooks' statements, remembering which row each agent start and
 * each tool start became.
 */
final class EventWriter {
  private final Map<Integer, Long> rowIdByKey = new HashMap<>();
  // by identity: two calls alike in every field are still two rows
  private final Map<SessionPlan.ToolStarted, Long> toolRowIds = new IdentityHashMap<>();

  void write(HookWriter.Batch hooks, SessionPlan.Event event) throws SQLException {
    if (event instanceof SessionPlan.SessionStarted e) {
      hooks.startSession(e.sessionId(), e.at(), "/home/dev/project", "{\"source\":\"demo\"}");
    } else if (event instanceof SessionPlan.AgentStarted e) {
      rowIdByKey.put(e.key(), hooks.startInvocation(e.sessionId(), e.phase(), e.agent(), e.at(), e.prompt(),
          "{\"subagent_type\":\"" + e.agent() + "\"}"));
    } else if (event instanceof SessionPlan.AgentEnded e) {
      Long id = rowIdByKey.remove(e.key());
      if (id != null) {
        hooks.endInvocation(id, e.at(), e.status(), e.error(), e.durationSeconds(), e.model(), e.rawOutput());
        hooks.subagentStop(e.sessionId(), e.at());
      }
    } else if (event instanceof SessionPlan.ToolStarted e) {
      Long invocation = e.invocationKey() == null ? null : rowIdByKey.get(e.invocationKey());
      toolRowIds.put(e, hooks.startToolUse(e.sessionId(), e.agent(), invocation, e.tool(), e.at(), e.input(),
          e.sequence()));
    } else if (event instanceof SessionPlan.ToolEnded e) {
      Long id = toolRowIds.remove(e.start());
      if (id != null) {
        hooks.endToolUse(id, e.at(), e.status(), e.output(), e.error(), e.durationSeconds());
      }
    } else if (event instanceof SessionPlan.SessionStopped e) {
      hooks.stopSession(e.sessionId(), e.at(), "{\"stop\":true}");
    }
  }
}
