package dev.nexusrouter.router.route;

import java.util.ArrayList;
import java.util.List;

/** Finds rows that can never match and a missing catch-all. */
public final class RouteLint {
  private RouteLint() {}

  public static List<String> check(RouteTable table) {
    List<String> warnings = new ArrayList<>();
    List<RouteRow> rows = table.rows();
    for (int i = 0; i < rows.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (covers(rows.get(j), rows.get(i))) {
          warnings.add(
              "row '"
                  + rows.get(i).id()
                  + "' can never match: the earlier row '"
                  + rows.get(j).id()
                  + "' takes every request it would");
          break;
        }
      }
    }
    if (rows.isEmpty() || !isCatchAll(rows.get(rows.size() - 1))) {
      warnings.add("no catch-all row (methods: any, paths: any): unmatched requests get 404");
    }
    return warnings;
  }

  /** True when every request {@code later} matches is already matched by {@code earlier}. */
  static boolean covers(RouteRow earlier, RouteRow later) {
    if (earlier.condition() != Condition.ALWAYS || earlier.repository() != null) {
      return false;
    }
    boolean methods =
        earlier.methods().isEmpty()
            || (!later.methods().isEmpty() && earlier.methods().containsAll(later.methods()));
    boolean kinds =
        earlier.kinds().isEmpty()
            || (!later.kinds().isEmpty() && earlier.kinds().containsAll(later.kinds()));
    return methods && kinds;
  }

  static boolean isCatchAll(RouteRow r) {
    return r.methods().isEmpty()
        && r.kinds().isEmpty()
        && r.condition() == Condition.ALWAYS
        && r.repository() == null;
  }
}
