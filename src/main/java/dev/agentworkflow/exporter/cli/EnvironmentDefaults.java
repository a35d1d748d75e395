package dev.agentworkflow.exporter.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Default values from environment variables: {@code --stale-after} reads
 * {@code AGENT_WORKFLOW_EXPORTER_STALE_AFTER}. Only an option whose help names its variable reads
 * one, so that {@code --help} tells the whole truth and variables such as
 * {@code AGENT_WORKFLOW_EXPORTER_VERSION} (which images set for themselves) do not turn into
 * {@code --version}. A flag on the command line wins; a variable set to the empty string is an
 * invalid value. The environment is injected so tests need not change the process's own.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  static final String PREFIX = "AGENT_WORKFLOW_EXPORTER_";

  private final Map<String, String> environment;

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The environment itself, for the defaults that depend on more than one variable (the state folder). */
  Map<String, String> environment() {
    return environment;
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
    if (argSpec instanceof OptionSpec option && option.longestName().startsWith("--")
        && namesItsVariable(option)) {
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

  /** The help as written: {@code description()} would expand {@code ${DEFAULT-VALUE}}, asking this provider again. */
  private static boolean namesItsVariable(OptionSpec option) {
    return String.join(" ", option.toBuilder().description()).contains(variableFor(option.longestName()));
  }
}
