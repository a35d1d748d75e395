package dev.agentworkflow.exporter.support;

import java.util.List;

/**
 * The exporter's log lines as tests read them: logfmt with promslog's keys,
 * {@code time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg="…"}.
 */
public final class LogLines {
  /** {@code time=…}: slog's text time, to the millisecond, with the offset ({@code Z} in UTC). */
  public static final String TIME = "time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(?:Z|[+-]\\d\\d:\\d\\d)";

  /** A regex of any line: any level and source, the message quoted or bare, maybe more keys after it. */
  public static final String ANY = TIME + " level=(?:DEBUG|INFO|WARN|ERROR) source=\\w+\\.java:\\d+ "
      + "msg=(?:\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"=]+)(?: \\w+=(?:\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"=]+))*";

  private LogLines() {}

  /**
   * A regex of one whole line.
   *
   * @param level {@code INFO}, {@code WARN}, … (or a regex of them)
   * @param className the simple name of the class that logged it (its source file)
   * @param message a regex of the message as written between the quotes
   */
  public static String line(String level, String className, String message) {
    return TIME + " level=" + level + " source=" + className + "\\.java:\\d+ msg=\"" + message + "\"";
  }

  /** A regex of the part of a line after the time: to find a line in a log. */
  public static String event(String level, String className, String message) {
    return "level=" + level + " source=" + className + "\\.java:\\d+ msg=\"" + message + "\"";
  }

  /** The lines at level WARN or ERROR. */
  public static List<String> problems(String log) {
    return log.lines().filter(l -> l.contains(" level=WARN ") || l.contains(" level=ERROR ")).toList();
  }

  /** Whether the log holds a stack trace: logged with an exception, or printed by the JVM. */
  public static boolean hasStackTrace(String log) {
    return log.contains(" stacktrace=") || log.contains("\tat ");
  }
}
