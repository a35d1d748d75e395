package dev.agentworkflow.exporter.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prometheus text format (0.0.4) parsed into series: {@code name{a="x",b="y"}} (labels
 * sorted, no trailing comma) to value, plus the TYPE of each family. Rejects lines it cannot read.
 */
public final class Exposition {
  private final Map<String, Double> series;
  private final Map<String, String> types;

  private Exposition(Map<String, Double> series, Map<String, String> types) {
    this.series = series;
    this.types = types;
  }

  public static Exposition parse(String text) {
    return parse(text, Map.of());
  }

  /** The series with {@code extra} labels added to each: another exporter's series as they read with a label more. */
  public static Exposition parse(String text, Map<String, String> extra) {
    Map<String, Double> series = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("# HELP ")) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
        continue;
      }
      int i = 0;
      while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
        i++;
      }
      String name = line.substring(0, i);
      Map<String, String> labels = new TreeMap<>(extra);
      if (i < line.length() && line.charAt(i) == '{') {
        i++;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String label = line.substring(i, eq);
          if (line.charAt(eq + 1) != '"') {
            throw new IllegalArgumentException("bad label value in: " + line);
          }
          StringBuilder value = new StringBuilder();
          int j = eq + 2;
          for (; line.charAt(j) != '"'; j++) {
            char c = line.charAt(j);
            if (c == '\\') {
              char next = line.charAt(++j);
              value.append(next == 'n' ? '\n' : next);
            } else {
              value.append(c);
            }
          }
          labels.put(label, value.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        i++;
      }
      String key = key(name, labels);
      if (series.put(key, Double.parseDouble(line.substring(i).trim())) != null) {
        throw new IllegalArgumentException("duplicate series " + key);
      }
    }
    return new Exposition(series, types);
  }

  /** {@code key("m", "a", "x", "b", "y")} is {@code m{a="x",b="y"}}. */
  public static String key(String name, String... labelPairs) {
    Map<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    return key(name, labels);
  }

  private static String key(String name, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return name;
    }
    List<String> parts = new ArrayList<>();
    labels.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
    return name + "{" + String.join(",", parts) + "}";
  }

  /** The value of a series; fails when the series is absent. */
  public double value(String name, String... labelPairs) {
    Double v = series.get(key(name, labelPairs));
    if (v == null) {
      throw new AssertionError("no series " + key(name, labelPairs) + " in " + series.keySet());
    }
    return v;
  }

  public boolean has(String name, String... labelPairs) {
    return series.containsKey(key(name, labelPairs));
  }

  /** Sum of every series of the metric {@code name}, whatever its labels. */
  public double sum(String name) {
    return series.entrySet().stream()
        .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** Series keys of the metric {@code name}. */
  public List<String> seriesOf(String name) {
    return series.keySet().stream().filter(k -> k.equals(name) || k.startsWith(name + "{")).toList();
  }

  public Map<String, Double> all() {
    return series;
  }

  public String type(String family) {
    return types.get(family);
  }
}
