package dev.nexusrouter.router.route;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One row of the route table: it matches when the method is in {@code methods} (empty = any), the
 * path kind is in {@code kinds} (empty = any), the optional repository-name pattern matches the
 * whole name, and the condition holds.
 *
 * @param id short name shown in logs, metrics and {@code /routes}
 * @param unclassified marks the safety-net row: requests it takes are counted and logged
 */
public record RouteRow(
    String id,
    Set<String> methods,
    Set<PathKind> kinds,
    Pattern repository,
    Condition condition,
    Target target,
    boolean unclassified,
    String why) {

  public RouteRow {
    methods = Set.copyOf(methods);
    kinds = Set.copyOf(kinds);
  }

  boolean matches(RequestFacts facts) {
    if (!methods.isEmpty() && !methods.contains(facts.method())) {
      return false;
    }
    RegistryPath path = facts.path();
    if (!kinds.isEmpty() && !kinds.contains(path.kind())) {
      return false;
    }
    if (repository != null && (path.name() == null || !repository.matcher(path.name()).matches())) {
      return false;
    }
    return switch (condition) {
      case ALWAYS -> true;
      case REPOSITORY_PATH -> path.repository() != null;
      case ACCEPT_ONE -> facts.acceptTypes() == 1;
      case ACCEPT_SEVERAL -> facts.acceptTypes() >= AcceptShape.SEVERAL;
    };
  }

  /** A one-line, human-readable form for {@code /routes} and {@code check}. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(id).append(": ");
    sb.append(methods.isEmpty() ? "any" : String.join(",", new java.util.TreeSet<>(methods)));
    sb.append(' ');
    if (kinds.isEmpty()) {
      sb.append("any");
    } else {
      sb.append(String.join(",", kinds.stream().map(PathKind::wireName).sorted().toList()));
    }
    if (repository != null) {
      sb.append(" repository=").append(repository.pattern());
    }
    if (condition != Condition.ALWAYS) {
      sb.append(" when ").append(condition.wireName());
    }
    sb.append(" -> ").append(target);
    if (unclassified) {
      sb.append(" (unclassified)");
    }
    return sb.toString();
  }
}
