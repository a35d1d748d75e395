package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.QueryRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one run of a query metric into its series. Labels follow the built-in rules: NULL or empty
 * reads {@code unknown}; past the first {@code --max-label-values} distinct values of a label (in
 * the result's order), or longer than 256 characters, a value reads {@code other}, and rows that
 * then share their labels are added up. A row whose value is not a number is left out.
 */
public final class QuerySeries {
  private QuerySeries() {}

  public static CustomFamily of(String name, String help, boolean counter, List<String> labelNames,
      List<QueryRow> rows, int maxLabelValues) {
    LabelValues admitted = new LabelValues(maxLabelValues, labelNames.toArray(new String[0]));
    Map<List<String>, Double> sums = new HashMap<>();
    for (QueryRow row : rows) {
      if (!Double.isFinite(row.value())) {
        continue;
      }
      List<String> key = new ArrayList<>(labelNames.size());
      for (int i = 0; i < labelNames.size(); i++) {
        key.add(admitted.of(labelNames.get(i), CountingRules.label(row.labels().get(i))));
      }
      sums.merge(List.copyOf(key), row.value(), Double::sum);
    }
    Map<List<String>, Double> sorted = new TreeMap<>(LabelOrder.BY_VALUES);
    sorted.putAll(sums);
    List<CustomFamily.ValueSeries> series = new ArrayList<>();
    sorted.forEach((labels, value) -> series.add(new CustomFamily.ValueSeries(labels, value)));
    return new CustomFamily(name, help, counter ? CustomFamily.Kind.COUNTER : CustomFamily.Kind.GAUGE, labelNames,
        series, List.of());
  }
}
