package dev.agentworkflow.exporter.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Default values from environment variables: {@code --stale-after} reads
 * {@code AGENT_WORKFLOW_EXPORTER_STALE_AFTER}. A flag on the command line wins. The environment is
 * injected so tests need not change the process's own.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  static final String PREFIX = "AGENT_WORKFLOW_EXPORTER_";

  private final Map<String, String> environment;

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  static String variableFor(String longOption) {
    return PREFIX + longOption.replaceFirst("^--", "").replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String value = environment.get(variableFor(option.longestName()));
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    return null;
  }
}
