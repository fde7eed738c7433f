package dev.nexusrouter.router.route;

import java.util.List;
import java.util.Set;

/**
 * The HTTP methods a registry host accepts, the only ones a route row may name, and the method
 * labels metrics keep (anything else is counted as {@code OTHER}). One list, so the three cannot
 * drift apart.
 */
public final class RegistryMethods {
  /** In the order error messages and documentation list them. */
  public static final List<String> ORDER =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /** The same methods as a set, for lookups. */
  public static final Set<String> ALL = Set.copyOf(ORDER);

  private RegistryMethods() {}

  /** True for an upper-case method in {@link #ORDER}; method names are case-sensitive. */
  public static boolean contains(String method) {
    return ALL.contains(method);
  }
}
