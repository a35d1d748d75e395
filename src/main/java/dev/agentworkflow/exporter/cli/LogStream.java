package dev.agentworkflow.exporter.cli;

import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Standard error with each printed line kept to one line ({@link OneLine#escape}). Log lines are
 * one line already (the {@code log} package quotes what they hold); this covers whatever else
 * prints on stderr with {@code println} (the JVM's report of an uncaught exception, a library), so
 * that nothing there can forge a log line either. Installed by {@link Main}; lines printed another
 * way (picocli's writer) escape their text themselves.
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
