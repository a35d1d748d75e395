package dev.agentworkflow.exporter.monitoring;

import dev.agentworkflow.exporter.support.Binaries;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes taken at times of the caller's choosing, turned into what Prometheus would have stored:
 * one OpenMetrics file with every sample at its scrape's time and the target's {@code job} and
 * {@code instance} labels, made into TSDB blocks by {@code promtool tsdb create-blocks-from
 * openmetrics}. OpenMetrics wants each metric family in one piece, so the samples are kept per
 * family (in a file each) and joined at the end; each series' samples stay in time order.
 */
final class OpenMetricsBackfill implements AutoCloseable {
  private final Path folder;
  private final String targetLabels;
  /** Per family name: its metadata lines (from the scrape it first appeared in), then its samples. */
  private final Map<String, Family> families = new LinkedHashMap<>();
  private long scrapes;
  private long samples;

  private static final class Family {
    final long firstScrape;
    final StringBuilder metadata = new StringBuilder();
    final Path samples;
    final Writer out;

    Family(long firstScrape, Path samples) throws IOException {
      this.firstScrape = firstScrape;
      this.samples = samples;
      this.out = Files.newBufferedWriter(samples, StandardCharsets.UTF_8);
    }
  }

  OpenMetricsBackfill(Path folder, String job, String instance) throws IOException {
    this.folder = Files.createDirectories(folder);
    this.targetLabels = "job=\"" + job + "\",instance=\"" + instance + "\"";
  }

  /** Takes in one scrape's OpenMetrics exposition, taken at {@code at}. */
  void add(Instant at, String exposition) throws IOException {
    String timestamp = " " + at.getEpochSecond() + (at.getNano() == 0 ? "" : String.format(".%09d", at.getNano()));
    long scrape = scrapes++;
    Family family = null;
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.equals("# EOF")) {
        continue;
      }
      if (line.startsWith("# ")) { // # HELP, # TYPE or # UNIT, then the family's name
        String name = line.split(" ", 4)[2];
        family = families.get(name);
        if (family == null) {
          family = new Family(scrape, folder.resolve("family-" + families.size() + ".txt"));
          families.put(name, family);
        }
        if (family.firstScrape == scrape) {
          family.metadata.append(line).append('\n');
        }
        continue;
      }
      if (family == null) {
        throw new IllegalArgumentException("a sample before its family's metadata: " + line);
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String labelled = brace >= 0 && brace < space
          ? line.substring(0, brace + 1) + targetLabels + (line.charAt(brace + 1) == '}' ? "" : ",")
              + line.substring(brace + 1)
          : line.substring(0, space) + "{" + targetLabels + "}" + line.substring(space);
      family.out.write(labelled);
      family.out.write(timestamp);
      family.out.write('\n');
      samples++;
    }
  }

  long samples() {
    return samples;
  }

  /**
   * Writes the OpenMetrics file and makes it into blocks in {@code dataFolder} (a Prometheus
   * {@code --storage.tsdb.path}). Returns the file's size in bytes.
   */
  long createBlocks(Path dataFolder) throws IOException, InterruptedException {
    Path input = folder.resolve("backfill.om.txt");
    try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      for (Family family : families.values()) {
        family.out.close();
        out.write(family.metadata.toString());
        try (var lines = Files.newBufferedReader(family.samples, StandardCharsets.UTF_8)) {
          lines.transferTo(out);
        }
        Files.delete(family.samples);
      }
      out.write("# EOF\n");
    }
    families.clear();
    Files.createDirectories(dataFolder);
    Path log = folder.resolve("promtool.log");
    // promtool reads the whole file once per block: 18-hour blocks instead of 2-hour ones take two or three passes
    Process promtool = new ProcessBuilder(Binaries.require("promtool"), "tsdb", "create-blocks-from", "openmetrics",
        "--max-block-duration=24h", "--quiet", input.toString(), dataFolder.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!promtool.waitFor(5, TimeUnit.MINUTES)) {
      promtool.destroyForcibly();
      throw new AssertionError("promtool took more than 5 minutes");
    }
    if (promtool.exitValue() != 0) {
      throw new AssertionError("promtool failed: " + Files.readString(log));
    }
    long size = Files.size(input);
    Files.delete(input);
    return size;
  }

  @Override
  public void close() throws IOException {
    List<IOException> failures = new ArrayList<>();
    for (Family family : families.values()) {
      try {
        family.out.close();
      } catch (IOException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }
}
