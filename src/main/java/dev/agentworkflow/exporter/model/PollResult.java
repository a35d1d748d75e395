package dev.agentworkflow.exporter.model;

/**
 * What one poll publishes: the workflow figures plus the exporter's view of its own health.
 *
 * @param workflow the last good figures (kept when a poll fails)
 * @param database whether the last poll read the database, its size, and why not
 * @param history the polls since start: the last one's duration, the failed ones, the last success
 * @param reads the rows and table passes read since start, and the longest lock held
 * @param state the state file: kept or not, read back at start or not, written how often
 * @param custom the user-defined metrics ({@code --metrics-config}) and how their statements ran
 *     ({@link CustomResult#NONE} without them)
 */
public record PollResult(
    WorkflowSnapshot workflow,
    DatabaseStatus database,
    PollHistory history,
    Reads reads,
    StateStatus state,
    CustomResult custom) {}
