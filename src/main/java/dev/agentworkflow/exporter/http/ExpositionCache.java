package dev.agentworkflow.exporter.http;

import dev.agentworkflow.exporter.metrics.SnapshotCollector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The exposition, kept as the bytes of each answer. Two parts make it:
 *
 * <ul>
 *   <li>the polled part (the workflow's families, the exporter's own status), rendered once per
 *       question (all families, or some by name) and change of what it shows: a poll publishing
 *       (every --interval seconds) or a status changing. Between two, every scrape is the same
 *       bytes, so concurrent scrapers share one rendering instead of each rendering thousands of
 *       series. It is kept deflated only, written so as it is rendered: 50 databases are 30 MB of
 *       text, 1.3 MB deflated; nothing else of it is kept (the families are collected again for a
 *       new question), so a 64 MB heap serves them;
 *   <li>the live part ({@code process_*}, {@code jvm_*}), collected again when older than its
 *       maximum age (a second) and appended: a few KB, gzipped as a second deflate stream after the
 *       kept one ({@link GzipJoin}), so no scrape compresses the whole exposition again.
 * </ul>
 *
 * Whole answers up to 4 MB are kept until either part changes, so scrapes back to back write bytes
 * they already have; a plain (not gzipped) answer is inflated from the kept part, and refused past
 * an eighth of the heap. A scrape that asks for some families by name ({@code ?name[]=}) renders only those,
 * and the same question asked again is answered from here.
 */
final class ExpositionCache {
  private static final int QUESTIONS_KEPT = 34;
  private static final int ANSWERS_KEPT = 8;
  private static final byte[] OPENMETRICS_END = "# EOF\n".getBytes(StandardCharsets.UTF_8);

  /**
   * Answers kept whole up to this size: one database's exposition is some 100 KB, and a plain
   * answer for 50 is 30 MB, which the heap must not keep (it is inflated again for each).
   */
  private static final int ANSWER_KEPT_BYTES = 4 * 1024 * 1024;

  private final List<SnapshotCollector<?>> polledCollectors;
  private final CollectorRegistry live;
  private final long liveMaxAgeNanos;
  private final LongSupplier nanoTime;
  private final long plainLimitBytes;
  /** The snapshots the kept answers were rendered from, one per collector in order. */
  private List<SnapshotCollector.Taken<?>> renderedFrom;
  private List<MetricFamilySamples> liveFamilies;
  private long liveCollectedAt;
  private final Map<String, GzipJoin.Start> polled = recent(QUESTIONS_KEPT);
  private final Map<String, byte[]> answers = recent(ANSWERS_KEPT);

  /**
   * @param polled the polled part, rendered again when a collector's snapshot is another object (they
   *     are immutable), from the very snapshots compared
   * @param live the live part, collected again when older than {@code liveMaxAge}; its family names
   *     differ from the registry's
   * @param nanoTime {@link System#nanoTime}, or a test's
   */
  ExpositionCache(List<SnapshotCollector<?>> polled, CollectorRegistry live, Duration liveMaxAge,
      LongSupplier nanoTime) {
    this(polled, live, liveMaxAge, nanoTime, plainLimit(Runtime.getRuntime().maxMemory()));
  }

  /** @param plainLimitBytes the longest plain answer made ({@link #plainLimit} of the heap, or a test's) */
  ExpositionCache(List<SnapshotCollector<?>> polled, CollectorRegistry live, Duration liveMaxAge,
      LongSupplier nanoTime, long plainLimitBytes) {
    this.polledCollectors = List.copyOf(polled);
    this.live = live;
    this.liveMaxAgeNanos = liveMaxAge.toNanos();
    this.nanoTime = nanoTime;
    this.plainLimitBytes = plainLimitBytes;
  }

  /**
   * The longest plain answer: an eighth of the heap (8 MB under the launcher's 64 MB), as it is
   * made whole before it is written. One database's exposition is some 100 KB; fifty are 30 MB,
   * served gzipped (1.3 MB) to every client that takes gzip, as Prometheus does.
   */
  static long plainLimit(long maxHeapBytes) {
    return Math.max(1024 * 1024, maxHeapBytes / 8);
  }

  /** The longest plain answer this cache makes. */
  long plainLimitBytes() {
    return plainLimitBytes;
  }

  /**
   * The body of an answer in this format, all of it or only the samples named, plain or gzipped;
   * null for a plain answer longer than {@link #plainLimitBytes}, which the heap cannot be asked to
   * hold (the kept part is only ever gzipped).
   */
  synchronized byte[] body(String contentType, Set<String> names, boolean gzip) {
    List<SnapshotCollector.Taken<?>> now = polledCollectors.stream().<SnapshotCollector.Taken<?>>map(
        SnapshotCollector::take).toList();
    if (renderedFrom == null || !sameSnapshots(now, renderedFrom)) {
      renderedFrom = now;
      polled.clear();
      answers.clear();
    }
    long time = nanoTime.getAsLong();
    if (liveFamilies == null || time - liveCollectedAt >= liveMaxAgeNanos) {
      liveFamilies = Collections.list(live.metricFamilySamples());
      liveCollectedAt = time;
      answers.clear();
    }
    String question = contentType + '\0' + String.join("\0", new TreeSet<>(names));
    String key = question + '\0' + gzip;
    byte[] kept = answers.get(key);
    if (kept != null) {
      return kept;
    }
    byte[] answer = answer(contentType, names, question, gzip);
    if (answer != null && answer.length <= ANSWER_KEPT_BYTES) {
      answers.put(key, answer);
    }
    return answer;
  }

