package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.model.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * This build, as {@code --version}, {@code build_info} and the status page show it: the version,
 * revision, branch, build user and date from {@code build.properties} (written by Maven's resource
 * filtering; the revision and branch as git told the build, {@code unknown} outside a checkout),
 * and the Java runtime and platform of this process.
 *
 * <pre>{@code
 * agent-workflow-exporter, version 0.1.0 (branch: main, revision: 6f1c2e…)
 *   build user:       dev
 *   build date:       20261130-04:50:53
 *   java version:     17.0.15
 *   platform:         linux/amd64
 * }</pre>
 */
final class BuildVersion implements IVersionProvider {
  static final String UNKNOWN = "unknown";

  static BuildInfo read() {
    Properties build = properties("build.properties");
    return new BuildInfo(
        value(build, "version", "development"),
        value(build, "revision", UNKNOWN),
        value(build, "branch", UNKNOWN),
        value(build, "build.user", UNKNOWN),
        value(build, "build.date", UNKNOWN),
        System.getProperty("java.version"),
        platform(System.getProperty("os.name"), System.getProperty("os.arch")));
  }

  /** The block official exporters print for {@code --version}, without their Go-only {@code tags} line. */
  static List<String> lines(BuildInfo build) {
    return List.of(
        "agent-workflow-exporter, version " + build.version() + " (branch: " + build.branch() + ", revision: "
            + build.revision() + ")",
        "  build user:       " + build.buildUser(),
        "  build date:       " + build.buildDate(),
        "  java version:     " + build.javaVersion(),
        "  platform:         " + build.platform());
  }

  /** {@code linux/amd64}, {@code darwin/arm64}: the names Go gives, which official exporters print. */
  static String platform(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    os = os.startsWith("mac") ? "darwin" : os.startsWith("windows") ? "windows" : os.replace(" ", "");
    String arch = switch (osArch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "386";
      default -> osArch;
    };
    return os + "/" + arch;
  }

  @Override
  public String[] getVersion() {
    return lines(read()).toArray(String[]::new);
  }

  /** The value, or {@code otherwise} when it is missing, empty, or a placeholder a partial build left unfilled. */
  private static String value(Properties properties, String key, String otherwise) {
    String value = properties.getProperty(key, "").strip();
    return value.isEmpty() || value.startsWith("${") ? otherwise : value;
  }

  private static Properties properties(String resource) {
    Properties properties = new Properties();
    try (InputStream in = BuildVersion.class.getResourceAsStream(resource)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the jar", e);
    }
    return properties;
  }
}
