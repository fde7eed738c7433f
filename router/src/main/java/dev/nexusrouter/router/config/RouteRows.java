package dev.nexusrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.router.route.Condition;
import dev.nexusrouter.router.route.PathKind;
import dev.nexusrouter.router.route.RegistryMethods;
import dev.nexusrouter.router.route.RouteRow;
import dev.nexusrouter.router.route.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads route rows from YAML: the built-in default table and the rows users add in config. */
public final class RouteRows {
  private static final String DEFAULTS = "/dev/nexusrouter/router/route/default-routes.yaml";

  private RouteRows() {}

  /** The built-in default table (the resource file {@code route/default-routes.yaml}). */
  public static List<RouteRow> defaults() {
    Problems problems = new Problems();
    JsonNode tree = Yaml.readResource(DEFAULTS, problems);
    List<RouteRow> rows = read(tree, "default-routes", problems);
    problems.throwIfAny(DEFAULTS);
    return rows;
  }

  static List<RouteRow> read(JsonNode node, String path, Problems problems) {
    List<RouteRow> rows = new ArrayList<>();
    if (node == null) {
      return rows;
    }
    if (!node.isArray()) {
      problems.add(path, "expected a list of route rows, found " + Fields.describe(node));
      return rows;
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      RouteRow row = readRow(node.get(i), path + "[" + i + "]", problems);
      if (row != null) {
        if (!ids.add(row.id())) {
          problems.add(path + "[" + i + "].id", "duplicate row id '" + row.id() + "'");
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static RouteRow readRow(JsonNode node, String path, Problems problems) {
    Fields f = Fields.of(node, path, problems);
    if (f == null) {
      return null;
    }
    String id = f.string("id", null);
    if (id == null || id.isBlank()) {
      problems.add(f.pathOf("id"), "every row needs an id");
      id = path;
    }
    Set<String> methods = new HashSet<>();
    for (String m : f.strings("methods")) {
      String up = m.toUpperCase(Locale.ROOT);
      if (up.equals("ANY")) {
        methods.clear();
        break;
      }
      if (!RegistryMethods.contains(up)) {
        problems.add(f.pathOf("methods"), "unknown method '" + m + "'");
      }
      methods.add(up);
    }
    Set<PathKind> kinds = new HashSet<>();
    for (String p : f.strings("paths")) {
      if (p.equals("any")) {
        kinds.clear();
        break;
      }
      PathKind k = PathKind.fromWireName(p);
      if (k == null || k == PathKind.INVALID) {
        problems.add(
            f.pathOf("paths"), "unknown path kind '" + p + "'" + " (one of " + kindNames() + ")");
      } else {
        kinds.add(k);
      }
    }
    Pattern repository = null;
    String repo = f.string("repository", null);
    if (repo != null) {
      try {
        repository = Pattern.compile(repo);
      } catch (PatternSyntaxException e) {
        problems.add(f.pathOf("repository"), "invalid pattern: " + e.getDescription());
      }
    }
    Condition condition = Condition.ALWAYS;
    String when = f.string("when", null);
    if (when != null) {
      condition = Condition.fromWireName(when);
      if (condition == null) {
        String removed = Condition.removedConditionHint(when);
        problems.add(
            f.pathOf("when"),
            removed != null
                ? removed
                : "unknown condition '" + when + "' (accept-one, accept-several, repository-path)");
        condition = Condition.ALWAYS;
      }
    }
    String to = f.string("to", null);
    if (to == null) {
      problems.add(
          f.pathOf("to"),
          "every row needs a target (group, hosted, hosted-then-group, v1, legacy or an upstream"
              + " name)");
      to = "legacy";
    }
    Target target = Target.parse(to);
    if (target.kind() == Target.Kind.HOSTED_THEN_GROUP
        && (methods.isEmpty() || !methods.equals(Set.of("HEAD")))) {
      // only a request without a body can be sent a second time
      problems.add(f.pathOf("to"), "hosted-then-group needs methods: [HEAD]");
    }
    boolean unclassified = f.bool("unclassified", false);
    String why = f.string("why", "");
    f.finish();
    return new RouteRow(id, methods, kinds, repository, condition, target, unclassified, why);
  }

  private static String kindNames() {
    List<String> names = new ArrayList<>();
    for (PathKind k : PathKind.values()) {
      if (k != PathKind.INVALID) {
        names.add(k.wireName());
      }
    }
    return String.join(", ", names);
  }
}
