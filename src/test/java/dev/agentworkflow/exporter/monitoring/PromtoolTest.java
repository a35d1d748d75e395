package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Binaries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped Prometheus files, checked by Prometheus's own tool. */
class PromtoolTest {
  private String run(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Binaries.require("promtool")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    return output;
  }

  @Test
  void theConfigurationIsValidAndLoadsTheRules() throws Exception {
    String output = run("check", "config", "config/prometheus.yml");
    assertTrue(output.contains("SUCCESS: 1 rule files found"), output);
  }

  @Test
  void theRulesAreValid() throws Exception {
    String output = run("check", "rules", "config/agent_workflow_rules.yml");
    assertTrue(output.contains("SUCCESS: 8 rules found"), output);
  }

  @Test
  void eachAlertFiresWhenItShouldAndOnlyThen() throws Exception {
    String output = run("test", "rules", "config/agent_workflow_rules.test.yml");
    assertTrue(output.contains("SUCCESS"), output);
  }
}
