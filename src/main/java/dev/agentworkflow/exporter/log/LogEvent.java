package dev.agentworkflow.exporter.log;

import java.time.Instant;
import java.util.List;
import org.slf4j.event.Level;

/**
 * What one line says.
 *
 * @param source where it was logged: {@code Poller.java:120}, as promslog's {@code file.go:120}
 * @param message the message with its arguments in place
 * @param attributes more keys after {@code msg}, in order (an exception's {@code err} and {@code stacktrace})
 */
record LogEvent(Instant time, Level level, String source, String message, List<Attribute> attributes) {
  /** The keys every line has; an attribute of the same name is written as {@code logged_<key>}, as promslog does. */
  static final List<String> KEYS = List.of("time", "level", "source", "msg");

  record Attribute(String key, Object value) {
    Attribute {
      key = KEYS.contains(key) ? "logged_" + key : key;
    }
  }
}
