package dev.agentworkflow.exporter.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Default values from environment variables: {@code --stale-after} reads
 * {@code AGENT_WORKFLOW_EXPORTER_STALE_AFTER}. A flag on the command line wins; a variable set to
 * the empty string is an invalid value. The environment is injected so tests need not change the
 * process's own.
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

  /**
   * The variable's value, or null when it is not set. A variable set to the empty string is refused
   * as an empty flag is: it is a mistake (an unset variable in a template), not a request for the default.
   */
  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String variable = variableFor(option.longestName());
      String value = environment.get(variable);
      if (value != null && value.isEmpty()) {
        throw new ParameterException(option.command().commandLine(),
            variable + " is set but empty; unset it or give " + option.longestName() + " a value");
      }
      return value;
    }
    return null;
  }
}
