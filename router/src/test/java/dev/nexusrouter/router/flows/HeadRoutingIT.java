package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.OCI_LAYER;
import static dev.nexusrouter.router.flows.Clients.OCI_MANIFEST;
import static dev.nexusrouter.router.flows.Clients.containerdPushCheck;
import static dev.nexusrouter.router.flows.Clients.containerdResolve;
import static dev.nexusrouter.router.flows.Clients.head;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Flow.Up;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RawResponse;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterExtension;
import dev.nexusrouter.router.testing.RouterFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where HEAD manifests and HEAD blobs go: decided by each request's Accept shape alone, never by
 * what the same client did before (docs/client-request-shapes.md), plus the hosted-then-group
 * once-retry for the HEADs that do not say what they are.
 */
class HeadRoutingIT {
  private static final Reply MISS = Nexus.error(404, "MANIFEST_UNKNOWN", "manifest unknown");
  private static final String D1 = "sha256:" + "a1".repeat(32);
  private static final String D2 = "sha256:" + "b2".repeat(32);

  @RegisterExtension static final RouterExtension router = new RouterExtension();

  private void expect(Up to, RawRequest r) {
    router.flow().step(to, r, Reply.of(404)).status(404);
  }

  private static Reply found(String digest) {
    return Reply.of(200)
        .header("Docker-Content-Digest", digest)
        .header("Content-Type", OCI_MANIFEST)
        .header("Content-Length", "1234");
  }

  @Test
  void theAcceptShapeAloneDecides() {
    record Row(RawRequest request, Up to) {}
    for (Row row :
        List.of(
            new Row(containerdPushCheck("/v2/t/a/manifests/1.0", OCI_MANIFEST), H),
            new Row(head("/v2/t/a/manifests/1.0").header("Accept", OCI_MANIFEST), H),
            new Row(containerdResolve("/v2/t/a/manifests/1.0"), G),
            new Row(containerdResolve("/v2/t/a/manifests/" + D1), G),
            new Row(Clients.dockerdManifestHead("/v2/t/a/manifests/1.0"), G),
            new Row(head("/v2/t/a/blobs/" + D1), H),
            new Row(containerdPushCheck("/v2/t/a/blobs/" + D1, OCI_LAYER), H),
            new Row(head("/v2/t/a/blobs/" + D1).header("Accept", "*/*"), H),
            // containerd's resolve-by-digest fallback repeats its resolver Accept list
            new Row(containerdResolve("/v2/t/a/blobs/" + D1), G))) {
      expect(row.to(), row.request());
    }
  }

  /**
   * Issue #13's reproduction at the HTTP level: a client that has just pushed (and HEADed blobs of)
   * library/hello still resolves a proxy-only tag of library/hello on the group.
   */
  @Test
  void aResolveAfterAPushToTheSameRepositoryStillReachesTheGroup() {
    router.flow().step(H, head("/v2/library/hello/blobs/" + D1), Reply.of(404)).status(404);
    router
        .flow()
        .step(
            H,
            RawRequest.of("POST", "/v2/library/hello/blobs/uploads/").body(new byte[0]),
            Reply.of(202))
        .status(202);
    router
        .flow()
        .step(
            H,
            RawRequest.of("PUT", "/v2/library/hello/manifests/mine")
                .header("Content-Type", OCI_MANIFEST)
                .body("{}"),
            Reply.of(201))
        .status(201);
    router
        .flow()
        .stepSplit(G, containerdResolve("/v2/library/hello/manifests/1"), found(D2), MISS)
        .status(200);
    router
        .flow()
        .stepSplit(G, Clients.dockerdManifestHead("/v2/library/hello/manifests/1"), found(D2), MISS)
        .status(200);
  }

  @Test
  void aPushCheckIsNeverRetriedOnTheGroup() {
    // hosted says "not there", the group has it: the push must see 404 and upload
    RawResponse r =
        router
            .flow()
            .stepSplit(
                H,
                containerdPushCheck("/v2/library/hello/manifests/1", OCI_MANIFEST),
                found(D2),
                MISS)
            .status(404)
            .response();
    assertEquals(null, r.header("Docker-Content-Digest"));
    router
        .flow()
        .stepSplit(H, head("/v2/library/hello/blobs/" + D2), Reply.of(200), Reply.of(404))
        .status(404);
  }

  @Test
  void anUndecidedHeadManifestIsAnsweredByHostedWhenHostedHasIt() {
    router.fixture().hosted.respond(found(D1));
    router.fixture().group.respond(found(D2));
    int g = router.fixture().group.count();
    RawResponse r =
        head("/v2/team/app/manifests/1.0")
            .header("Authorization", Clients.BASIC)
            .send(router.fixture().port);
    assertEquals(200, r.status(), r.toString());
    assertEquals(D1, r.header("Docker-Content-Digest"));
    assertEquals("1234", r.header("Content-Length"));
    assertEquals(g, router.fixture().group.count(), "the group is not asked when hosted answers");
    var seen = router.fixture().hosted.last();
    assertEquals("HEAD", seen.method());
    assertEquals(router.fixture().hostedPath + "/v2/team/app/manifests/1.0", seen.uri());
    assertEquals(Clients.BASIC, seen.header("Authorization"));
    assertEquals("http", seen.header("X-Forwarded-Proto"));
    assertTrue(seen.header("Host").startsWith("localhost:"), seen.toString());
  }

