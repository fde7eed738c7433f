package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.get;
import static dev.nexusrouter.router.flows.Clients.head;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static dev.nexusrouter.router.testing.Flow.Up.NONE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RawResponse;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterExtension;
import dev.nexusrouter.router.testing.RouterFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Errors the router authors (registry JSON + {@code Docker-Distribution-Api-Version}) versus
 * upstream errors, which pass through untouched.
 */
class RouterErrorsIT {
  /** The default router, for the tests that need no options of their own. */
  @RegisterExtension static final RouterExtension router = new RouterExtension();

  private static void assertRegistryError(RawResponse r, int status, String code) {
    assertEquals(status, r.status(), r::toString);
    assertEquals("registry/2.0", r.header("Docker-Distribution-Api-Version"), r::toString);
    assertTrue(
        r.bodyText().startsWith("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\""),
        r::toString);
    assertTrue(r.header("Content-Type").startsWith("application/json"), r::toString);
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void upstreamRefusedIs503RegistryJson() {
    try (RouterFixture f =
        RouterFixture.builder()
            .groupServer("http://127.0.0.1:" + closedPort())
            .group("connect-timeout: 2s")
            .start()) {
      Flow flow = new Flow(f);
      assertRegistryError(
          flow.step(NONE, get("/v2/"), Reply.of(200)).response(), 503, "UNAVAILABLE");
      RawResponse headResp =
          flow.step(NONE, Clients.containerdResolve("/v2/team/app/manifests/1.0"), Reply.of(200))
              .response();
      assertEquals(503, headResp.status());
      assertEquals("registry/2.0", headResp.header("Docker-Distribution-Api-Version"));
      // hosted still works
      flow.step(H, head("/v2/team/app/blobs/sha256:" + "0".repeat(64)), Reply.of(404)).status(404);
    }
  }

  @Test
  void invalidPathShapesAre400AndNeverForwarded() {
    Flow flow = router.flow();
    for (String target :
        new String[] {
          "/v2/a/%2e%2e/blobs/x",
          "/v2/a/%2E%2E/manifests/1.0",
          "/v2/a%2Fb/manifests/1.0",
          "/v2/a%2fb/blobs/uploads/",
          "/v2/a//b/manifests/1.0",
        }) {
      RawResponse r = flow.step(NONE, get(target), Reply.of(200)).response();
      assertRegistryError(r, 400, "NAME_INVALID");
    }
  }

  @Test
  void upstreamErrorBodiesPassThroughUntouched() {
    Flow flow = router.flow();
    Reply notFound = Nexus.error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    var r = flow.step(G, get("/v2/team/app/manifests/9.9"), notFound).status(404);
    assertArrayEquals(notFound.body(), r.response().body());
    assertEquals("application/json", r.response().header("Content-Type"));

    Reply html = Reply.of(500).header("Content-Type", "text/html").body("<h1>Nexus broke</h1>");
    var r500 = flow.step(G, get("/v2/team/app/manifests/1.0"), html).status(500);
    assertArrayEquals(html.body(), r500.response().body());
    assertEquals("text/html", r500.response().header("Content-Type"));

    // a HEAD 404 keeps the upstream's headers (no router JSON headers swapped in)
    Reply headMiss =
        Reply.of(404)
            .header("Content-Type", "application/json")
            .header("Content-Length", "157")
            .header("Docker-Distribution-Api-Version", "registry/2.0");
    var h = flow.step(H, head("/v2/team/app/blobs/sha256:" + "9".repeat(64)), headMiss).status(404);
    assertEquals("157", h.response().header("Content-Length"), h.response()::toString);
    assertEquals("application/json", h.response().header("Content-Type"));

    // an upstream 404 with an empty body stays empty
    var empty = flow.step(G, get("/v2/team/app/tags/list"), Reply.of(404)).status(404);
    assertEquals(0, empty.response().body().length, empty.response()::toString);
  }

  @Test
  void maxBodySizeAnswers413BeforeTheUpstreamSeesAnything() {
    try (RouterFixture f = RouterFixture.builder().host("max-body-size: 1k").start()) {
      Flow flow = new Flow(f);
      // only the headers are sent: the router must decide from Content-Length alone
      RawResponse r =
          flow.step(
                  NONE,
                  RawRequest.of("PUT", "/v2/team/app/blobs/uploads/u-1?digest=sha256:0")
                      .header("Content-Length", "2048"),
                  Reply.of(201))
              .response();
      assertRegistryError(r, 413, "SIZE_INVALID");
      assertEquals(0, f.hosted.count());
      assertEquals(0, f.group.count());

      byte[] small = Clients.randomBytes(1000, 91);
      var ok =
          flow.step(
                  H,
                  RawRequest.of("PATCH", "/v2/team/app/blobs/uploads/u-1").body(small),
                  Reply.of(202))
              .status(202);
      assertEquals(Nexus.sha256Hex(small), ok.seen().bodySha256());
    }
  }

  @Test
  void slowUpstreamAnswerIs504RegistryJson() {
    try (RouterFixture f = RouterFixture.builder().group("read-timeout: 300ms").start()) {
      Flow flow = new Flow(f);
      var r = flow.step(G, get("/v2/team/app/manifests/1.0"), Reply.of(200).delay(1500));
      assertRegistryError(r.response(), 504, "UNAVAILABLE");
    }
  }
}
