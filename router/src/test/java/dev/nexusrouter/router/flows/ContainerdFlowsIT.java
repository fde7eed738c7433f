package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.BASIC;
import static dev.nexusrouter.router.flows.Clients.BEARER;
import static dev.nexusrouter.router.flows.Clients.OCI_CONFIG;
import static dev.nexusrouter.router.flows.Clients.OCI_INDEX;
import static dev.nexusrouter.router.flows.Clients.OCI_LAYER;
import static dev.nexusrouter.router.flows.Clients.OCI_MANIFEST;
import static dev.nexusrouter.router.flows.Clients.containerdPushCheck;
import static dev.nexusrouter.router.flows.Clients.containerdResolve;
import static dev.nexusrouter.router.flows.Clients.get;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.Nexus.LocationStyle;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flows F5–F12 (docs/routing.md#client-flows): containerd / kubelet / nerdctl / BuildKit pulls (by
 * tag, by digest, mirror mode, authenticated), nerdctl login, and pushes (single-type Accept
 * checks, mounts, HEAD 403).
 */
class ContainerdFlowsIT {
  private static final Reply NOT_FOUND_MANIFEST =
      Nexus.error(404, "MANIFEST_UNKNOWN", "manifest unknown");
  private static final Reply NOT_FOUND_BLOB =
      Nexus.error(404, "BLOB_UNKNOWN", "blob unknown to registry");

  @RegisterExtension static final RouterExtension router = new RouterExtension();

