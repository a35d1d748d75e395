package dev.agentworkflow.exporter.custom;

import dev.agentworkflow.exporter.webconfig.GoDuration;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a metrics configuration file ({@code --metrics-config}) into checked definitions, or says
 * in one line, {@code FILE:LINE: what is wrong}, why it cannot be used. What is checked here needs
 * only the file: keys, types, names, buckets, durations, and that each statement only reads. That
 * the statements prepare against the database's tables is checked by {@code db}.
 *
 * <pre>{@code
 * CustomMetrics metrics = CustomMetricsFile.read(Path.of("custom-metrics.yml"), builtInNames);
 * }</pre>
 */
public final class CustomMetricsFile {
  private static final Set<String> TOP_KEYS = Set.of("row_metrics", "query_metrics");
  private static final Set<String> ROW_KEYS = Set.of("name", "help", "type", "table", "finished", "where", "labels",
      "value", "buckets", "interval", "timeout");
  private static final Set<String> QUERY_KEYS = Set.of("name", "help", "type", "query", "key_labels", "value",
      "interval", "timeout");
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  /** Suffixes a histogram's or a counter's samples add: a gauge or histogram named so would read as one of them. */
  private static final List<String> SAMPLE_SUFFIXES = List.of("_total", "_bucket", "_count", "_sum", "_created");
  /** The exporter's own metrics: names it may add later. */
  private static final String RESERVED_PREFIX = "agent_workflow_exporter_";
  /**
   * The longest a statement may run. While it runs it holds SQLite's shared lock; the hooks' writers
   * wait 5 s for it and then lose their row. Three seconds leaves them two.
   */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(3);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  private static final long MAX_FILE_BYTES = 1 << 20;
  private static final int MAX_BUCKETS = 100;

  private CustomMetricsFile() {}

