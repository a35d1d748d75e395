package dev.agentworkflow.exporter.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.Predicate;
import java.util.List;

/**
 * A collector whose families are made from one immutable snapshot: the polls published, a
 * configuration's status, the server's counters. The HTTP server keeps what it rendered until one of
 * its collectors' snapshots is another object, and renders the very snapshots it compared; so a
 * collector cannot be served stale by being forgotten in a list of what to watch, as an untyped list
 * of inputs next to a registry could let happen.
 *
 * @param <S> the snapshot: immutable, and a new object whenever the families would differ
 */
public abstract class SnapshotCollector<S> extends Collector {
  /** The state the families are made from, as of now. */
  public abstract S snapshot();

  /**
   * The families of {@code snapshot}; with a filter ({@code ?name[]=}), at least those with a
   * sample it takes (null: every family).
   */
  public abstract List<MetricFamilySamples> families(S snapshot, Predicate<String> sampleNameFilter);

  /** A snapshot taken now, with what renders it. */
  public final Taken<S> take() {
    return new Taken<>(this, snapshot());
  }

  @Override
  public final List<MetricFamilySamples> collect() {
    return families(snapshot(), null);
  }

  @Override
  public final List<MetricFamilySamples> collect(Predicate<String> sampleNameFilter) {
    return families(snapshot(), sampleNameFilter);
  }

  /** A snapshot and its collector: renders that snapshot, whatever the collector's is by then. */
  public record Taken<S>(SnapshotCollector<S> collector, S snapshot) {
    public List<MetricFamilySamples> families(Predicate<String> sampleNameFilter) {
      return collector.families(snapshot, sampleNameFilter);
    }
  }
}
