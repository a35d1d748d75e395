package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.custom.CustomMetricsFile;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.Poller;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Issue 18's target: steady polls of one file with the example configuration
 * (config/custom-metrics.example.yml) loaded, against the same polls without it, in turns in one
 * run: before each pair the hooks change that many rows, and both pollers read the same change (the
 * order of the two alternates, so neither always meets a cold cache). Query metrics run on their
 * own thread, not in the poll; their runs are reported apart.
 */
final class CustomMetricsSteps {
  static final Path EXAMPLE = Path.of("config/custom-metrics.example.yml");

  private CustomMetricsSteps() {}

  /**
   * @param withoutLoadSeconds the first load without the configuration
   * @param withLoadSeconds the first load with it (the row metrics read the whole table too)
   * @param without steady polls without it, by rows changed
   * @param with the same polls with it
   * @param queryRuns the query metrics' last runs, on their own thread
   * @param rowReads the row metrics' reads in the last poll with the most rows changed
   */
  record Result(Dataset dataset, double withoutLoadSeconds, double withLoadSeconds, List<Integer> changedRows,
      List<Distribution> without, List<Distribution> with, List<CustomRuns> queryRuns, List<CustomRuns> rowReads) {}

  static Result run(Benchmark.Config config, Dataset dataset, Path file) throws Exception {
    Clock clock = Clock.systemUTC();
    ExporterSettings settings = Benchmark.inProcessSettings(file);
    ExporterSettings withExample = settings.withCustomMetrics(CustomMetricsFile.read(EXAMPLE, Set.of()));
    try (Poller plain = Exporter.newPoller(settings, clock); Poller custom = Exporter.newPoller(withExample, clock);
        SteadyWriter writer = new SteadyWriter(file, dataset, clock)) {
      long started = System.nanoTime();
      check(plain.poll());
      double plainLoad = (System.nanoTime() - started) / 1e9;
      started = System.nanoTime();
      PollResult last = check(custom.poll());
      double customLoad = (System.nanoTime() - started) / 1e9;
      List<Distribution> without = new java.util.ArrayList<>();
      List<Distribution> with = new java.util.ArrayList<>();
      for (int changed : config.changedRows()) {
        for (int i = 0; i < config.warmupPolls(); i++) {
          writer.round(changed);
          check(plain.poll());
          check(custom.poll());
        }
        double[] plainMillis = new double[config.polls()];
        double[] customMillis = new double[config.polls()];
        for (int i = 0; i < config.polls(); i++) {
          writer.round(changed);
          boolean plainFirst = i % 2 == 0;
          if (plainFirst) {
            plainMillis[i] = timed(plain);
            long t = System.nanoTime();
            last = check(custom.poll());
            customMillis[i] = (System.nanoTime() - t) / 1e6;
          } else {
            long t = System.nanoTime();
            last = check(custom.poll());
            customMillis[i] = (System.nanoTime() - t) / 1e6;
            plainMillis[i] = timed(plain);
          }
        }
        without.add(Distribution.of(plainMillis));
        with.add(Distribution.of(customMillis));
      }
      List<CustomRuns> rowReads = last.custom().runs().stream()
          .filter(r -> withExample.customMetrics().rows().stream().anyMatch(q -> q.name().equals(r.metric())))
          .toList();
      last = check(custom.poll());
      List<CustomRuns> queries = last.custom().runs().stream()
          .filter(r -> withExample.customMetrics().queries().stream().anyMatch(q -> q.name().equals(r.metric())))
          .toList();
      return new Result(dataset, plainLoad, customLoad, config.changedRows(), without, with, queries, rowReads);
    }
  }

  private static double timed(Poller poller) {
    long t = System.nanoTime();
    check(poller.poll());
    return (System.nanoTime() - t) / 1e6;
  }

  private static PollResult check(PollResult result) {
    if (!result.database().up()) {
      throw new IllegalStateException("a poll failed: " + result.database().problem().orElse(""));
    }
    for (CustomRuns runs : result.custom().runs()) {
      if (runs.errors() > 0) {
        throw new IllegalStateException("a user-defined metric failed: " + runs);
      }
    }
    return result;
  }

  /** The result as a Markdown table, with the target's ratio on each row. */
  static String markdown(Result result) {
    StringBuilder out = new StringBuilder();
    out.append("#### User-defined metrics (issue 18): ").append(result.dataset().name())
        .append(", the example configuration\n\n");
    out.append("First load: %.1f s without, %.1f s with it (its row metrics read the whole table as well).%n%n"
        .formatted(result.withoutLoadSeconds(), result.withLoadSeconds()));
    out.append("| rows changed | poll without: median / p90 | with: median / p90 | ratio of medians (≤ 1.5) |\n");
    out.append("| ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < result.changedRows().size(); i++) {
      Distribution a = result.without().get(i);
      Distribution b = result.with().get(i);
      out.append("| %,d | %.2f / %.2f ms | %.2f / %.2f ms | %.2f× |%n".formatted(result.changedRows().get(i),
          a.median(), a.percentile(90), b.median(), b.percentile(90), b.median() / a.median()));
    }
    out.append("\nRow metrics' reads in the last poll (%,d rows changed), one statement for the metrics of a table: "
        .formatted(result.changedRows().get(result.changedRows().size() - 1)));
    out.append(String.join("; ", result.rowReads().stream()
        .map(r -> "%s %.2f ms".formatted(r.metric(), r.lastRunSeconds() * 1000)).toList()));
    out.append(".\n\nQuery metrics, on their own thread (not in the polls above): ");
    out.append(String.join("; ", result.queryRuns().stream()
        .map(r -> "%s %.1f ms".formatted(r.metric(), r.lastRunSeconds() * 1000)).toList()));
    out.append(".\n");
    return out.toString();
  }
}
