package dev.agentworkflow.exporter.webconfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One mapping of the YAML file, read strictly as Go's {@code yaml.UnmarshalStrict} reads the
 * toolkit's structs: keys outside the schema are errors, and every error names the key's full path
 * (e.g. {@code tls_server_config.min_version}).
 */
final class ConfigSection {
  private final String path;
  private final Map<?, ?> values;

  private ConfigSection(String path, Map<?, ?> values) {
    this.path = path;
    this.values = values;
  }

  /** The document's top level; an empty file or one holding only {@code null} is an empty mapping. */
  static ConfigSection root(Object document) throws WebConfigException {
    if (document == null) {
      return new ConfigSection("", Map.of());
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new WebConfigException("the file must hold a YAML mapping of keys such as tls_server_config and "
          + "basic_auth_users, not " + describe(document));
    }
    return new ConfigSection("", map);
  }

  void allowOnly(Set<String> keys) throws WebConfigException {
    for (Object key : values.keySet()) {
      if (!(key instanceof String name) || !keys.contains(name)) {
        throw new WebConfigException(where(String.valueOf(key)) + ": unknown key; the keys allowed here are "
            + String.join(", ", keys.stream().sorted().toList()));
      }
    }
  }

  /** Whether the document or the key's value is written as an empty mapping ({@code {}}), not left out or empty. */
  boolean isEmptyMapping(String key) {
    Object value = key == null ? values : values.get(key);
    return value instanceof Map<?, ?> map && map.isEmpty();
  }

  /** A nested mapping; absent or {@code null} is an empty one. */
  ConfigSection section(String key) throws WebConfigException {
    Object value = values.get(key);
    if (value == null) {
      return new ConfigSection(where(key), Map.of());
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new WebConfigException(where(key) + ": must be a mapping of keys, not " + describe(value));
    }
    return new ConfigSection(where(key), map);
  }

  /** A scalar as text ("" when absent), as Go reads any scalar into a string field. */
  String text(String key) throws WebConfigException {
    return scalarText(key, values.get(key));
  }

  boolean bool(String key, boolean whenAbsent) throws WebConfigException {
    Object value = values.get(key);
    if (value == null) {
      return whenAbsent;
    }
    if (!(value instanceof Boolean b)) {
      throw new WebConfigException(where(key) + ": must be true or false, not " + describe(value));
    }
    return b;
  }

  int integer(String key) throws WebConfigException {
    Object value = values.get(key);
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Integer i)) {
      throw new WebConfigException(where(key) + ": must be a whole number, not " + describe(value));
    }
    return i;
  }

  /** A list of scalars; absent or {@code null} is an empty list. */
  List<String> textList(String key) throws WebConfigException {
    Object value = values.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new WebConfigException(where(key) + ": must be a list, not " + describe(value));
    }
    List<String> texts = new ArrayList<>();
    for (Object element : list) {
      texts.add(scalarText(key, element));
    }
    return List.copyOf(texts);
  }

  /** A mapping of names to scalars, in file order; absent or {@code null} is empty. */
  Map<String, String> textMap(String key) throws WebConfigException {
    ConfigSection section = section(key);
    Map<String, String> texts = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : section.values.entrySet()) {
      String name = String.valueOf(entry.getKey());
      texts.put(name, section.scalarText(name, entry.getValue()));
    }
    return texts;
  }

  String where(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private String scalarText(String key, Object value) throws WebConfigException {
    if (value == null) {
      return "";
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw new WebConfigException(where(key) + ": must be a single value, not " + describe(value));
  }

  private static String describe(Object value) {
    if (value instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return "'" + value + "'";
  }
}
