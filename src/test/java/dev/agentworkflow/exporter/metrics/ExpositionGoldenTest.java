package dev.agentworkflow.exporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.model.BuildInfo;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.TestSettings;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole exposition of a small workflow, with time pinned, against a reviewed golden file:
 * names, HELP texts, types, label order, bucket bounds and series order in one place. When the
 * output changes on purpose, review target/golden/metrics.txt and copy it over the golden file.
 */
class ExpositionGoldenTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");

  @TempDir
  Path dir;

  @Test
  void theWholeExpositionIsTheReviewedOne() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    db.startSession("s1", T0);
    long a = db.startAgent("s1", "requirements", "jira-analyst", T0.plusSeconds(5));
    db.finishAgent(a, T0.plusSeconds(25), "completed", 20.0, "claude-sonnet-4-5");
    long b = db.startAgent("s1", "development", "backend-developer", T0.plusSeconds(30));
    long c = db.startAgent("s1", "development", "test-developer", T0.plusSeconds(31));
    long read = db.startTool("s1", "backend-developer", b, "Read", T0.plusSeconds(40), 1);
    db.finishTool(read, T0.plusMillis(40_300), "completed", 0.3);
    long bash = db.startTool("s1", "backend-developer", b, "Bash", T0.plusSeconds(41), 2);
    db.finishTool(bash, T0.plusSeconds(53), "error", 12.0);
    long grep = db.startTool("s1", "direct", null, "Grep", T0.plusSeconds(700), 1);
    db.finishTool(grep, T0.plusMillis(700_100), "completed", 0.1);
    db.startTool("s2", "direct", null, "Read", T0.plusSeconds(805), 2); // running: nowhere
    db.finishAgent(b, T0.plusSeconds(630), "completed", 600.0, "claude-opus-4-1",
        "{\"content\": [], \"totalDurationMs\": 600000, \"totalTokens\": 128692, \"totalToolUseCount\": 2}");
    db.finishAgent(c, T0.plusSeconds(331), "timeout", 300.0, "claude-sonnet-4-5");
    db.stopSession("s1", T0.plusSeconds(700));
    db.startSession("s2", T0.plusSeconds(800));
    db.startAgent("s2", "review", "security-reviewer", T0.plusSeconds(810));

    MutableClock clock = new MutableClock(T0.plusSeconds(900));
    PollResult polled;
    try (Poller poller = Exporter.newPoller(TestSettings.of(file), clock)) {
      polled = poller.poll();
    }
    // the two figures that depend on the machine, pinned
    PollResult pinned = new PollResult(polled.workflow(),
        new DatabaseStatus(polled.database().up(), OptionalLong.of(32768), Optional.empty()),
        new PollHistory(0.002, polled.history().errors(), polled.history().lastSuccess()),
        new Reads(polled.reads().rows(), 0.001, polled.reads().rescans()), polled.state(), CustomResult.NONE);
    CollectorRegistry registry = new CollectorRegistry();
    PublishedPolls polls = PublishedPolls.one("logs/agent_workflow.db", pinned);
    registry.register(new WorkflowCollector(() -> polls,
        new BuildInfo("1.0.0", "0123456789abcdef0123456789abcdef01234567", "main", "dev", "20250815-12:00:00", "17.0.15",
            "linux/amd64")));
    StringWriter text = new StringWriter();
    TextFormat.write004(text, registry.metricFamilySamples());

    String expected = new String(getClass().getResourceAsStream("/golden/metrics.txt").readAllBytes(),
        StandardCharsets.UTF_8);
    if (!expected.equals(text.toString())) {
      Path actual = Path.of("target/golden/metrics.txt");
      Files.createDirectories(actual.getParent());
      Files.writeString(actual, text.toString());
    }
    assertEquals(expected, text.toString());
  }
}
