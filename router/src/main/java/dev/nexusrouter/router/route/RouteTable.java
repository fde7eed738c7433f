package dev.nexusrouter.router.route;

import java.util.ArrayList;
import java.util.List;

/** An ordered, immutable list of rows; the first matching row wins. */
public final class RouteTable {
  private final List<RouteRow> rows;

  public RouteTable(List<RouteRow> rows) {
    this.rows = List.copyOf(rows);
  }

  /** User rows first, so they can override any default row. */
  public static RouteTable of(List<RouteRow> userRows, List<RouteRow> defaults) {
    List<RouteRow> all = new ArrayList<>(userRows);
    all.addAll(defaults);
    return new RouteTable(all);
  }

  public List<RouteRow> rows() {
    return rows;
  }

  /** The first matching row, or null when no row matches (only possible without a catch-all). */
  public RouteRow match(RequestFacts facts) {
    for (RouteRow row : rows) {
      if (row.matches(facts)) {
        return row;
      }
    }
    return null;
  }
}