  /** F5 (and F7 with {@code ?ns=docker.io} on every registry path). */
  private void pullByTag(String query) {
    byte[] index =
        "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] amd64 =
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] cfg = Clients.randomBytes(1200, 31);
    byte[] l1 = Clients.randomBytes(200_000, 32);
    byte[] l2 = Clients.randomBytes(20_000, 33);
    String n = "/v2/library/nginx";
    String idx = Nexus.sha256(index);
    List<Step> steps = new ArrayList<>();
    steps.add(
        new Step(G, containerdResolve(n + "/manifests/1.27" + query), Nexus.challenge(), 401));
    steps.add(
        new Step(
            G, get("/v2/token?scope=repository:library/nginx:pull&service=x"), Nexus.token(), 200));
    steps.add(
        new Step(
            G,
            containerdResolve(n + "/manifests/1.27" + query).header("Authorization", BEARER),
            Nexus.exists(idx, index.length, OCI_INDEX),
            200));
    steps.add(
        new Step(G, get(n + "/manifests/" + idx + query), Nexus.content(index, OCI_INDEX), 200));
    steps.add(
        new Step(
            G,
            get(n + "/manifests/" + Nexus.sha256(amd64) + query),
            Nexus.content(amd64, OCI_MANIFEST),
            200));
    for (byte[] blob : List.of(cfg, l1, l2)) {
      steps.add(
          new Step(
              G,
              get(n + "/blobs/" + Nexus.sha256(blob) + query)
                  .header("Accept-Encoding", "zstd;q=1.0, gzip;q=0.8, deflate;q=0.5"),
              Nexus.content(blob, "application/octet-stream"),
              200));
    }
    for (Step s : steps) {
      var r = s.run(router.flow());
      if (s.request().method().equals("HEAD") && r.response().status() == 200) {
        assertEquals(idx, r.response().header("Docker-Content-Digest"));
        assertEquals(Integer.toString(index.length), r.response().header("Content-Length"));
      }
      if (s.request().target().contains("/blobs/")) {
        assertEquals("zstd;q=1.0, gzip;q=0.8, deflate;q=0.5", r.seen().header("Accept-Encoding"));
        assertTrue(s.request().target().contains(Nexus.sha256(r.response().body())));
      }
    }
    assertEquals(
        0,
        router.fixture().hosted.count(),
        "a resolve HEAD routed to hosted would 404 (nginx bug)");
  }

  @Test
  void f5PullProxyOnlyImageByTagNeverTouchesHosted() {
    pullByTag("");
  }

  @Test
  void f7MirrorModeNamespaceQueryIsForwardedUnchangedAndIgnoredByRouting() {
    pullByTag("?ns=docker.io");
    assertTrue(
        router.fixture().group.requests().stream()
            .filter(r -> !r.path().equals("/v2/token"))
            .allMatch(r -> r.query().equals("ns=docker.io")),
        () -> "every registry request keeps ?ns=docker.io: " + router.fixture().group.requests());
  }

  @Test
  void f6PullByDigestAndDigestFallbackToGroup() {
    byte[] m = "{\"f6\":1}".getBytes(StandardCharsets.UTF_8);
    String d = Nexus.sha256(m);
    var r =
        router
            .flow()
            .stepSplit(
                G,
                containerdResolve("/v2/team/app/manifests/" + d),
                Nexus.exists(d, m.length, OCI_MANIFEST),
                NOT_FOUND_MANIFEST)
            .status(200);
    assertEquals(d, r.response().header("Docker-Content-Digest"));

    // variant: group 404s the manifest, so containerd HEADs the same digest as a blob (a pull)
    String missing = Nexus.sha256("not-a-manifest".getBytes(StandardCharsets.UTF_8));
    router
        .flow()
        .step(G, containerdResolve("/v2/team/app/manifests/" + missing), NOT_FOUND_MANIFEST)
        .status(404);
    var blob =
        router
            .flow()
            .stepSplit(
                G,
                containerdResolve("/v2/team/app/blobs/" + missing),
                Nexus.exists(missing, 14, "application/octet-stream"),
                NOT_FOUND_BLOB)
            .status(200);
    assertEquals(missing, blob.response().header("Docker-Content-Digest"));
    router
        .flow()
        .step(
            G,
            get("/v2/team/app/blobs/" + missing),
            Nexus.content("not-a-manifest".getBytes(StandardCharsets.UTF_8), "x/y"))
        .status(200);
    assertEquals(0, router.fixture().hosted.count());
  }

  /** Shared by F8: a containerd pull with credentials and the POST→GET token fallback. */
  private void authenticatedPull(Reply postTokenAnswer) {
    String m = "/v2/team/app/manifests/1.0";
    router.flow().step(G, containerdResolve(m), Nexus.challenge()).status(401);
    String form =
        "grant_type=password&username=u&password=p&client_id=containerd-client&service=x&scope=repository%3Ateam%2Fapp%3Apull";
    var post = PushSteps.postToken(router.flow(), form, postTokenAnswer).status(404);
    assertEquals(Nexus.sha256Hex(form.getBytes(StandardCharsets.UTF_8)), post.seen().bodySha256());
    assertArrayEquals(postTokenAnswer.body(), post.response().body(), "upstream body untouched");
    assertEquals(
        postTokenAnswer.headerValue("Content-Type"), post.response().header("Content-Type"));
    var token =
        router
            .flow()
            .step(
                G,
                get("/v2/token?scope=repository%3Ateam%2Fapp%3Apull&service=x")
                    .header("Authorization", BASIC),
                Nexus.token())
            .status(200);
    assertEquals(BASIC, token.seen().header("Authorization"));
    router
        .flow()
        .step(
            G,
            containerdResolve(m).header("Authorization", BEARER),
            Nexus.exists("sha256:" + "a".repeat(64), 100, OCI_INDEX))
        .status(200);
    assertEquals(
        0, router.fixture().hosted.count(), "POST and GET token requests go to the same upstream");
  }

  @Test
  void f8PostTokenGoesToSameUpstreamAsGetAndJson404PassesThrough() {
    authenticatedPull(Nexus.error(404, "NOT_FOUND", "no such endpoint"));
  }

  @Test
  void f8VariantHtml404ToPostTokenPassesThroughUntouched() {
    authenticatedPull(
        Reply.of(404)
            .header("Content-Type", "text/html")
            .body("<html><body><h1>404 Not Found</h1></body></html>"));
  }

  @Test
  void f9NerdctlLoginUsesPostTokenOnGroup() {
    router.flow().step(G, get("/v2/"), Nexus.challenge()).status(401);
    var post =
        PushSteps.postToken(
                router.flow(),
                "grant_type=password&username=u&password=p&client_id=containerd-client&service=x",
                r ->
                    Reply.of(200)
                        .json("{\"access_token\":\"DockerToken.x\",\"token\":\"DockerToken.x\"}"))
            .status(200);
    assertEquals("application/x-www-form-urlencoded", post.seen().header("Content-Type"));
    assertTrue(post.seen().bodyLength() > 0);
    router.flow().step(G, get("/v2/").header("Authorization", BEARER), Nexus.ok()).status(200);
    assertEquals(0, router.fixture().hosted.count());
  }

  /** containerd pusher: HEAD (single type) → POST → monolithic PUT with Content-Length. */
  private void pushBlobContainerd(String name, byte[] blob, String mediaType, LocationStyle style) {
    String d = Nexus.sha256(blob);
    router
        .flow()
        .stepSplit(
            H,
            containerdPushCheck("/v2/" + name + "/blobs/" + d, mediaType),
            Nexus.exists(d, blob.length, mediaType),
            NOT_FOUND_BLOB)
        .status(404);
    var post = PushSteps.startUpload(router.flow(), "/v2/" + name + "/blobs/uploads/", style);
    String loc = post.response().header("Location");
    var put =
        router
            .flow()
            .step(
                H,
                Flow.follow("PUT", Nexus.withQuery(loc, "digest=" + d))
                    .header("Content-Type", "application/octet-stream")
                    .body(blob),
                Nexus.blobCreated())
            .status(201);
    assertEquals(Integer.toString(blob.length), put.seen().header("Content-Length"));
    assertEquals(blob.length, put.seen().bodyLength());
    assertEquals(Nexus.sha256Hex(blob), put.seen().bodySha256(), "monolithic PUT byte-exact");
  }

  /**
   * containerd pusher for a manifest: the HEAD check (its one media type) must reach hosted, which
   * lacks it while the group has the same digest; then the PUT. Returns the check.
   */
  private Flow.Result pushManifestContainerd(String target, String mediaType, byte[] manifest) {
    var check =
        router
            .flow()
            .stepSplit(
                H,
                containerdPushCheck(target, mediaType),
                Nexus.exists(Nexus.sha256(manifest), manifest.length, mediaType),
                NOT_FOUND_MANIFEST)
            .status(404);
    PushSteps.putManifest(router.flow(), RawRequest.of("PUT", target), mediaType, manifest);
    return check;
  }

  @Test
  void f10PushWithMonolithicPutsAndSingleTypeManifestCheckOnHosted() {
    pushBlobContainerd(
        "team/app",
        Clients.randomBytes(3 * 1024 * 1024 + 7, 41),
        OCI_LAYER,
        LocationStyle.INTERNAL);
    pushBlobContainerd(
        "team/app", Clients.randomBytes(80_000, 42), OCI_LAYER, LocationStyle.RELATIVE);
    pushBlobContainerd("team/app", Clients.randomBytes(500, 43), OCI_CONFIG, LocationStyle.PUBLIC);
    byte[] manifest = "{\"schemaVersion\":2,\"f10\":true}".getBytes(StandardCharsets.UTF_8);
    pushManifestContainerd("/v2/team/app/manifests/1.0", OCI_MANIFEST, manifest);
    assertEquals(0, router.fixture().group.count(), "no push request reaches the group");
  }

  @Test
  void f11MultiArchPushChecksReachHostedEvenWhenGroupHasTheSameDigests() {
    // A fresh client (no earlier blob HEADs): the Accept shape alone must route to hosted, or the
    // group's 200 would make containerd skip the PUTs (docs/routing.md#r9p).
    for (String child : List.of("amd64", "arm64")) {
      byte[] m = ("{\"platform\":\"" + child + "\"}").getBytes(StandardCharsets.UTF_8);
      var check =
          pushManifestContainerd("/v2/library/nginx/manifests/" + Nexus.sha256(m), OCI_MANIFEST, m);
      assertEquals(OCI_MANIFEST + ", */*", check.seen().header("Accept"));
    }
    byte[] index = "{\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    pushManifestContainerd("/v2/library/nginx/manifests/1.27", OCI_INDEX, index);
    assertEquals(
        0, router.fixture().group.count(), "the group's matching digests were never consulted");
  }

  @Test
  void f12MountWith202AndHead403DiagnosticGet() {
    byte[] blob = Clients.randomBytes(60_000, 51);
    String d = Nexus.sha256(blob);
    var mount =
        PushSteps.startUpload(
            router.flow(),
            "/v2/team/app/blobs/uploads/?mount=" + d + "&from=team/base",
            LocationStyle.INTERNAL);
    assertEquals("mount=" + d + "&from=team/base", mount.seen().query());
    var put =
        router
            .flow()
            .step(
                H,
                Flow.follow(
                        "PUT", Nexus.withQuery(mount.response().header("Location"), "digest=" + d))
                    .body(blob),
                Nexus.blobCreated())
            .status(201);
    assertEquals(Nexus.sha256Hex(blob), put.seen().bodySha256());

    String other = Nexus.sha256(Clients.randomBytes(10, 52));
    Reply denied = Nexus.error(403, "DENIED", "requested access to the resource is denied");
    router
        .flow()
        .step(H, containerdPushCheck("/v2/team/app/blobs/" + other, OCI_LAYER), denied)
        .status(403);
    var diag = router.flow().step(G, get("/v2/team/app/blobs/" + other), denied).status(403);
    assertArrayEquals(denied.body(), diag.response().body(), "error body passes through");

    // routing keeps no push context: the manifest check that follows is told apart by its own
    // Accept (one type: hosted), and a resolve of the same repository still reaches the group
    router
        .flow()
        .step(
            H,
            containerdPushCheck("/v2/team/app/manifests/latest", OCI_MANIFEST),
            NOT_FOUND_MANIFEST)
        .status(404);
    router
        .flow()
        .step(G, containerdResolve("/v2/team/app/manifests/latest"), NOT_FOUND_MANIFEST)
        .status(404);
  }
}
