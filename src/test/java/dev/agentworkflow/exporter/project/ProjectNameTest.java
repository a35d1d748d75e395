package dev.agentworkflow.exporter.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProjectNameTest {
  @ParameterizedTest
  @CsvSource({
      "/home/ann/src/alpha/logs/agent_workflow.db, alpha",
      "/home/ann/src/alpha/logs/other.db, alpha",
      "/home/ann/src/my project/logs/agent_workflow.db, my project",
      "/srv/data/beta/agent_workflow.db, beta",
      "/home/ann/src/alpha/./logs/../logs/agent_workflow.db, alpha",
      "/logs/agent_workflow.db, logs",
      "/agent_workflow.db, /"})
  void theProjectFolderHoldsLogs(String path, String name) {
    assertEquals(name, ProjectName.of(Path.of(path)));
  }

  @Test
  void aRelativePathIsTakenFromTheWorkingDirectory() {
    String here = Path.of("").toAbsolutePath().getFileName().toString();
    assertEquals(here, ProjectName.of(Path.of("logs/agent_workflow.db")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"alpha", "a", "Alpha-2", "team.web_app", "0day",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void namesThatMayBeGiven(String name) {
    assertTrue(ProjectName.isValid(name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-alpha", ".alpha", "my project", "a/b", "ä",
      "a2345678901234567890123456789012345678901234567890123456789012345"})
  void namesThatMayNot(String name) {
    assertFalse(ProjectName.isValid(name), name);
  }
}
