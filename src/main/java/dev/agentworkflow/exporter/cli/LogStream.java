package dev.agentworkflow.exporter.cli;

import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Standard error with each printed line kept to one line ({@link OneLine#escape}): slf4j-simple
 * prints an event with one {@code println}, and a stack trace with one per line, so a database path
 * or a configuration value inside a log message cannot forge another line. Installed by
 * {@link Main}; lines printed another way (picocli's writer) escape their text themselves.
 */
final class LogStream extends PrintStream {
  LogStream(PrintStream err) {
    super(err, true, Charset.defaultCharset());
  }

  @Override
  public void println(String line) {
    super.println(line == null ? null : OneLine.escape(line));
  }

  @Override
  public void println(Object line) {
    println(String.valueOf(line));
  }
}
