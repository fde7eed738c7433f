package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nexusrouter.router.config.Problems;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one YAML mapping of the layout file, remembering which keys were asked for so {@link
 * #finish()} can report unknown ones. Reads record problems (with the YAML path) instead of
 * throwing, so one pass finds every mistake — the same contract as the router config loader.
 */
final class LayoutFields {
  private final JsonNode node;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new HashSet<>();

  private LayoutFields(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** Null when the node is not a mapping (a problem is recorded); an absent node reads as empty. */
  static LayoutFields of(JsonNode node, String path, Problems problems) {
    if (node == null || node.isNull()) {
      return new LayoutFields(JsonNodeFactory.instance.objectNode(), path, problems);
    }
    if (!node.isObject()) {
      problems.add(path, "expected a mapping of keys, found " + describe(node));
      return null;
    }
    return new LayoutFields(node, path, problems);
  }

  String path() {
    return path;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  Problems problems() {
    return problems;
  }

  boolean has(String key) {
    return raw(key) != null;
  }

  JsonNode raw(String key) {
    known.add(key);
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  String string(String key, String def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.isValueNode() || v.isBoolean()) {
      problems.add(pathOf(key), "expected a string, found " + describe(v));
      return def;
    }
    return v.asText();
  }

  boolean bool(String key, boolean def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.isBoolean()) {
      problems.add(pathOf(key), "expected true or false, found " + describe(v));
      return def;
    }
    return v.asBoolean();
  }

  /** Null when absent or invalid. */
  Integer integer(String key, int min, int max) {
    JsonNode v = raw(key);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      problems.add(pathOf(key), "expected a whole number, found " + describe(v));
      return null;
    }
    int i = v.asInt();
    if (i < min || i > max) {
      problems.add(pathOf(key), "must be between " + min + " and " + max + ", found " + i);
      return null;
    }
    return i;
  }

  /**
   * Minutes, the unit Nexus stores cache ages in: a whole number of minutes, {@code -1} (never
   * expires), or a duration like {@code 24h}, {@code 1d}, {@code 90m}.
   */
  int minutes(String key, int def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= -1) {
      return v.asInt();
    }
    Integer m = v.isTextual() ? parseMinutes(v.asText()) : null;
    if (m == null) {
      problems.add(
          pathOf(key),
          "expected minutes (a whole number, -1 for never) or a duration like 24h, 1d, 90m,"
              + " found "
              + describe(v));
      return def;
    }
    return m;
  }

  static Integer parseMinutes(String text) {
    String s = text.trim();
    if (!s.matches("[0-9]{1,7}[mhd]")) {
      return null;
    }
    long n = Long.parseLong(s.substring(0, s.length() - 1));
    long m =
        switch (s.charAt(s.length() - 1)) {
          case 'h' -> n * 60;
          case 'd' -> n * 1440;
          default -> n;
        };
    return m > Integer.MAX_VALUE ? null : (int) m;
  }

  /** A list of strings; null when absent. */
  List<String> strings(String key) {
    JsonNode v = raw(key);
    if (v == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    if (!v.isArray()) {
      problems.add(pathOf(key), "expected a list, found " + describe(v));
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        problems.add(pathOf(key) + "[" + i + "]", "expected a string, found " + describe(e));
      } else {
        out.add(e.asText());
      }
    }
    return out;
  }

  /** Keys present in the mapping, for type-specific checks. */
  Set<String> present() {
    Set<String> out = new HashSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** Reports every key that no reader asked for. */
  void finish() {
    for (var e : node.properties()) {
      if (!known.contains(e.getKey())) {
        problems.add(pathOf(e.getKey()), "unknown key");
      }
    }
  }

  static String describe(JsonNode v) {
    if (v == null || v.isNull()) {
      return "nothing";
    }
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    return "'" + v.asText() + "'";
  }
}
