package dev.agentworkflow.exporter.track;

import java.util.Comparator;
import java.util.List;

/** Series sorted by their label values, first label first: the order a scrape shows them in. */
final class LabelOrder {
  static final Comparator<List<String>> BY_VALUES = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };

  private LabelOrder() {}
}
