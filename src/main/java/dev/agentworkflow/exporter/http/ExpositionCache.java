package dev.agentworkflow.exporter.http;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.function.Supplier;

/**
 * The exposition, kept as the bytes of each answer. Two parts make it:
 *
 * <ul>
 *   <li>the polled part (the workflow's families, the exporter's own status), rendered once per
 *       change of what it shows: a poll publishing (every --interval seconds) or a status changing.
 *       Between two, every scrape is the same bytes, so concurrent scrapers share one rendering
 *       instead of each rendering thousands of series; it is gzipped once, on first demand;
 *   <li>the live part ({@code process_*}, {@code jvm_*}), collected again when older than its
 *       maximum age (a second) and appended: a few KB, gzipped as a second deflate stream after the
 *       kept one ({@link GzipJoin}), so no scrape compresses the whole exposition again.
 * </ul>
 *
 * Whole answers are kept until either part changes, so scrapes back to back write bytes they
 * already have. A scrape that asks for some families by name ({@code ?name[]=}) renders only those,
 * and the same question asked again is answered from here.
 */
final class ExpositionCache {
  private static final int QUESTIONS_KEPT = 34;
  private static final int ANSWERS_KEPT = 8;
  private static final byte[] OPENMETRICS_END = "# EOF\n".getBytes(StandardCharsets.UTF_8);

  /** A question's polled part, without OpenMetrics' closing {@code # EOF}; gzipped on first demand. */
  private static final class Polled {
    private final byte[] plain;
    private GzipJoin.Start gzipped;

    private Polled(byte[] plain) {
      this.plain = plain;
    }

    GzipJoin.Start gzipped() {
      if (gzipped == null) {
        gzipped = GzipJoin.start(plain);
      }
      return gzipped;
    }
  }

  private final CollectorRegistry registry;
  private final Supplier<List<Object>> inputs;
  private final CollectorRegistry live;
  private final long liveMaxAgeNanos;
  private final LongSupplier nanoTime;
  private List<Object> renderedFrom = List.of();
  private List<MetricFamilySamples> families;
  private List<MetricFamilySamples> liveFamilies;
  private long liveCollectedAt;
  private final Map<String, Polled> polled = recent(QUESTIONS_KEPT);
  private final Map<String, byte[]> answers = recent(ANSWERS_KEPT);

  /**
   * @param registry the polled part: rendered once per change of {@code inputs}
   * @param inputs the objects the polled part is made from; a new object in any place (compared by
   *     identity: they are immutable snapshots) means it must be rendered again
   * @param live the live part, collected again when older than {@code liveMaxAge}; its family names
   *     differ from the registry's
   * @param nanoTime {@link System#nanoTime}, or a test's
   */
  ExpositionCache(CollectorRegistry registry, Supplier<List<Object>> inputs, CollectorRegistry live,
      Duration liveMaxAge, LongSupplier nanoTime) {
    this.registry = registry;
    this.inputs = inputs;
    this.live = live;
    this.liveMaxAgeNanos = liveMaxAge.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The body of an answer in this format, all of it or only the samples named, plain or gzipped. */
  synchronized byte[] body(String contentType, Set<String> names, boolean gzip) {
    List<Object> now = inputs.get();
    if (families == null || !sameObjects(now, renderedFrom)) {
      renderedFrom = now;
      families = Collections.list(registry.metricFamilySamples());
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
    return answers.computeIfAbsent(question + '\0' + gzip, key -> answer(contentType, names, question, gzip));
  }

  private byte[] answer(String contentType, Set<String> names, String question, boolean gzip) {
    Polled kept = polled.computeIfAbsent(question,
        q -> new Polled(withoutEnd(render(contentType, only(names, families), 64 * 1024))));
    byte[] fresh = render(contentType, only(names, liveFamilies), 16 * 1024); // it ends the answer: any # EOF stays
    if (gzip) {
      return GzipJoin.join(kept.gzipped(), fresh);
    }
    byte[] body = Arrays.copyOf(kept.plain, kept.plain.length + fresh.length);
    System.arraycopy(fresh, 0, body, kept.plain.length, fresh.length);
    return body;
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
      MetricFamilySamples some = family.filter(names::contains);
      if (some != null) {
        kept.add(some);
      }
    }
    return kept;
  }

  private static byte[] render(String contentType, List<MetricFamilySamples> families, int expectedBytes) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(expectedBytes);
    try (Writer writer = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
      TextFormat.writeFormat(contentType, writer, Collections.enumeration(families));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: in memory", e);
    }
    return body.toByteArray();
  }

  /** OpenMetrics ends with {@code # EOF}: the polled part leaves it to the live part after it. */
  private static byte[] withoutEnd(byte[] rendered) {
    int end = rendered.length - OPENMETRICS_END.length;
    return end >= 0 && Arrays.equals(rendered, end, rendered.length, OPENMETRICS_END, 0, OPENMETRICS_END.length)
        ? Arrays.copyOf(rendered, end) : rendered;
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

  private static boolean sameObjects(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
