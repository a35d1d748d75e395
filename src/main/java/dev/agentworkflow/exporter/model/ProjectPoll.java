package dev.agentworkflow.exporter.model;

/**
 * The latest poll of one database, under the name its series carry.
 *
 * @param project the value of the {@code project} label (unused when the exporter reads one database)
 * @param path the database's path as given or found, for {@code agent_workflow_database_info}
 * @param poll what its last poll published
 */
public record ProjectPoll(String project, String path, PollResult poll) {}
