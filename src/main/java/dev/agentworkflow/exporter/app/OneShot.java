package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.Poller;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;

/**
 * One poll, rendered as the text format: for jobs with no time for a daemon ({@code --once}) and
 * for node_exporter's textfile collector ({@code --textfile}).
 */
public final class OneShot {
  private OneShot() {}

  /** The poll and its exposition; the text is meaningful only when the poll read the database. */
  public record Output(PollResult poll, String text) {}

  public static Output run(ExporterSettings settings, Clock clock) {
    PollResult poll;
    try (Poller poller = Exporter.newPoller(settings, clock)) {
      poll = poller.poll();
    }
    CollectorRegistry registry = new CollectorRegistry();
    registry.register(new WorkflowCollector(() -> poll, settings.version(), settings.databasePath().toString()));
    StringWriter text = new StringWriter();
    try {
      TextFormat.write004(text, registry.metricFamilySamples());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return new Output(poll, text.toString());
  }

  /**
   * Replaces {@code target} atomically: the text goes to a hidden temporary file in the same
   * folder (which the textfile collector, reading {@code *.prom}, ignores), then is renamed over
   * the target, so a reader sees the old file or the new one, never half of one.
   */
  public static void writeAtomically(Path target, String text) throws IOException {
    Path folder = target.toAbsolutePath().getParent();
    Path temporary = folder.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.writeString(temporary, text);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
