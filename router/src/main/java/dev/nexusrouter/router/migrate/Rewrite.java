package dev.nexusrouter.router.migrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Runs one sample request through a server block the way nginx's rewrite module and location
 * matching would: server-level {@code set}/{@code if}/{@code return} in order, then the location
 * (exact {@code =}, longest prefix, {@code ^~}, then regexes in order), then that location's own
 * rewrite directives, ending at {@code proxy_pass}, {@code return}, or a static {@code root}/{@code
 * alias}. Variables come from the sample, {@code set} and {@code map}. The importer asks this for a
 * handful of typical registry requests instead of guessing from the text of the conditions.
 */
final class Rewrite {
  /** A sample request: method and the request URI (path and query) as the client sent it. */
  record Sample(String method, String uri) {
    String path() {
      int q = uri.indexOf('?');
      return q < 0 ? uri : uri.substring(0, q);
    }
  }

  enum Kind {
    PROXY,
    RETURN,
    STATIC,
    NONE
  }

  /**
   * Where the sample ended.
   *
   * @param value PROXY: the proxy_pass URL with variables replaced; RETURN: the status; STATIC: the
   *     directory
   * @param location the location block that handled it, or null
   * @param used the set/if/map directives that took part
   */
  record Outcome(Kind kind, String value, Directive location, Directive at, List<Directive> used) {}

