package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.db.DatabaseFile;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.project.WorkflowPolling;
import dev.agentworkflow.exporter.poll.Poller;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * One poll, rendered as the text format: for jobs with no time for a daemon ({@code --once}) and
 * for node_exporter's textfile collector ({@code --textfile}). The workflow's metrics only: the
 * {@code process_*} and {@code jvm_*} of a process that is about to exit mean nothing, and in a
 * textfile they would clash with node_exporter's own {@code process_*}.
 */
public final class OneShot {
  private OneShot() {}

  /**
   * The exposition of one poll of each database. {@code problem} says, in one line, why a database
   * was not read ({@code null} when every one was). With one database the text is then meaningless
   * and empty; with several it holds every database's series, those not read with
   * {@code agent_workflow_database_up 0}.
   */
  public record Output(String problem, String text) {
    public boolean databaseRead() {
      return problem == null;
    }

    /** Whether the text is worth writing: every database was read, or several were polled. */
    public boolean hasText() {
      return !text.isEmpty();
    }
  }

  public static Output run(ExporterSettings settings, Clock clock) {
    if (!settings.databases().labelled()) {
      return runOne(settings, clock);
    }
    PublishedPolls polls;
    WorkflowPolling polling = Exporter.newPolling(settings, settings::customMetrics, clock);
    try {
      polling.open(); // logs each clash, as a running exporter does
      polls = polling.pollAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Output("interrupted", "");
    } finally {
      polling.close(); // each poller writes its state
    }
    List<String> problems = new ArrayList<>();
    for (ProjectPoll project : polls.projects()) {
      if (!project.poll().database().up()) {
        problems.add(project.project() + ": " + project.poll().database().problem().orElse(null));
      }
    }
    String problem = null;
    if (polls.projects().isEmpty()) {
      problem = settings.databases().store().isPresent()
          ? "the store " + settings.databases().store().get().shown() + " lists no project: nothing was shipped to "
              + "it yet, or it could not be read (see the log)"
          : "no database to read: --db-glob found none";
    } else if (!problems.isEmpty()) {
      problem = problems.size() + " of " + polls.projects().size() + " databases not read: "
          + String.join("; ", problems);
    }
    return new Output(problem, render(polls, settings));
  }

  private static Output runOne(ExporterSettings settings, Clock clock) {
    // Checked before a poller exists: it would say it waits for the file to appear, and look for
    // a state file, for a run that ends here.
    if (missing(settings.databasePath())) {
      return new Output("the database file " + settings.databasePath() + " does not exist", "");
    }
    PollResult poll;
    try (Poller poller = Exporter.newPoller(settings, clock)) {
      poll = poller.poll();
    }
    PublishedPolls polls = PublishedPolls.one(settings.databasePath().toString(), poll);
    return poll.database().up() ? new Output(null, render(polls, settings))
        : new Output(poll.database().problem().orElse(null), "");
  }

  private static String render(PublishedPolls polls, ExporterSettings settings) {
    CollectorRegistry registry = new CollectorRegistry();
    registry.register(new WorkflowCollector(() -> polls, settings.build()));
    StringWriter text = new StringWriter();
    try {
      TextFormat.write004(text, registry.metricFamilySamples());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return text.toString();
  }

  private static boolean missing(Path database) {
    try {
      return DatabaseFile.inspect(database).kind() == DatabaseFile.Kind.MISSING;
    } catch (IOException e) {
      return false; // the poll says what is wrong
    }
  }

  /**
   * Replaces {@code target} atomically: the text goes to a hidden temporary file in the same
   * folder (which the textfile collector, reading {@code *.prom}, ignores), then is renamed over
   * the target, so a reader sees the old file or the new one, never half of one. The temporary file
   * has a random name and is created exclusively ({@code O_EXCL}): a file or link planted at that name
   * is neither followed nor overwritten. A target that is not a regular file is refused, also when
   * it became one after the command line was checked ({@link TextfileTarget}).
   */
  public static void writeAtomically(Path target, String text) throws IOException {
    writeAtomically(target, text, () -> Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
  }

  static void writeAtomically(Path target, String text, Supplier<String> randomNames) throws IOException {
    Path folder = target.toAbsolutePath().getParent();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int attempt = 1; ; attempt++) {
      Path temporary = folder.resolve("." + target.getFileName() + "." + randomNames.get() + ".tmp");
      OutputStream out;
      try {
        out = Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException taken) {
        if (attempt == 10) {
          throw taken;
        }
        continue;
      }
      try {
        try (out) {
          out.write(bytes);
        }
        Optional<String> problem = TextfileTarget.problem(target);
        if (problem.isPresent()) {
          throw new IOException(problem.get());
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return;
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(temporary);
        throw e;
      }
    }
  }
}
