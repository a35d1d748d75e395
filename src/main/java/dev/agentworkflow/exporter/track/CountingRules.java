package dev.agentworkflow.exporter.track;

import java.util.Locale;
import java.util.Set;

/** How a column value becomes a decision or a label, per the database contract. */
final class CountingRules {
  static final String UNKNOWN = "unknown";

  private static final Set<String> UNFINISHED = Set.of("", "started", "running", "pending", "in_progress");
  private static final Set<String> ERRORS = Set.of("failed", "error", "timeout");
  private static final Set<String> SUCCESSES = Set.of("completed", "success", "succeeded");

  private CountingRules() {}

  /** A row is an invocation when it names a real agent; subagent_stop rows and 'unknown' are not. */
  static boolean isInvocation(String agentName) {
    return agentName != null && !agentName.isEmpty() && !agentName.equals(UNKNOWN);
  }

  static boolean isFinished(boolean endTimeSet, String status) {
    return endTimeSet || (status != null && !UNFINISHED.contains(lower(status)));
  }

  static boolean isError(String status) {
    return status != null && ERRORS.contains(lower(status));
  }

  static boolean isSuccess(String status) {
    return status != null && SUCCESSES.contains(lower(status));
  }

  static boolean isActiveSession(boolean endTimeSet, String status) {
    return !endTimeSet || (status != null && lower(status).equals("active"));
  }

  /** Label values are kept as written; only NULL and empty become {@code unknown}. */
  static String label(String value) {
    return value == null || value.isEmpty() ? UNKNOWN : value;
  }

  /** Known duration: the column when it is not NULL (NaN), else end minus start; never negative or infinite. */
  static double duration(double durationColumn, double start, double end) {
    double d = Double.isNaN(durationColumn) ? end - start : durationColumn;
    return d >= 0 && Double.isFinite(d) ? d : Double.NaN;
  }

  /**
   * A number an agent reported ({@code totalToolUseCount}, {@code totalTokens}), already known to
   * be a JSON number or NaN: observed only when finite and not negative, else NaN (no observation).
   */
  static double reported(double value) {
    return value >= 0 && Double.isFinite(value) ? value : Double.NaN;
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
