package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.RouteRows;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DefaultRouteTableTest {
  private static final RouteTable TABLE = new RouteTable(RouteRows.defaults());

  static Stream<Arguments> cases() throws IOException {
    return RegistryPathParserTest.Table.read("route-cases.txt").stream()
        .map(r -> Arguments.of((Object[]) r));
  }

  @ParameterizedTest(name = "{0} {1} accept={2} state={3} -> {4} {5}")
  @MethodSource("cases")
  void routesEachRequestOfTheTable(
      String method, String path, String accept, String state, String row, String target) {
    RegistryPath parsed = RegistryPathParser.parse(path);
    RequestFacts facts = new RequestFacts(method, parsed, accept.equals("one"), "client-1");
    PushSignals signals =
        new PushSignals() {
          @Override
          public boolean recentPushActivity(String client, String name) {
            return state.equals("pushing") && client.equals("client-1");
          }

          @Override
          public boolean recentManifestDigestMiss(String client, String name, String digest) {
            return state.equals("digest-miss") && client.equals("client-1");
          }
        };
    RouteRow match = TABLE.match(facts, signals);
    assertNotNull(match, "no row for " + method + " " + path);
    assertEquals(row, match.id(), method + " " + path);
    assertEquals(target, match.target().toString(), method + " " + path);
  }

  @Test
  void everyDefaultRowIsExercisedByTheCaseTable() throws IOException {
    List<String> used =
        RegistryPathParserTest.Table.read("route-cases.txt").stream().map(r -> r[4]).toList();
    for (RouteRow r : TABLE.rows()) {
      assertTrue(used.contains(r.id()), "row " + r.id() + " has no case in route-cases.txt");
    }
  }

  @Test
  void headBlobNeverReachesTheGroupWithoutTheDigestFallbackSignal() {
    for (String accept : new String[] {"-", "one"}) {
      RequestFacts facts =
          new RequestFacts(
              "HEAD",
              RegistryPathParser.parse("/v2/team/app/blobs/sha256:aa"),
              accept.equals("one"),
              "c");
      assertEquals("hosted", TABLE.match(facts, PushSignals.NONE).target().toString());
    }
  }

  @Test
  void theLastRowIsACatchAllMarkedUnclassified() {
    RouteRow last = TABLE.rows().get(TABLE.rows().size() - 1);
    assertTrue(last.methods().isEmpty() && last.kinds().isEmpty() && last.unclassified());
  }
}
