package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.model.BuildInfo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The version block official exporters print, and the platform in Go's names. */
class BuildVersionTest {
  @Test
  void theBlockIsTheOfficialExportersWithJavasVersion() {
    BuildInfo build = new BuildInfo("0.1.0", "0123456789abcdef0123456789abcdef01234567", "main", "dev",
        "20261130-04:50:53", "17.0.15", "linux/amd64");
    assertEquals(List.of(
        "agent-workflow-exporter, version 0.1.0 (branch: main, revision: 0123456789abcdef0123456789abcdef01234567)",
        "  build user:       dev",
        "  build date:       20261130-04:50:53",
        "  java version:     17.0.15",
        "  platform:         linux/amd64"), BuildVersion.lines(build));
  }

  @ParameterizedTest
  @CsvSource({"Linux,amd64,linux/amd64", "Linux,aarch64,linux/arm64", "Mac OS X,x86_64,darwin/amd64",
      "Mac OS X,aarch64,darwin/arm64", "Windows 11,amd64,windows/amd64", "FreeBSD,amd64,freebsd/amd64",
      "Linux,ppc64le,linux/ppc64le", "Linux,i386,linux/386"})
  void platformsAreNamedAsGoNamesThem(String osName, String osArch, String platform) {
    assertEquals(platform, BuildVersion.platform(osName, osArch));
  }

  /** The build wrote build.properties (resource filtering) and, from a git checkout, git.properties. */
  @Test
  void theBuildsPropertiesAreRead() {
    BuildInfo build = BuildVersion.read();
    assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), build.version());
    assertTrue(build.buildDate().matches("\\d{8}-\\d\\d:\\d\\d:\\d\\d"), build.buildDate());
    assertEquals(System.getProperty("user.name"), build.buildUser());
    assertEquals(System.getProperty("java.version"), build.javaVersion());
    assertTrue(build.revision().matches("[0-9a-f]{40}|unknown"), build.revision());
  }
}
