package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.RouteRows;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DefaultRouteTableTest {
  private static final RouteTable TABLE = new RouteTable(RouteRows.defaults());

  /** The Accept headers the case table names, as the clients send them (one entry per line). */
  static final Map<String, List<String>> ACCEPT_SHAPES =
      Map.of(
          "-",
          List.of(),
          "wild",
          List.of("*/*"),
          "pusher",
          List.of("application/vnd.oci.image.manifest.v1+json, */*"),
          "layer",
          List.of("application/vnd.oci.image.layer.v1.tar+gzip, */*"),
          "resolver",
          List.of(
              "application/vnd.docker.distribution.manifest.v2+json,"
                  + " application/vnd.docker.distribution.manifest.list.v2+json,"
                  + " application/vnd.oci.image.manifest.v1+json,"
                  + " application/vnd.oci.image.index.v1+json, */*"),
          "docker",
          List.of(
              "application/vnd.docker.distribution.manifest.v2+json",
              "application/vnd.docker.distribution.manifest.list.v2+json",
              "application/vnd.oci.image.manifest.v1+json",
              "application/vnd.oci.image.index.v1+json"),
          "ggcr",
          List.of(
              "application/vnd.docker.distribution.manifest.v1+json,"
                  + "application/vnd.docker.distribution.manifest.v1+prettyjws,"
                  + "application/vnd.docker.distribution.manifest.v2+json,"
                  + "application/vnd.oci.image.manifest.v1+json,"
                  + "application/vnd.docker.distribution.manifest.list.v2+json,"
                  + "application/vnd.oci.image.index.v1+json"));

  static Stream<Arguments> cases() throws IOException {
    return RegistryPathParserTest.Table.read("route-cases.txt").stream()
        .map(r -> Arguments.of((Object[]) r));
  }

  private static RequestFacts facts(String method, String path, String accept) {
    List<String> header = ACCEPT_SHAPES.get(accept);
    assertNotNull(header, "unknown accept shape '" + accept + "' in route-cases.txt");
    // the router counts Accept only for HEAD manifest/blob; the table must hold either way
    return new RequestFacts(method, RegistryPathParser.parse(path), AcceptShape.count(header));
  }

  @ParameterizedTest(name = "{0} {1} accept={2} -> {3} {4}")
  @MethodSource("cases")
  void routesEachRequestOfTheTable(
      String method, String path, String accept, String row, String target) {
    RouteRow match = TABLE.match(facts(method, path, accept));
    assertNotNull(match, "no row for " + method + " " + path);
    assertEquals(row, match.id(), method + " " + path + " accept=" + accept);
    assertEquals(target, match.target().toString(), method + " " + path);
  }

  @Test
  void everyDefaultRowIsExercisedByTheCaseTable() throws IOException {
    List<String> used =
        RegistryPathParserTest.Table.read("route-cases.txt").stream().map(r -> r[3]).toList();
    for (RouteRow r : TABLE.rows()) {
      assertTrue(used.contains(r.id()), "row " + r.id() + " has no case in route-cases.txt");
    }
  }

  /** A push must never be told "exists" by the group: no push-shaped HEAD blob reaches it. */
  @Test
  void aHeadBlobReachesTheGroupOnlyWithTheResolversManifestList() {
    for (String accept : ACCEPT_SHAPES.keySet()) {
      RouteRow row = TABLE.match(facts("HEAD", "/v2/team/app/blobs/sha256:aa", accept));
      boolean resolverShape = AcceptShape.count(ACCEPT_SHAPES.get(accept)) >= AcceptShape.SEVERAL;
      assertEquals(resolverShape ? "group" : "hosted", row.target().toString(), accept);
    }
  }

  /** A pull must never be answered by hosted alone: every HEAD manifest can reach the group. */
  @Test
  void aHeadManifestThatIsNotAPushCheckAlwaysReachesTheGroup() {
    for (String accept : ACCEPT_SHAPES.keySet()) {
      RouteRow row = TABLE.match(facts("HEAD", "/v2/library/hello/manifests/1", accept));
      if (AcceptShape.count(ACCEPT_SHAPES.get(accept)) == 1) {
        assertEquals("hosted", row.target().toString(), accept);
      } else {
        assertTrue(
            row.target().kind() == Target.Kind.GROUP
                || row.target().kind() == Target.Kind.HOSTED_THEN_GROUP,
            accept + " -> " + row.target());
      }
    }
  }

  @Test
  void theLastRowIsACatchAllMarkedUnclassified() {
    RouteRow last = TABLE.rows().get(TABLE.rows().size() - 1);
    assertTrue(last.methods().isEmpty() && last.kinds().isEmpty() && last.unclassified());
  }
}
