package dev.agentworkflow.exporter.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, the same string that build_info and the landing page show. */
final class ManifestVersion implements IVersionProvider {
  static String version() {
    String v = ManifestVersion.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"agent-workflow-exporter " + version()};
  }
}