  /**
   * @param taken the sample and family names of the built-in metrics: a metric that would render a
   *     sample of one of those names is refused
   */
  public static CustomMetrics read(Path file, Set<String> taken) throws CustomMetricsException {
    String name = file.toString();
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new CustomMetricsException(name + ":1: larger than 1 MiB; this is not a metrics configuration");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CustomMetricsException(name + ":0: cannot read it: " + describe(e));
    }
    return parse(name, text, taken);
  }

  /** Reads {@code text} as the file named {@code file}. */
  static CustomMetrics parse(String file, String text, Set<String> taken) throws CustomMetricsException {
    Node document = compose(file, text);
    if (document == null) {
      return new CustomMetrics(Optional.of(file), List.of(), List.of()); // an empty file: no metrics
    }
    FileSection root = FileSection.of(file, document, "the file");
    root.allowOnly(TOP_KEYS);
    Set<String> names = new HashSet<>(taken);
    Map<String, String> definedAt = new HashMap<>();
    List<RowMetric> rows = new ArrayList<>();
    for (Node node : root.list("row_metrics")) {
      RowMetric metric = rowMetric(FileSection.of(file, node, "a row metric"));
      claimNames(file, node, metric.name(), samples(metric.name(), metric.histogram()), names, definedAt);
      rows.add(metric);
    }
    List<QueryMetric> queries = new ArrayList<>();
    for (Node node : root.list("query_metrics")) {
      QueryMetric metric = queryMetric(FileSection.of(file, node, "a query metric"));
      claimNames(file, node, metric.name(), samples(metric.name(), false), names, definedAt);
      queries.add(metric);
    }
    return new CustomMetrics(Optional.of(file), rows, queries);
  }

  private static Node compose(String file, String text) throws CustomMetricsException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setMaxAliasesForCollections(50);
    try {
      return new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 1 : mark.getLine() + 1;
      throw new CustomMetricsException(file + ":" + line + ": not valid YAML: "
          + String.valueOf(e.getProblem()).replace('\n', ' '));
    } catch (YAMLException e) {
      throw new CustomMetricsException(file + ":1: not valid YAML: " + String.valueOf(e.getMessage()).replace('\n', ' '));
    }
  }

  private static RowMetric rowMetric(FileSection entry) throws CustomMetricsException {
    entry.allowOnly(ROW_KEYS);
    String name = metricName(entry);
    String help = help(entry);
    String type = entry.requiredText("type", "a row metric is a counter or a histogram");
    boolean histogram = switch (type) {
      case "counter" -> false;
      case "histogram" -> true;
      default -> throw new CustomMetricsException(entry.at("type") + "type '" + type
          + "' is not one of counter, histogram (a gauge is a query metric)");
    };
    checkSuffix(entry, name, !histogram);
    String table = entry.requiredText("table", "name the table whose rows feed the metric");
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new CustomMetricsException(entry.at("table") + "table '" + table
          + "' is not a plain table name (letters, digits and _)");
    }
    String finished = expression(entry, "finished", Optional.of(
        "say when a row is finished and counted, e.g. \"status <> 'started'\" (or 1 for rows that never change)"));
    Optional<String> where = entry.has("where") ? Optional.of(expression(entry, "where", Optional.empty()))
        : Optional.empty();
    List<RowMetric.Label> labels = new ArrayList<>();
    Map<String, String> labelMap = entry.textMap("labels");
    for (Map.Entry<String, String> label : labelMap.entrySet()) {
      String where1 = entry.atEntry("labels", label.getKey());
      labelName(where1, label.getKey(), histogram);
      Optional<String> problem = SqlText.expressionProblem(label.getValue());
      if (problem.isPresent()) {
        throw new CustomMetricsException(where1 + "labels." + label.getKey() + ": " + problem.get());
      }
      labels.add(new RowMetric.Label(label.getKey(), label.getValue()));
    }
    String value;
    List<Double> buckets;
    if (histogram) {
      value = expression(entry, "value", Optional.of("a histogram observes the value of an SQL expression per row"));
      buckets = buckets(entry);
    } else {
      value = entry.has("value") ? expression(entry, "value", Optional.empty()) : "1";
      if (entry.has("buckets")) {
        throw new CustomMetricsException(entry.at("buckets") + "buckets belong to a histogram, not a counter");
      }
      buckets = List.of();
    }
    return new RowMetric(name, help, histogram, table, finished, where, labels, value, buckets,
        interval(entry), timeout(entry), entry.line());
  }

  private static QueryMetric queryMetric(FileSection entry) throws CustomMetricsException {
    entry.allowOnly(QUERY_KEYS);
    String name = metricName(entry);
    String help = help(entry);
    String type = entry.requiredText("type", "a query metric is a gauge or a counter");
    boolean counter = switch (type) {
      case "gauge" -> false;
      case "counter" -> true;
      default -> throw new CustomMetricsException(entry.at("type") + "type '" + type
          + "' is not one of gauge, counter (a histogram is a row metric)");
    };
    checkSuffix(entry, name, counter);
    String query = entry.requiredText("query", "give the SELECT whose rows are the series");
    Optional<String> problem = SqlText.queryProblem(query);
    if (problem.isPresent()) {
      throw new CustomMetricsException(entry.at("query") + problem.get());
    }
    List<String> keyLabels = new ArrayList<>();
    for (Node node : entry.list("key_labels")) {
      String where = FileSection.at(entry.file(), node);
      if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar)) {
        throw new CustomMetricsException(where + "key_labels must list column names, not " + FileSection.describe(node));
      }
      labelName(where, scalar.getValue(), false);
      if (keyLabels.contains(scalar.getValue())) {
        throw new CustomMetricsException(where + "key label '" + scalar.getValue() + "' is listed twice");
      }
      keyLabels.add(scalar.getValue());
    }
    String value = entry.requiredText("value", "name the column that holds each series' value");
    if (keyLabels.contains(value)) {
      throw new CustomMetricsException(entry.at("value") + "column '" + value + "' is both a key label and the value");
    }
    return new QueryMetric(name, help, counter, query, keyLabels, value, interval(entry), timeout(entry), entry.line());
  }

  private static String metricName(FileSection entry) throws CustomMetricsException {
    String name = entry.requiredText("name", "every metric needs a name");
    if (!METRIC_NAME.matcher(name).matches() || name.startsWith("__")) {
      throw new CustomMetricsException(entry.at("name") + "'" + name + "' is not a valid Prometheus metric name "
          + "(letters, digits, _ and :, not starting with a digit or __)");
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new CustomMetricsException(entry.at("name") + "'" + name + "': names starting with " + RESERVED_PREFIX
          + " are the exporter's own");
    }
    return name;
  }

  private static String help(FileSection entry) throws CustomMetricsException {
    String help = entry.requiredText("help", "say in a few words what the metric counts");
    if (help.contains("\n")) {
      throw new CustomMetricsException(entry.at("help") + "help must be one line");
    }
    return help;
  }

  /** A counter's name ends in _total (OpenMetrics); no other name ends in a suffix a sample adds. */
  private static void checkSuffix(FileSection entry, String name, boolean counter) throws CustomMetricsException {
    if (counter && (!name.endsWith("_total") || name.equals("_total"))) {
      throw new CustomMetricsException(entry.at("name") + "'" + name + "': a counter's name ends in _total");
    }
    String base = counter ? name.substring(0, name.length() - "_total".length()) : name;
    for (String suffix : SAMPLE_SUFFIXES) {
      if (base.endsWith(suffix)) {
        throw new CustomMetricsException(entry.at("name") + "'" + name + "' ends in " + suffix
            + ", which a sample of another metric would end in; choose another name");
      }
    }
  }

  private static void labelName(String where, String label, boolean histogram) throws CustomMetricsException {
    if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
      throw new CustomMetricsException(where + "'" + label + "' is not a valid label name (letters, digits and _, "
          + "not starting with a digit or __)");
    }
    if (label.equals("project")) {
      throw new CustomMetricsException(where + "label 'project' is the exporter's: it names the database when "
          + "there are several");
    }
    if (histogram && label.equals("le")) {
      throw new CustomMetricsException(where + "label 'le' is a histogram's bucket bound");
    }
  }

  private static String expression(FileSection entry, String key, Optional<String> requiredBecause)
      throws CustomMetricsException {
    String sql = requiredBecause.isPresent() ? entry.requiredText(key, requiredBecause.get())
        : entry.text(key).orElse("");
    Optional<String> problem = SqlText.expressionProblem(sql);
    if (problem.isPresent()) {
      throw new CustomMetricsException(entry.at(key) + key + ": " + problem.get());
    }
    return sql;
  }

  private static List<Double> buckets(FileSection entry) throws CustomMetricsException {
    List<Node> nodes = entry.list("buckets");
    if (nodes.isEmpty()) {
      throw new CustomMetricsException(entry.at("buckets") + "buckets is missing; a histogram needs its upper "
          + "bounds, e.g. [1, 5, 10, 60]");
    }
    if (nodes.size() > MAX_BUCKETS) {
      throw new CustomMetricsException(entry.at("buckets") + "more than " + MAX_BUCKETS + " buckets");
    }
    List<Double> bounds = new ArrayList<>();
    for (Node node : nodes) {
      double bound = entry.number("buckets", node);
      if (!Double.isFinite(bound)) {
        throw new CustomMetricsException(FileSection.at(entry.file(), node) + "a bucket bound must be finite "
            + "(+Inf is always there)");
      }
      if (!bounds.isEmpty() && bound <= bounds.get(bounds.size() - 1)) {
        throw new CustomMetricsException(FileSection.at(entry.file(), node) + "buckets must ascend: " + bound
            + " after " + bounds.get(bounds.size() - 1));
      }
      bounds.add(bound);
    }
    return bounds;
  }

  private static Optional<Duration> interval(FileSection entry) throws CustomMetricsException {
    Optional<Duration> interval = duration(entry, "interval");
    if (interval.isPresent() && interval.get().compareTo(MIN_INTERVAL) < 0) {
      throw new CustomMetricsException(entry.at("interval") + "interval must be at least 1s");
    }
    return interval;
  }

  private static Duration timeout(FileSection entry) throws CustomMetricsException {
    Duration timeout = duration(entry, "timeout").orElse(DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative()) {
      throw new CustomMetricsException(entry.at("timeout") + "timeout must be more than 0");
    }
    if (timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new CustomMetricsException(entry.at("timeout") + "timeout " + entry.text("timeout").orElse("")
          + " is longer than 3s: while a statement runs, the hooks' writers wait for it, 5 s at most, and then "
          + "lose their row");
    }
    return timeout;
  }

  private static Optional<Duration> duration(FileSection entry, String key) throws CustomMetricsException {
    Optional<String> text = entry.text(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(GoDuration.parse(text.get()).orElseThrow(() -> new CustomMetricsException(entry.at(key) + key
        + " '" + text.get() + "' is not a duration such as 500ms, 10s or 1m")));
  }

  /**
   * The family name and the sample names a metric renders: a counter's family is its name without
   * {@code _total} (as OpenMetrics names it), so a gauge of that name would make two families of one name.
   */
  private static List<String> samples(String name, boolean histogram) {
    if (histogram) {
      return List.of(name, name + "_bucket", name + "_sum", name + "_count");
    }
    if (name.endsWith("_total")) {
      return List.of(name, name.substring(0, name.length() - "_total".length()));
    }
    return List.of(name);
  }

  private static void claimNames(String file, Node node, String name, List<String> samples, Set<String> names,
      Map<String, String> definedAt) throws CustomMetricsException {
    for (String sample : samples) {
      if (names.contains(sample)) {
        String other = definedAt.get(sample);
        throw new CustomMetricsException(FileSection.at(file, node) + "'" + name + "' clashes with "
            + (other == null ? "a built-in metric (" + sample + ")" : "the metric at line " + other));
      }
    }
    String line = String.valueOf(node.getStartMark().getLine() + 1);
    for (String sample : samples) {
      names.add(sample);
      definedAt.put(sample, line);
    }
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : e.getClass().getSimpleName() + " " + e.getMessage();
  }
}
