package dev.agentworkflow.exporter.log;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.NOPLogger;

/**
 * The loggers of this process, and the one level and format they all write with. Each event is
 * formatted whole and printed with one {@code println} on the standard error stream of the moment
 * (tests may replace it), so lines of different threads never interleave.
 *
 * <pre>{@code
 * LineLoggers.configure(LogLevel.DEBUG, LogFormat.JSON); // what --log.level and --log.format set
 * }</pre>
 */
public final class LineLoggers implements ILoggerFactory {
  /**
   * sqlite-jdbc unpacks its native library into the temporary folder and deletes copies left by
   * earlier JVMs; when two processes start at once, one may delete a copy the other was deleting, and
   * the loser logs that harmless race as an ERROR with a stack trace (xerial/sqlite-jdbc issues #269,
   * #1088). A real failure to load SQLite still shows: the poll fails and says why.
   */
  private static final Set<String> SILENCED = Set.of("org.sqlite.SQLiteJDBCLoader");

  /** Frames of the logging machinery (ours, SLF4J's, sqlite-jdbc's facade), skipped to find where an event was logged. */
  private static final List<String> MACHINERY = List.of(
      LineLogger.class.getName(), LineLoggers.class.getName(), "org.slf4j.", "org.sqlite.util.");

  private static final StackWalker STACK = StackWalker.getInstance();

  private record Settings(LogLevel level, LogFormat format) {}

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Supplier<PrintStream> out;
  private volatile Settings settings = new Settings(LogLevel.INFO, LogFormat.LOGFMT);

  /**
   * @param clock the time of each line, in the clock's zone (the system's: promslog writes local time)
   * @param out where lines go, asked at each line
   */
  LineLoggers(Clock clock, Supplier<PrintStream> out) {
    this.clock = clock;
    this.out = out;
  }

  /**
   * Sets the level and format of every logger of this process, before or after it was made. Does
   * nothing when SLF4J was bound to another provider (then that one's configuration applies).
   */
  public static void configure(LogLevel level, LogFormat format) {
    if (LoggerFactory.getILoggerFactory() instanceof LineLoggers loggers) {
      loggers.set(level, format);
    }
  }

  void set(LogLevel level, LogFormat format) {
    settings = new Settings(level, format);
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> SILENCED.contains(n) ? NOPLogger.NOP_LOGGER : new LineLogger(n, this));
  }

  boolean prints(Level level) {
    return settings.level().prints(level);
  }

  /** Writes one line, if the level in force prints it. */
  void write(Level level, String message, List<LogEvent.Attribute> attributes, Throwable thrown) {
    Settings now = settings;
    if (!now.level().prints(level)) {
      return;
    }
    List<LogEvent.Attribute> all = attributes;
    if (thrown != null) {
      all = new ArrayList<>(attributes);
      all.add(new LogEvent.Attribute("err", thrown.toString()));
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      all.add(new LogEvent.Attribute("stacktrace", trace.toString().stripTrailing()));
    }
    LogEvent event = new LogEvent(clock.instant(), level, source(), message, all);
    out.get().println(now.format().line(event, clock.getZone()));
  }

  /** {@code Poller.java:120}: the first frame outside the logging machinery. */
  private static String source() {
    return STACK.walk(frames -> frames
        .filter(frame -> MACHINERY.stream().noneMatch(frame.getClassName()::startsWith))
        .findFirst()
        .map(frame -> frame.getFileName() != null
            ? frame.getFileName() + ":" + frame.getLineNumber()
            : frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1))
        .orElse("unknown"));
  }
}
