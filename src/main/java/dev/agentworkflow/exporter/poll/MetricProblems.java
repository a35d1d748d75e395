package dev.agentworkflow.exporter.poll;

import java.nio.file.Path;
import dev.agentworkflow.exporter.db.ReadFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What went wrong with each user-defined metric of one database, logged once per kind of failure
 * however many runs it lasts, and once when the metric reads again. Used from the polling thread
 * and the query thread.
 */
final class MetricProblems {
  private static final Logger log = LoggerFactory.getLogger(MetricProblems.class);

  private final Path path;
  private final Map<String, String> kinds = new ConcurrentHashMap<>();

  MetricProblems(Path path) {
    this.path = path;
  }

  void failed(String metric, ReadFailure e) {
    if (!e.kind().equals(kinds.put(metric, e.kind()))) {
      log.warn("metric {} of {}: {}", metric, path, e.getMessage());
    }
  }

  /** A failure that is a bug of ours, with its trace. */
  void bug(String metric, RuntimeException e) {
    if (!"bug".equals(kinds.put(metric, "bug"))) {
      log.error("metric {} of {}: the run failed", metric, path, e);
    }
  }

  void recovered(String metric) {
    if (kinds.remove(metric) != null) {
      log.info("metric {} of {} reads again", metric, path);
    }
  }

  /** Said once per metric, whatever else happens to it. */
  void warnOnce(String metric, String what) {
    if (kinds.putIfAbsent(metric + "\0" + what, what) == null) {
      log.warn("metric {} of {}: {}", metric, path, what);
    }
  }
}