  private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z0-9_]+)\\}?");

  private final Map<String, Directive> maps;

  /**
   * @param maps {@code map} blocks by the variable they define (without {@code $})
   */
  Rewrite(Map<String, Directive> maps) {
    this.maps = maps;
  }

  Outcome run(Directive server, Sample sample) {
    Map<String, String> vars = new HashMap<>();
    vars.put("request_method", sample.method());
    vars.put("request_uri", sample.uri());
    vars.put("uri", sample.path());
    vars.put("document_uri", sample.path());
    int q = sample.uri().indexOf('?');
    vars.put("args", q < 0 ? "" : sample.uri().substring(q + 1));
    vars.put("is_args", q < 0 ? "" : "?");
    vars.put("host", "registry.example");
    vars.put("http_host", "registry.example:443");
    vars.put("server_name", "registry.example");
    vars.put("scheme", "https");
    vars.put("remote_addr", "192.0.2.1");
    List<Directive> used = new ArrayList<>();
    Outcome early = steps(server.children(), vars, used, null);
    if (early != null) {
      return early;
    }
    Directive loc = location(server.children(), sample.path());
    if (loc == null) {
      return new Outcome(Kind.NONE, null, null, server, used);
    }
    Outcome inLoc = steps(loc.children(), vars, used, loc);
    if (inLoc != null) {
      return inLoc;
    }
    for (Directive d : loc.children()) {
      switch (d.name()) {
        case "proxy_pass" -> {
          return new Outcome(Kind.PROXY, interpolate(d.arg(0), vars, used), loc, d, used);
        }
        case "root", "alias" -> {
          return new Outcome(Kind.STATIC, d.arg(0), loc, d, used);
        }
        default -> {}
      }
    }
    return new Outcome(Kind.NONE, null, loc, loc, used);
  }

  /** set / if / return in order; a return (also inside a matching if) ends the request. */
  private Outcome steps(
      List<Directive> ds, Map<String, String> vars, List<Directive> used, Directive loc) {
    for (Directive d : ds) {
      switch (d.name()) {
        case "set" -> {
          used.add(d);
          vars.put(strip(d.arg(0)), interpolate(d.arg(1), vars, used));
        }
        case "if" -> {
          if (d.isBlock() && condition(d.args(), vars, used)) {
            used.add(d);
            Outcome o = steps(d.children(), vars, used, loc);
            if (o != null) {
              return o;
            }
          } else {
            used.add(d);
          }
        }
        case "return" -> {
          return new Outcome(Kind.RETURN, d.arg(0), loc, d, used);
        }
        default -> {}
      }
    }
    return null;
  }

  private static String strip(String var) {
    return var.startsWith("$") ? var.substring(1) : var;
  }

  /**
   * nginx's if: {@code $v}, {@code $v = s}, {@code $v != s}, {@code $v ~ re}, {@code ~*}, {@code
   * !~}, {@code !~*}.
   */
  boolean condition(List<String> raw, Map<String, String> vars, List<Directive> used) {
    List<String> a = new ArrayList<>(raw);
    if (!a.isEmpty() && a.get(0).startsWith("(")) {
      a.set(0, a.get(0).substring(1));
    }
    int last = a.size() - 1;
    if (last >= 0 && a.get(last).endsWith(")")) {
      a.set(last, a.get(last).substring(0, a.get(last).length() - 1));
    }
    a.removeIf(String::isEmpty);
    if (a.size() == 1) {
      String v = interpolate(a.get(0), vars, used);
      return !v.isEmpty() && !v.equals("0");
    }
    if (a.size() != 3) {
      return false;
    }
    String left = interpolate(a.get(0), vars, used);
    String op = a.get(1);
    String right = a.get(2);
    return switch (op) {
      case "=" -> left.equals(interpolate(right, vars, used));
      case "!=" -> !left.equals(interpolate(right, vars, used));
      case "~" -> find(right, left, false);
      case "~*" -> find(right, left, true);
      case "!~" -> !find(right, left, false);
      case "!~*" -> !find(right, left, true);
      default -> false;
    };
  }

  private static boolean find(String regex, String text, boolean ignoreCase) {
    try {
      return Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(text).find();
    } catch (PatternSyntaxException e) {
      return false;
    }
  }

  String interpolate(String text, Map<String, String> vars, List<Directive> used) {
    Matcher m = VAR.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String v = vars.get(name);
      if (v == null && maps.containsKey(name)) {
        Directive map = maps.get(name);
        used.add(map);
        v = mapValue(map, vars, used);
        vars.put(name, v);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? "" : v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** {@code map $src $dst {…}}: exact keys, then regexes in order, then {@code default}. */
  private String mapValue(Directive map, Map<String, String> vars, List<Directive> used) {
    String src = interpolate(map.arg(0), vars, used);
    String dflt = "";
    for (Directive e : map.children()) {
      if (e.name().equals("default")) {
        dflt = e.arg(0);
      } else if (!e.name().startsWith("~") && e.name().equals(src)) {
        return interpolate(e.arg(0), vars, used);
      }
    }
    for (Directive e : map.children()) {
      String k = e.name();
      if (k.startsWith("~*")
          ? find(k.substring(2), src, true)
          : k.startsWith("~") && find(k.substring(1), src, false)) {
        return interpolate(e.arg(0), vars, used);
      }
    }
    return interpolate(dflt, vars, used);
  }

  /** nginx's location choice for a path (named and nested locations are not considered). */
  static Directive location(List<Directive> ds, String path) {
    Directive prefix = null;
    int prefixLen = -1;
    boolean stop = false;
    List<Directive> regexes = new ArrayList<>();
    for (Directive d : ds) {
      if (!d.name().equals("location") || !d.isBlock() || d.args().isEmpty()) {
        continue;
      }
      String mod = d.args().size() > 1 ? d.arg(0) : "";
      String pat = d.args().size() > 1 ? d.arg(1) : d.arg(0);
      switch (mod) {
        case "=" -> {
          if (path.equals(pat)) {
            return d;
          }
        }
        case "~", "~*" -> regexes.add(d);
        case "", "^~" -> {
          if (pat.startsWith("@")) {
            continue;
          }
          if (path.startsWith(pat) && pat.length() > prefixLen) {
            prefix = d;
            prefixLen = pat.length();
            stop = mod.equals("^~");
          }
        }
        default -> {}
      }
    }
    if (!stop) {
      for (Directive d : regexes) {
        if (find(d.arg(1), path, d.arg(0).equals("~*"))) {
          return d;
        }
      }
    }
    return prefix;
  }

  /** The prefix of a prefix location ({@code location /v2/}), or null for regex ones. */
  static String prefixOf(Directive loc) {
    if (loc.args().size() == 1) {
      return loc.arg(0);
    }
    String mod = loc.arg(0);
    return mod.equals("^~") || mod.equals("=") ? loc.arg(1) : null;
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
