package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.RouteRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteLintTest {
  private static RouteRow row(String id, Set<String> methods, Set<PathKind> kinds, Condition c) {
    return new RouteRow(id, methods, kinds, null, c, Target.GROUP, false, "");
  }

  @Test
  void theDefaultTableIsClean() {
    assertEquals(List.of(), RouteLint.check(new RouteTable(RouteRows.defaults())));
  }

  @Test
  void aRowBehindABroaderUnconditionalRowIsReported() {
    List<RouteRow> rows = new ArrayList<>();
    rows.add(row("wide", Set.of("GET", "HEAD"), Set.of(), Condition.ALWAYS));
    rows.add(row("narrow", Set.of("GET"), Set.of(PathKind.MANIFEST), Condition.ALWAYS));
    rows.add(row("conditional-ok", Set.of("PUT"), Set.of(), Condition.ACCEPT_ONE));
    rows.add(row("all", Set.of(), Set.of(), Condition.ALWAYS));
    List<String> w = RouteLint.check(new RouteTable(rows));
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).contains("'narrow' can never match") && w.get(0).contains("'wide'"));
  }

  @Test
  void aMissingCatchAllIsReported() {
    List<String> w =
        RouteLint.check(
            new RouteTable(List.of(row("only", Set.of("GET"), Set.of(), Condition.ALWAYS))));
    assertTrue(w.get(w.size() - 1).contains("no catch-all row"), w.toString());
  }
}