  @Test
  void anUndecidedHeadManifestThatHostedLacksIsRetriedOnceOnTheGroup() {
    for (String accept : new String[] {null, "*/*"}) {
      router.fixture().hosted.respond(MISS);
      router.fixture().group.respond(found(D2));
      int h = router.fixture().hosted.count();
      int g = router.fixture().group.count();
      RawRequest req = head("/v2/library/hello/manifests/1?ns=docker.io");
      if (accept != null) {
        req.header("Accept", accept);
      }
      RawResponse r = req.send(router.fixture().port);
      assertEquals(200, r.status(), accept + ": " + r);
      assertEquals(D2, r.header("Docker-Content-Digest"));
      assertEquals(h + 1, router.fixture().hosted.count(), "hosted asked once");
      assertEquals(g + 1, router.fixture().group.count(), "group asked once");
      assertEquals(
          router.fixture().groupPath + "/v2/library/hello/manifests/1?ns=docker.io",
          router.fixture().group.last().uri());
    }
  }

  /** Path-addressed upstreams: the retry goes below each upstream's own repository path. */
  @Test
  void theRetryKeepsEachUpstreamsRepositoryPath() {
    try (RouterFixture p =
        RouterFixture.builder()
            .groupPath("/repository/docker-group")
            .hostedPath("/repository/docker-hosted")
            .start()) {
      p.hosted.respond(MISS);
      p.group.respond(found(D2));
      RawResponse r = head("/v2/library/hello/manifests/1").send(p.port);
      assertEquals(200, r.status(), r.toString());
      assertEquals("/repository/docker-hosted/v2/library/hello/manifests/1", p.hosted.last().uri());
      assertEquals("/repository/docker-group/v2/library/hello/manifests/1", p.group.last().uri());
    }
  }

  @Test
  void anUndecidedHeadManifestMissingEverywhereIsOne404FromTheGroup() {
    router.fixture().hosted.respond(MISS);
    router.fixture().group.respond(MISS);
    int g = router.fixture().group.count();
    RawResponse r = head("/v2/team/none/manifests/" + D1).send(router.fixture().port);
    assertEquals(404, r.status(), r.toString());
    assertEquals(g + 1, router.fixture().group.count());
  }

  @Test
  void hostedsAuthChallengeIsRelayedNotRetried() {
    router
        .fixture()
        .hosted
        .respond(
            Reply.of(401)
                .header(
                    "WWW-Authenticate", "Bearer realm=\"http://localhost/v2/token\",service=\"x\"")
                .header("Docker-Distribution-Api-Version", "registry/2.0"));
    router.fixture().group.respond(found(D2));
    int g = router.fixture().group.count();
    RawResponse r = head("/v2/team/app/manifests/1.0").send(router.fixture().port);
    assertEquals(401, r.status(), r.toString());
    assertTrue(r.header("WWW-Authenticate").startsWith("Bearer realm="), r.toString());
    assertEquals(g, router.fixture().group.count());
  }

  @Test
  void manyUndecidedHeadsInARowReuseTheUpstreamConnections() {
    for (int i = 0; i < 200; i++) {
      router.fixture().hosted.respond(i % 2 == 0 ? MISS : found(D1));
      router.fixture().group.respond(found(D2));
      RawResponse r = head("/v2/team/app/manifests/" + i).send(router.fixture().port);
      assertEquals(200, r.status(), "request " + i + ": " + r);
      assertEquals(i % 2 == 0 ? D2 : D1, r.header("Docker-Content-Digest"), "request " + i);
    }
  }

  /**
   * The hosted-then-group probe sends hosted the same headers as the ordinary proxy path: a client
   * cannot choose the address, host, port or scheme Nexus sees (the token realm and Location of a
   * relayed answer are built from them, and X-Real-IP is what Nexus logs as the client).
   */
  @Test
  void theProbeSendsHostedTheSameForwardingHeadersAsTheProxy() {
    String path = "/v2/team/app/manifests/1.0?ns=docker.io";
    // origin-form and absolute-form request targets (RFC 9112, section 3.2)
    for (String target : List.of(path, "http://localhost:" + router.fixture().port + path)) {
      router.fixture().hosted.respond(found(D1));
      RawResponse probed = spoofed(head(target)).send(router.fixture().port);
      assertEquals(200, probed.status(), target + ": " + probed);
      var r9h = router.fixture().hosted.last();
      RawResponse proxied =
          spoofed(head(target).header("Accept", OCI_MANIFEST)).send(router.fixture().port);
      assertEquals(200, proxied.status(), target + ": " + proxied);
      var r9p = router.fixture().hosted.last();

      String seen = target + ": " + r9h.headers();
      assertEquals("127.0.0.1", r9h.header("X-Real-IP"), seen);
      assertEquals(false, r9h.hasHeader("Forwarded"), seen);
      assertEquals(false, r9h.hasHeader("X-Forwarded-Host"), seen);
      assertEquals(String.valueOf(router.fixture().port), r9h.header("X-Forwarded-Port"), seen);
      assertEquals("localhost", r9h.header("X-Forwarded-Server"), seen);
      assertEquals("http", r9h.header("X-Forwarded-Proto"), seen);
      assertEquals("6.6.6.6,127.0.0.1", r9h.header("X-Forwarded-For"), seen);
      assertEquals(router.fixture().hostedPath + path, r9h.uri(), target);
      assertEquals(r9p.uri(), r9h.uri(), target);
      var expected = new java.util.TreeMap<>(r9p.headers());
      var actual = new java.util.TreeMap<>(r9h.headers());
      expected.remove("Accept");
      actual.remove("Accept");
      assertEquals(expected, actual, target);
    }
  }

  private static RawRequest spoofed(RawRequest r) {
    return r.header("Authorization", Clients.BASIC)
        .header("Forwarded", "for=6.6.6.6;host=evil.example;proto=https")
        .header("X-Forwarded-Port", "1234")
        .header("X-Forwarded-Server", "evil")
        .header("X-Forwarded-Host", "evil.example:1234")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-For", "6.6.6.6")
        .header("X-Real-IP", "6.6.6.6");
  }
}
