package dev.agentworkflow.exporter.model;

/**
 * What this exporter is, as {@code --version} and {@code agent_workflow_exporter_build_info} say
 * it; {@code unknown} where the build could not tell (a source tree without {@code .git}).
 *
 * @param version the project's version, e.g. {@code 0.1.0}
 * @param revision the git commit it was built from, in full
 * @param branch the git branch it was built on
 * @param buildUser the account that built it
 * @param buildDate when, in UTC, as official exporters write it: {@code 20261130-04:50:53}
 * @param javaVersion the Java runtime it runs on, e.g. {@code 17.0.15} (official exporters: {@code goversion})
 * @param platform operating system and architecture as Go names them, e.g. {@code linux/amd64}
 */
public record BuildInfo(String version, String revision, String branch, String buildUser, String buildDate,
    String javaVersion, String platform) {}
