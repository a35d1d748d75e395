package dev.agentworkflow.exporter.model;

/**
 * One row of {@code agent_invocations}, as far as the metrics need it.
 *
 * <p>Text columns are as written ({@code null} when NULL), cut to a bounded length where they are
 * longer than any value they may meaningfully hold. Times are epoch seconds, {@code NaN} when
 * NULL or unparseable; {@code endTimeSet} is true whenever the column is non-NULL, even when its
 * text could not be parsed, because a set end time is what finishes an invocation.
 * {@code durationSeconds} is {@code NaN} when the column is NULL and negative infinity when it
 * holds something that is not a number: both mean "not given", but only NULL lets end minus start
 * stand in. {@code identity} is a hash of the columns the hooks never change after an agent's row
 * is inserted ({@code session_id}, {@code agent_name}, {@code phase}, {@code start_time}): it
 * recognises an invocation if its id changes (a rebuilt table). {@code reportedToolUses} and
 * {@code reportedContextTokens} are {@code totalToolUseCount} and {@code totalTokens} of the
 * agent's response ({@code raw_output}) when it is a JSON object whose field is a JSON number,
 * else {@code NaN}.
 */
public record InvocationRow(
    long rowId,
    String sessionId,
    String phase,
    String agentName,
    String model,
    String status,
    double startEpochSeconds,
    double endEpochSeconds,
    boolean endTimeSet,
    double durationSeconds,
    long identity,
    double reportedToolUses,
    double reportedContextTokens) {}
