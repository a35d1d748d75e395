package dev.agentworkflow.exporter.model;

import java.util.List;

/**
 * One user-defined metric family as a scrape renders it.
 *
 * @param name the family's name as configured (a counter's with {@code _total})
 * @param help its help text
 * @param kind counter, gauge or histogram
 * @param labelNames its labels, in the configured order
 * @param values the series of a counter or gauge, sorted by label values
 * @param histograms the series of a histogram, sorted by label values
 */
public record CustomFamily(String name, String help, Kind kind, List<String> labelNames, List<ValueSeries> values,
    List<HistogramSeries> histograms) {

  public CustomFamily {
    labelNames = List.copyOf(labelNames);
    values = List.copyOf(values);
    histograms = List.copyOf(histograms);
  }

  public enum Kind { COUNTER, GAUGE, HISTOGRAM }

  public record ValueSeries(List<String> labelValues, double value) {
    public ValueSeries {
      labelValues = List.copyOf(labelValues);
    }
  }

  public record HistogramSeries(List<String> labelValues, HistogramSnapshot histogram) {
    public HistogramSeries {
      labelValues = List.copyOf(labelValues);
    }
  }
}
