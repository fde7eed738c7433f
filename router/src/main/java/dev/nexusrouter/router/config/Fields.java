package dev.nexusrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one YAML mapping, remembering which keys were asked for so {@link #finish()} can report the
 * unknown ones. Every read records a problem (with the key's YAML path) instead of throwing, so one
 * pass finds every mistake.
 */
public final class Fields {
  private final JsonNode node;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new HashSet<>();

  private Fields(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** Null when the node is not a mapping (a problem is recorded). */
  public static Fields of(JsonNode node, String path, Problems problems) {
    if (node == null || node.isNull()) {
      return new Fields(
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
          path,
          problems);
    }
    if (!node.isObject()) {
      problems.add(path, "expected a mapping of keys, found " + describe(node));
      return null;
    }
    return new Fields(node, path, problems);
  }

  public String path() {
    return path;
  }

  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public Problems problems() {
    return problems;
  }

  public boolean has(String key) {
    known.add(key);
    problems.keyRead(pathOf(key));
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  public JsonNode raw(String key) {
    known.add(key);
    problems.keyRead(pathOf(key));
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  public String string(String key, String def) {
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

  public boolean bool(String key, boolean def) {
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

  public int integer(String key, int def, int min, int max) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      problems.add(pathOf(key), "expected a whole number, found " + describe(v));
      return def;
    }
    int i = v.asInt();
    if (i < min || i > max) {
      problems.add(pathOf(key), "must be between " + min + " and " + max + ", found " + i);
      return def;
    }
    return i;
  }

  /** Null when absent or invalid (a problem is recorded when invalid). */
  public Integer integerOrNull(String key, int min, int max) {
    JsonNode v = raw(key);
    if (v == null) {
      return null;
    }
    int before = problems.all().size();
    int i = integer(key, 0, min, max);
    return problems.all().size() == before ? i : null;
  }

  /** The keys present in the mapping, for checks that depend on which ones were given. */
  public java.util.Set<String> present() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (var e : node.properties()) {
      out.add(e.getKey());
    }
    return out;
  }

  public int port(String key, int def) {
    return integer(key, def, 1, 65535);
  }

  public Duration duration(String key, Duration def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    Duration d = v.isValueNode() ? Sizes.parseDuration(v.asText()) : null;
    if (d == null) {
      problems.add(pathOf(key), "expected a duration like 30s, 5m or 1h, found " + describe(v));
      return def;
    }
    return d;
  }

  /** -1 when absent; 0 means no limit. */
  public long bytes(String key, long def) {
    JsonNode v = raw(key);
    if (v == null) {
      return def;
    }
    long n = v.isValueNode() ? Sizes.parseBytes(v.asText()) : -1;
    if (n == Sizes.TOO_LARGE) {
      problems.add(pathOf(key), "size " + describe(v) + " is too large (at most 8388607t)");
      return def;
    }
    if (n < 0) {
      problems.add(
          pathOf(key), "expected a size like 1g, 512m or 0 (no limit), found " + describe(v));
      return def;
    }
    return n;
  }

  public Path file(String key) {
    String s = string(key, null);
    if (s == null) {
      return null;
    }
    if (s.isBlank()) {
      problems.add(pathOf(key), "must not be empty");
      return null;
    }
    return Path.of(s);
  }

  URI uri(String key, String value, String p) {
    try {
      URI u = new URI(value);
      if (u.getScheme() == null || u.getHost() == null) {
        problems.add(
            p, "expected an absolute URL like http://127.0.0.1:8082, found '" + value + "'");
        return null;
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      problems.add(p, "expected an absolute URL like http://127.0.0.1:8082, found '" + value + "'");
      return null;
    }
  }

  /** A list of strings; a single string is accepted as a one-element list. */
  public List<String> strings(String key) {
    JsonNode v = raw(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v.isValueNode()) {
      out.add(v.asText());
      return out;
    }
    if (!v.isArray()) {
      problems.add(pathOf(key), "expected a list, found " + describe(v));
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isValueNode() || e.isNull()) {
        problems.add(pathOf(key) + "[" + i + "]", "expected a string, found " + describe(e));
      } else {
        out.add(e.asText());
      }
    }
    return out;
  }

  /** Reports every key that no reader asked for. */
  public void finish() {
    for (var e : node.properties()) {
      String k = e.getKey();
      if (!known.contains(k)) {
        problems.add(pathOf(k), "unknown key");
      }
    }
  }

  public static String describe(JsonNode v) {
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
