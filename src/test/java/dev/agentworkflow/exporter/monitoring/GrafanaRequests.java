package dev.agentworkflow.exporter.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests Grafana's Prometheus data source sends for each query of a dashboard, for the
 * dashboard's default time range ending at {@code now}, worked out as Grafana does it
 * (grafana/grafana pkg/promlib: models/query.go, intervalv2, client/client.go; the frontend's
 * rangeutil.calculateInterval):
 *
 * <ul>
 *   <li>{@code $__range} is the range in whole seconds with an {@code s} ({@code 21600s} for
 *       now-6h to now), {@code $__range_s} the same number, {@code $__range_ms} in milliseconds;
 *   <li>{@code $__interval}, which is also the step of a range query, is the range divided by the
 *       panel's maximum data points (its width in pixels unless set; {@link #MAX_DATA_POINTS}
 *       here, a half-width panel on a 1920-pixel screen), rounded to Grafana's nice intervals (10s,
 *       15s, 20s, 30s, 1m, …), raised to the data source's scrape interval when below it, and never
 *       below the range divided by 11,000; written like {@code 20s}, {@code 1m};
 *   <li>{@code $__rate_interval} is max({@code $__interval} + scrape interval, 4 × scrape
 *       interval);
 *   <li>a dashboard variable takes its saved current value, or the values {@link #select} picks as
 *       a user would; {@code All} of a variable with an {@code allValue} (the Exporter and Project
 *       selectors' {@code .*}) that value, as it is; values picked in a variable that allows several
 *       or All are escaped for a regular expression, several joined as {@code (a|b)}
 *       (interpolateQueryExpr of the Prometheus data source);
 *   <li>a query marked instant goes to {@code /api/v1/query} at {@code now} itself; a query
 *       marked range, or marked neither (older dashboards), to {@code /api/v1/query_range} from
 *       now - range to now, both rounded down to a multiple of the step; one marked both sends both;
 *   <li>a series' name in a legend is the legend format with each {@code {{label}}} replaced by the
 *       series' value of that label, or by nothing where the series has no such label
 *       ({@link #legend}).
 * </ul>
 */
final class GrafanaRequests {
  /** The data points Grafana asks for per range query: about a half-width panel's width in pixels. */
  static final int MAX_DATA_POINTS = 1000;
  /** Grafana's safe resolution: never more points than this per query. */
  private static final int SAFE_RESOLUTION = 11_000;
  private static final Pattern RELATIVE = Pattern.compile("now-(\\d+)([smhdw])");
  /** Grafana's legendFormatRegexp. */
  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(.+?)\\s*\\}\\}");

  /** One request; {@code start} and {@code step} only for a range query. */
  record Request(String panel, String refId, boolean instant, String expr, Instant start, Instant end, Duration step) {
    String describe() {
      return "'" + panel + "' " + refId + (instant ? " (instant)" : " (range)") + ": " + expr;
    }
  }

  private final Duration range;
  private final Duration interval;
  private final Duration rateInterval;
  private final Map<String, String> variables = new LinkedHashMap<>();
  /** The variables that allow several values or All: Grafana escapes what is picked in them for a regex. */
  private final Set<String> regexVariables = new HashSet<>();

  /**
   * @param scrapeInterval the data source's scrape interval (Grafana's default when unset: 15s),
   *     as it should be set: equal to Prometheus's
   */
  GrafanaRequests(JsonNode dashboard, Duration scrapeInterval) {
    JsonNode time = dashboard.path("time");
    if (!time.path("to").asText().equals("now")) {
      throw new IllegalArgumentException("a default range that does not end now: " + time);
    }
    this.range = relative(time.path("from").asText());
    Duration perPoint = range.dividedBy(MAX_DATA_POINTS);
    Duration calculated = perPoint.compareTo(scrapeInterval) < 0 ? scrapeInterval : round(perPoint);
    Duration safe = round(range.dividedBy(SAFE_RESOLUTION));
    this.interval = calculated.compareTo(safe) > 0 ? calculated : safe;
    Duration afterAScrape = interval.plus(scrapeInterval);
    Duration fourScrapes = scrapeInterval.multipliedBy(4);
    this.rateInterval = afterAScrape.compareTo(fourScrapes) > 0 ? afterAScrape : fourScrapes;
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      JsonNode value = variable.path("current").path("value");
      String current = value.isArray() ? value.get(0).asText() : value.asText();
      if (current.equals("$__all")) {
        current = variable.path("allValue").asText();
      }
      variables.put(variable.path("name").asText(), current);
      if (variable.path("multi").asBoolean() || variable.path("includeAll").asBoolean()) {
        regexVariables.add(variable.path("name").asText());
      }
    }
  }

  Duration range() {
    return range;
  }

  Duration interval() {
    return interval;
  }

  Duration rateInterval() {
    return rateInterval;
  }

  /** The current value of a dashboard variable, if the dashboard has it. */
  Optional<String> variable(String name) {
    return Optional.ofNullable(variables.get(name));
  }

  /**
   * Picks {@code values} in the dashboard's variable {@code name}, as a user does in its selector:
   * the requests made afterwards carry them as Grafana's Prometheus data source writes them.
   */
  GrafanaRequests select(String name, String... values) {
    if (!variables.containsKey(name) || values.length == 0) {
      throw new IllegalArgumentException("no variable " + name + " or no value: " + List.of(values));
    }
    if (!regexVariables.contains(name)) {
      if (values.length > 1) {
        throw new IllegalArgumentException(name + " takes one value");
      }
      variables.put(name, values[0].replace("\\", "\\\\").replace("'", "\\\\'"));
      return this;
    }
    List<String> escaped = new ArrayList<>();
    for (String value : values) {
      escaped.add(value.replace("\\", "\\\\\\\\").replaceAll("[$^*{}\\[\\]+?.()|]", "\\\\\\\\$0"));
    }
    variables.put(name, escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")");
    return this;
  }

  /**
   * A series' name as Grafana shows it in a legend: {@code format} with each {@code {{label}}}
   * replaced by the series' value of that label, or by nothing where the series has none
   * (getName in pkg/promlib/querydata, Grafana 10 and later).
   */
  static String legend(String format, Map<String, String> labels) {
    Matcher m = LEGEND_LABEL.matcher(format);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(labels.getOrDefault(m.group(1).strip(), "")));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Every request the dashboard's panels send, in panel order. */
  List<Request> requests(JsonNode dashboard, Instant now) {
    List<Request> requests = new ArrayList<>();
    for (JsonNode panel : Dashboard.panels(dashboard)) {
      String title = panel.path("title").asText();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        boolean instant = target.path("instant").asBoolean(false);
        boolean rangeQuery = target.path("range").asBoolean(false) || !instant;
        String refId = target.path("refId").asText();
        if (instant) {
          requests.add(new Request(title, refId, true, interpolate(expr), null, now, null));
        }
        if (rangeQuery) {
          requests.add(rangeRequest(title, refId, expr, now));
        }
      }
    }
    return requests;
  }

  /** A range query of {@code expr} as a time series panel titled {@code panel} sends it. */
  Request rangeRequest(String panel, String refId, String expr, Instant now) {
    return new Request(panel, refId, false, interpolate(expr), alignedToStep(now.minus(range)), alignedToStep(now),
        interval);
  }

  private Instant alignedToStep(Instant t) {
    long step = interval.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), step) * step);
  }

  /** An expression as Grafana sends it: the built-in variables first, then the dashboard's. */
  String interpolate(String expr) {
    long rangeSeconds = range.toSeconds();
    String out = expr
        .replace("${__interval_ms}", Long.toString(interval.toMillis()))
        .replace("$__interval_ms", Long.toString(interval.toMillis()))
        .replace("${__interval}", kbn(interval))
        .replace("$__interval", kbn(interval))
        .replace("${__range_ms}", Long.toString(range.toMillis()))
        .replace("$__range_ms", Long.toString(range.toMillis()))
        .replace("${__range_s}", Long.toString(rangeSeconds))
        .replace("$__range_s", Long.toString(rangeSeconds))
        .replace("${__range}", rangeSeconds + "s")
        .replace("$__range", rangeSeconds + "s")
        .replace("${__rate_interval_ms}", Long.toString(rateInterval.toMillis()))
        .replace("$__rate_interval_ms", Long.toString(rateInterval.toMillis()))
        .replace("${__rate_interval}", go(rateInterval))
        .replace("$__rate_interval", go(rateInterval));
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      out = out.replace("${" + variable.getKey() + "}", variable.getValue())
          .replaceAll("\\$" + Pattern.quote(variable.getKey()) + "\\b", Matcher.quoteReplacement(variable.getValue()));
    }
    if (out.contains("$")) {
      throw new IllegalArgumentException("a variable Grafana would not know: " + expr);
    }
    return out;
  }

  private static Duration relative(String from) {
    Matcher m = RELATIVE.matcher(from);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a relative time: " + from);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  /** Grafana's nice intervals (gtime.RoundInterval): an interval up to each bound becomes its value. */
  private static final long[][] NICE_MILLIS = {
      {10, 1}, {15, 10}, {35, 20}, {75, 50}, {150, 100}, {350, 200}, {750, 500}, {1_500, 1_000}, {3_500, 2_000},
      {7_500, 5_000}, {12_500, 10_000}, {17_500, 15_000}, {25_000, 20_000}, {45_000, 30_000}, {90_000, 60_000},
      {210_000, 120_000}, {450_000, 300_000}, {750_000, 600_000}, {1_050_000, 900_000}, {1_500_000, 1_200_000},
      {2_700_000, 1_800_000}, {5_400_000, 3_600_000}, {9_000_000, 7_200_000}, {16_200_000, 10_800_000},
      {32_400_000, 21_600_000}, {86_400_000, 43_200_000}, {604_800_000, 86_400_000}, {1_814_400_000, 604_800_000},
      {3_628_800_000L, 2_592_000_000L}};

  static Duration round(Duration interval) {
    long ms = interval.toMillis();
    for (long[] nice : NICE_MILLIS) {
      if (ms <= nice[0]) {
        return Duration.ofMillis(nice[1]);
      }
    }
    return Duration.ofDays(365);
  }

  /** gtime.FormatInterval: the largest whole unit ({@code 20s}, {@code 1m}, {@code 2h}). */
  static String kbn(Duration d) {
    long ms = d.toMillis();
    long[][] units = {{86_400_000, 'd'}, {3_600_000, 'h'}, {60_000, 'm'}, {1_000, 's'}};
    for (long[] unit : units) {
      if (ms >= unit[0]) {
        return ms / unit[0] + String.valueOf((char) unit[1]);
      }
    }
    return Math.max(1, ms) + "ms";
  }

  /** Go's time.Duration.String() for whole seconds, as Grafana writes $__rate_interval: {@code 1m0s}, {@code 35s}. */
  static String go(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + s % 60 + "s";
    }
    return s / 3600 + "h" + s % 3600 / 60 + "m" + s % 60 + "s";
  }
}
