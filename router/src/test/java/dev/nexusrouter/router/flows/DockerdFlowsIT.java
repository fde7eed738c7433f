package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.BASIC;
import static dev.nexusrouter.router.flows.Clients.BEARER;
import static dev.nexusrouter.router.flows.Clients.DOCKER_V2;
import static dev.nexusrouter.router.flows.Clients.get;
import static dev.nexusrouter.router.flows.Clients.head;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.Nexus.LocationStyle;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RouterExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flows F1–F4 (docs/routing.md#client-flows): classic dockerd login, pull, push, push with mount.
 */
class DockerdFlowsIT {
  @RegisterExtension static final RouterExtension router = new RouterExtension();

  private String realm() {
    return "http://" + router.fixture().hostHeader() + "/v2/token";
  }

  @Test
  void f1LoginPingAndTokenGoToGroupAndRealmCarriesHostPort() {
    var ping = router.flow().step(G, get("/v2/"), Nexus.challenge()).status(401);
    assertEquals(router.fixture().hostHeader(), ping.seen().header("Host"));
    assertEquals(
        "Bearer realm=\"" + realm() + "\",service=\"" + realm() + "\"",
        ping.response().header("WWW-Authenticate"));
    assertEquals(Nexus.API_VERSION, ping.response().header("Docker-Distribution-Api-Version"));

    String service = URLEncoder.encode(realm(), StandardCharsets.UTF_8);
    var token =
        router
            .flow()
            .step(
                G,
                get("/v2/token?account=u&client_id=docker&offline_token=true&service=" + service)
                    .header("Authorization", BASIC),
                Nexus.token())
            .status(200);
    assertEquals(BASIC, token.seen().header("Authorization"));
    assertTrue(token.response().bodyText().startsWith("{\"token\":\"DockerToken."));

    var authed =
        router.flow().step(G, get("/v2/").header("Authorization", BEARER), Nexus.ok()).status(200);
    assertEquals(BEARER, authed.seen().header("Authorization"));
    assertEquals(0, router.fixture().hosted.count(), "login never touches hosted");
  }

  @Test
  void f2PullIsEntirelyOnGroup() {
    byte[] manifest = "{\"schemaVersion\":2,\"f2\":true}".getBytes(StandardCharsets.UTF_8);
    byte[] cfg = Clients.randomBytes(700, 1);
    byte[] l1 = Clients.randomBytes(300_000, 2);
    byte[] l2 = Clients.randomBytes(50_000, 3);
    String md = Nexus.sha256(manifest);
    String n = "/v2/team/app";
    List<Step> steps =
        List.of(
            new Step(G, get("/v2/"), Nexus.challenge(), 401),
            new Step(
                G,
                get("/v2/token?scope=repository:team/app:pull&service=x&account=u")
                    .header("Authorization", BASIC),
                Nexus.token(),
                200),
            new Step(
                G,
                Clients.dockerdManifestHead(n + "/manifests/1.0").header("Authorization", BEARER),
                Nexus.exists(md, manifest.length, DOCKER_V2),
                200),
            new Step(
                G,
                get(n + "/manifests/" + md).header("Authorization", BEARER),
                Nexus.content(manifest, DOCKER_V2),
                200),
            new Step(G, get(n + "/blobs/" + Nexus.sha256(cfg)), Nexus.content(cfg, "x/c"), 200),
            new Step(G, get(n + "/blobs/" + Nexus.sha256(l1)), Nexus.content(l1, "x/l"), 200),
            new Step(G, get(n + "/blobs/" + Nexus.sha256(l2)), Nexus.content(l2, "x/l"), 200));
    for (Step s : steps) {
      var r = s.run(router.flow());
      if (s.request().method().equals("HEAD")) {
        assertEquals(md, r.response().header("Docker-Content-Digest"));
        assertEquals(Integer.toString(manifest.length), r.response().header("Content-Length"));
      } else if (s.request().target().contains("/blobs/")) {
        String digest = s.request().target().substring(s.request().target().lastIndexOf('/') + 1);
        assertEquals(digest, Nexus.sha256(r.response().body()), "blob body byte-exact");
      }
    }
    assertEquals(
        0, router.fixture().hosted.count(), "a dockerd pull must not make a hosted round trip");
  }

  /** POST / chunked PATCH / PUT ?digest= for one blob, Location in the given style. */
  private void pushBlobDockerd(String name, byte[] blob, LocationStyle style) {
    var post = PushSteps.startUpload(router.flow(), "/v2/" + name + "/blobs/uploads/", style);
    String loc = post.response().header("Location");
    assertClientFacing(loc, style);
    assertEquals(
        post.response().header("Docker-Upload-UUID"), loc.substring(loc.lastIndexOf('/') + 1));

    var patch =
        router
            .flow()
            .step(
                H,
                Flow.follow("PATCH", loc)
                    .header("Content-Type", "application/octet-stream")
                    .body(blob)
                    .chunked(32 * 1024),
                Nexus.uploadAccepted(style))
            .status(202);
    assertEquals(blob.length, patch.seen().bodyLength(), "chunked PATCH length at hosted");
    assertEquals(Nexus.sha256Hex(blob), patch.seen().bodySha256(), "chunked PATCH bytes at hosted");
    assertEquals("0-" + (blob.length - 1), patch.response().header("Range"));
    String loc2 = patch.response().header("Location");
    assertClientFacing(loc2, style);

    String digest = Nexus.sha256(blob);
    var put =
        router
            .flow()
            .step(
                H,
                Flow.follow("PUT", Nexus.withQuery(loc2, "digest=" + digest)).body(new byte[0]),
                Nexus.blobCreated())
            .status(201);
    assertEquals(0, put.seen().bodyLength());
    assertEquals(digest, Nexus.queryParam(put.seen().query(), "digest"));
    assertEquals(digest, put.response().header("Docker-Content-Digest"));
  }

  /** A Location the client can use: relative, or absolute on the address the client called. */
  private void assertClientFacing(String loc, LocationStyle style) {
    if (style == LocationStyle.RELATIVE) {
      assertTrue(loc.startsWith("/v2/"), loc);
    } else {
      assertTrue(loc.startsWith("http://" + router.fixture().hostHeader() + "/v2/"), loc);
    }
  }

  @Test
  void f3PushWritesAndBlobHeadsGoToHostedWithAllLocationStyles() {
    String n = "team/app";
    byte[] l1 = Clients.randomBytes(5 * 1024 * 1024 + 123, 11);
    byte[] l2 = Clients.randomBytes(70_000, 12);
    byte[] cfg = Clients.randomBytes(900, 13);
    router.flow().step(G, get("/v2/"), Nexus.challenge()).status(401);
    router
        .flow()
        .step(
            G,
            get("/v2/token?scope=repository:team/app:push,pull&service=x&account=u")
                .header("Authorization", BASIC),
            Nexus.token())
        .status(200);
    pushBlobDockerd(n, l1, LocationStyle.PUBLIC);
    pushBlobDockerd(n, l2, LocationStyle.RELATIVE);
    router
        .flow()
        .step(
            H,
            head("/v2/" + n + "/blobs/" + Nexus.sha256(cfg)),
            Nexus.error(404, "BLOB_UNKNOWN", "blob unknown to registry"))
        .status(404);
    pushBlobDockerd(n, cfg, LocationStyle.INTERNAL);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"layers\":[\"" + Nexus.sha256(l1) + "\"]}")
            .getBytes(StandardCharsets.UTF_8);
    var put =
        PushSteps.putManifest(
            router.flow(),
            RawRequest.of("PUT", "/v2/" + n + "/manifests/1.0"),
            DOCKER_V2,
            manifest);
    assertEquals(DOCKER_V2, put.seen().header("Content-Type"));
    assertEquals(Nexus.sha256(manifest), put.response().header("Docker-Content-Digest"));
  }

  @Test
  void f4MountQueryPreservedAndCancelGoesToHosted() {
    byte[] base = Clients.randomBytes(40_000, 21);
    String d = Nexus.sha256(base);
    router
        .flow()
        .step(
            H,
            head("/v2/team/app/blobs/" + d),
            Nexus.error(404, "BLOB_UNKNOWN", "blob unknown to registry"))
        .status(404);
    String mount1 = "/v2/team/app/blobs/uploads/?from=library/alpine&mount=" + d;
    var first = PushSteps.startUpload(router.flow(), mount1, LocationStyle.INTERNAL);
    assertEquals("from=library/alpine&mount=" + d, first.seen().query());
    String mount2 = "/v2/team/app/blobs/uploads/?from=team/base&mount=" + d;
    var second = PushSteps.startUpload(router.flow(), mount2, LocationStyle.RELATIVE);
    assertEquals("from=team/base&mount=" + d, second.seen().query());

    // the earlier candidate's session is cancelled
    String loc1 = first.response().header("Location");
    assertTrue(
        loc1.startsWith("http://" + router.fixture().hostHeader() + "/v2/team/app/blobs/uploads/"),
        loc1);
    router
        .flow()
        .step(H, Flow.follow("DELETE", loc1), Nexus.error(204, "", "").body(new byte[0]))
        .status(204);

    String loc2 = second.response().header("Location");
    var patch =
        router
            .flow()
            .step(
                H,
                Flow.follow("PATCH", loc2).body(base).chunked(4096),
                Nexus.uploadAccepted(LocationStyle.RELATIVE))
            .status(202);
    assertEquals(Nexus.sha256Hex(base), patch.seen().bodySha256());
    router
        .flow()
        .step(
            H,
            Flow.follow("PUT", Nexus.withQuery(patch.response().header("Location"), "digest=" + d))
                .body(new byte[0]),
            Nexus.blobCreated())
        .status(201);
    assertEquals(0, router.fixture().group.count(), "no push step may reach the group");
    assertNull(router.fixture().hosted.last().header("X-Forwarded-Host"));
  }
}