  private byte[] answer(String contentType, Set<String> names, String question, boolean gzip) {
    // Collected for each question and not kept: simpleclient 0.16 copies a counter's samples into a
    // list of its own, so kept families would hold every counter series of every database
    GzipJoin.Start kept = polled.computeIfAbsent(question, q -> deflated(contentType, only(names, polledFamilies(names))));
    if (!gzip && kept.length() > plainLimitBytes) {
      return null;
    }
    // the live part ends the answer: any # EOF stays
    byte[] fresh = render(contentType, only(names, liveFamilies));
    return gzip ? GzipJoin.join(kept, fresh) : GzipJoin.plain(kept, fresh);
  }

  /** The polled part's families, from the snapshots compared; with names, at least those with a sample named. */
  private List<MetricFamilySamples> polledFamilies(Set<String> names) {
    Predicate<String> filter = names.isEmpty() ? null : names::contains;
    List<MetricFamilySamples> families = new ArrayList<>();
    for (SnapshotCollector.Taken<?> taken : renderedFrom) {
      families.addAll(taken.families(filter));
    }
    return families;
  }

  /**
   * The families with only the samples named, as simpleclient's {@code ?name[]=} filter keeps them;
   * all of them when no name is given.
   */
  private static List<MetricFamilySamples> only(Set<String> names, List<MetricFamilySamples> families) {
    if (names.isEmpty()) {
      return families;
    }
    List<MetricFamilySamples> kept = new ArrayList<>();
    for (MetricFamilySamples family : families) {
      // a family's samples are named after it (name, name_total, name_bucket, ...): one that no name
      // asked for starts with is passed over without making its samples, which for 50 databases
      // means a question for one family costs that family
      if (names.stream().noneMatch(name -> name.startsWith(family.name))) {
        continue;
      }
      MetricFamilySamples some = family.filter(names::contains);
      if (some != null) {
        kept.add(some);
      }
    }
    return kept;
  }


  private static byte[] render(String contentType, List<MetricFamilySamples> families) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    write(contentType, families, body);
    return body.toByteArray();
  }

  /**
   * The polled part, deflated as it is written (never held plain), without OpenMetrics' closing
   * {@code # EOF}, which the live part after it writes.
   */
  private static GzipJoin.Start deflated(String contentType, List<MetricFamilySamples> families) {
    GzipJoin.StartWriter start = new GzipJoin.StartWriter();
    WithoutEnd body = new WithoutEnd(start);
    write(contentType, families, body);
    body.end();
    return start.finish();
  }

  private static void write(String contentType, List<MetricFamilySamples> families, OutputStream out) {
    // buffered: simpleclient writes a sample in many small strings and label values a character
    // at a time, each a trip through the encoder; and without a lock per character (OneThreadWriter)
    try (Writer writer = new OneThreadWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024)) {
      TextFormat.writeFormat(contentType, writer, Collections.enumeration(families));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: in memory", e);
    }
  }

  /** Passes bytes on but the last few, and at the end drops them if they are OpenMetrics' {@code # EOF}. */
  private static final class WithoutEnd extends OutputStream {
    private final OutputStream out;
    private final byte[] held = new byte[OPENMETRICS_END.length];
    private int heldCount;

    WithoutEnd(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
      if (count >= held.length) { // all held bytes and all but the last few of these go on
        out.write(held, 0, heldCount);
        out.write(bytes, offset, count - held.length);
        System.arraycopy(bytes, offset + count - held.length, held, 0, held.length);
        heldCount = held.length;
        return;
      }
      int overflow = heldCount + count - held.length;
      if (overflow > 0) {
        out.write(held, 0, overflow);
        System.arraycopy(held, overflow, held, 0, heldCount - overflow);
        heldCount -= overflow;
      }
      System.arraycopy(bytes, offset, held, heldCount, count);
      heldCount += count;
    }

    @Override
    public void close() {
      // the writer closing it: the end is decided by end()
    }

    void end() {
      if (!(heldCount == held.length && Arrays.equals(held, OPENMETRICS_END))) {
        try {
          out.write(held, 0, heldCount);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot happen: in memory", e);
        }
      }
    }
  }

  /** A map that forgets the entry used least recently past {@code size}. */
  private static <V> Map<String, V> recent(int size) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > size;
      }
    };
  }

  private static boolean sameSnapshots(List<SnapshotCollector.Taken<?>> a, List<SnapshotCollector.Taken<?>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).snapshot() != b.get(i).snapshot()) {
        return false;
      }
    }
    return true;
  }
}
