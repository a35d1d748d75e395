package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped dashboard's variables and legends as Grafana fills them in. */
class GrafanaRequestsTest {
  private static final String SELECTOR = "up{instance=~\"$instance\",project=~\"$project\"}";
  private final JsonNode dashboard = Dashboard.read();

  GrafanaRequestsTest() throws Exception {}

  @Test
  void allProjectsIsDotStarWhichAlsoMatchesSeriesWithoutTheLabel() {
    GrafanaRequests grafana = new GrafanaRequests(dashboard, Duration.ofSeconds(15));
    assertEquals("up{instance=~\".*\",project=~\".*\"}", grafana.interpolate(SELECTOR));
  }

  /** interpolateQueryExpr of Grafana's Prometheus data source, for a variable that allows several values and All. */
  @Test
  void pickedProjectsAreEscapedForARegexAndSeveralAreJoined() {
    GrafanaRequests one = new GrafanaRequests(dashboard, Duration.ofSeconds(15)).select("project", "alpha");
    assertEquals("up{instance=~\".*\",project=~\"alpha\"}", one.interpolate(SELECTOR));
    GrafanaRequests two = new GrafanaRequests(dashboard, Duration.ofSeconds(15)).select("project", "alpha", "web.app");
    assertEquals("up{instance=~\".*\",project=~\"(alpha|web\\\\.app)\"}", two.interpolate(SELECTOR));
  }

  /** getName of Grafana's Prometheus data source: a label the series lacks is written as nothing. */
  @Test
  void aLegendWritesALabelTheSeriesLacksAsNothing() {
    assertEquals("architect alpha",
        GrafanaRequests.legend("{{agent_name}} {{project}}", Map.of("agent_name", "architect", "project", "alpha")));
    assertEquals("architect ", GrafanaRequests.legend("{{agent_name}} {{ project }}", Map.of("agent_name", "architect")));
  }
}
