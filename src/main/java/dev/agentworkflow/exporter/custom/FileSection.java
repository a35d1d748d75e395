package dev.agentworkflow.exporter.custom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One mapping of the YAML file, read strictly: a key outside the schema is an error, and every
 * error names the file and the line of the value that has it.
 */
final class FileSection {
  private final String file;
  private final Node node;
  private final Map<String, Node> values;

  private FileSection(String file, Node node, Map<String, Node> values) {
    this.file = file;
    this.node = node;
    this.values = values;
  }

  static FileSection of(String file, Node node, String what) throws CustomMetricsException {
    if (!(node instanceof MappingNode mapping)) {
      throw new CustomMetricsException(at(file, node) + what + " must be a mapping of keys, not " + describe(node));
    }
    Map<String, Node> values = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        throw new CustomMetricsException(at(file, tuple.getKeyNode()) + "a key must be a plain name");
      }
      values.put(key.getValue(), tuple.getValueNode());
    }
    return new FileSection(file, node, values);
  }

  static String at(String file, Node node) {
    return file + ":" + (node.getStartMark().getLine() + 1) + ": ";
  }

  int line() {
    return node.getStartMark().getLine() + 1;
  }

  /** {@code FILE:LINE: } of a key's value, or of the section when the key is absent. */
  String at(String key) {
    Node value = values.get(key);
    return at(file, value == null ? node : value);
  }

  void allowOnly(Set<String> keys) throws CustomMetricsException {
    for (Map.Entry<String, Node> entry : values.entrySet()) {
      if (!keys.contains(entry.getKey())) {
        throw new CustomMetricsException(at(entry.getKey()) + "unknown key '" + entry.getKey()
            + "'; the keys allowed here are " + String.join(", ", keys.stream().sorted().toList()));
      }
    }
  }

  boolean has(String key) {
    Node value = values.get(key);
    return value != null && !isNull(value);
  }

  /** A scalar written as text, a number or a boolean, as its text; absent or null: empty. */
  Optional<String> text(String key) throws CustomMetricsException {
    Node value = values.get(key);
    if (value == null || isNull(value)) {
      return Optional.empty();
    }
    if (!(value instanceof ScalarNode scalar)) {
      throw new CustomMetricsException(at(key) + key + " must be a single value, not " + describe(value));
    }
    return Optional.of(scalar.getValue());
  }

  String requiredText(String key, String why) throws CustomMetricsException {
    Optional<String> text = text(key);
    if (text.isEmpty() || text.get().isBlank()) {
      throw new CustomMetricsException(at(key) + key + " is missing; " + why);
    }
    return text.get();
  }

  /** A list item that must be a number (a YAML int or float). */
  double number(String key, Node value) throws CustomMetricsException {
    if (value instanceof ScalarNode scalar && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
      try {
        return Double.parseDouble(scalar.getValue().replace("_", ""));
      } catch (NumberFormatException e) {
        // .inf, .nan and the like: not a bound anyone means
      }
    }
    throw new CustomMetricsException(at(file, value) + key + " must be a number, not " + describe(value));
  }

  /** A list's items; absent or null: empty. */
  List<Node> list(String key) throws CustomMetricsException {
    Node value = values.get(key);
    if (value == null || isNull(value)) {
      return List.of();
    }
    if (!(value instanceof SequenceNode sequence)) {
      throw new CustomMetricsException(at(key) + key + " must be a list, not " + describe(value));
    }
    return new ArrayList<>(sequence.getValue());
  }

  /** A mapping's keys and their scalar values as text, in file order; absent or null: empty. */
  Map<String, String> textMap(String key) throws CustomMetricsException {
    Node value = values.get(key);
    if (value == null || isNull(value)) {
      return Map.of();
    }
    FileSection section = of(file, value, key);
    Map<String, String> texts = new LinkedHashMap<>();
    for (String name : section.values.keySet()) {
      texts.put(name, section.text(name).orElseThrow(() -> new CustomMetricsException(
          section.at(name) + key + "." + name + " is empty")));
    }
    return texts;
  }

  /** {@code FILE:LINE: } of an entry of the mapping under {@code key}. */
  String atEntry(String key, String entry) throws CustomMetricsException {
    return of(file, values.get(key), key).at(entry);
  }

  String file() {
    return file;
  }

  private static boolean isNull(Node node) {
    return node.getTag().equals(Tag.NULL);
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }
}
