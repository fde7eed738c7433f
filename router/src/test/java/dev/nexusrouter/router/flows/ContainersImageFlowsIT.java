package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.BASIC;
import static dev.nexusrouter.router.flows.Clients.BEARER;
import static dev.nexusrouter.router.flows.Clients.DOCKER_V2;
import static dev.nexusrouter.router.flows.Clients.OCI_MANIFEST;
import static dev.nexusrouter.router.flows.Clients.get;
import static dev.nexusrouter.router.flows.Clients.head;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.Nexus.LocationStyle;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flows F13–F16 (docs/routing.md#client-flows): podman / skopeo login, pull, push, delete. */
class ContainersImageFlowsIT {
  private static final String UA = "containers/5.36.0 (github.com/containers/image)";
  private static final Reply NOT_FOUND_BLOB =
      Nexus.error(404, "BLOB_UNKNOWN", "blob unknown to registry");

  @RegisterExtension static final RouterExtension router = new RouterExtension();

  /** containers/image adds these to every request (docker_client.go L609). */
  private static RawRequest ci(String method, String target) {
    return RawRequest.of(method, target)
        .header("User-Agent", UA)
        .header("Docker-Distribution-Api-Version", "registry/2.0");
  }

  @Test
  void f13LoginAllOnGroup() {
    List<Step> steps =
        List.of(
            new Step(G, ci("GET", "/v2/"), Nexus.challenge(), 401),
            new Step(
                G,
                ci("GET", "/v2/token?account=u&service=x").header("Authorization", BASIC),
                Nexus.token(),
                200),
            new Step(G, ci("GET", "/v2/").header("Authorization", BEARER), Nexus.ok(), 200));
    for (Step s : steps) {
      var r = s.run(router.flow());
      assertEquals(UA, r.seen().header("User-Agent"));
      assertEquals("registry/2.0", r.seen().header("Docker-Distribution-Api-Version"));
    }
    assertEquals(0, router.fixture().hosted.count());
  }

  @Test
  void f14GetOnlyPullWithMultiRangePassthrough() {
    byte[] list = "{\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    byte[] inst = "{\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
    String n = "/v2/team/app";
    new Step(G, ci("GET", "/v2/"), Nexus.challenge(), 401).run(router.flow());
    new Step(G, ci("GET", "/v2/token?scope=repository:team/app:pull&service=x"), Nexus.token(), 200)
        .run(router.flow());
    new Step(G, ci("GET", n + "/manifests/1.0"), Nexus.content(list, Clients.OCI_INDEX), 200)
        .run(router.flow());
    new Step(
            G,
            ci("GET", n + "/manifests/" + Nexus.sha256(inst)),
            Nexus.content(inst, OCI_MANIFEST),
            200)
        .run(router.flow());
    String boundary = "3d6b6a416f9b5";
    byte[] multipart =
        ("--"
                + boundary
                + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-99/1000\r\n\r\n"
                + "a".repeat(100)
                + "\r\n--"
                + boundary
                + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 200-299/1000\r\n\r\n"
                + "b".repeat(100)
                + "\r\n--"
                + boundary
                + "--\r\n")
            .getBytes(StandardCharsets.UTF_8);
    Reply partial =
        Reply.of(206)
            .header("Content-Type", "multipart/byteranges; boundary=" + boundary)
            .body(multipart);
    var r =
        router
            .flow()
            .step(
                G,
                ci("GET", n + "/blobs/sha256:" + "c".repeat(64))
                    .header("Range", "bytes=0-99,200-299"),
                partial)
            .status(206);
    assertEquals("bytes=0-99,200-299", r.seen().header("Range"));
    assertEquals("multipart/byteranges; boundary=" + boundary, r.response().header("Content-Type"));
    assertArrayEquals(multipart, r.response().body());
    assertEquals(
        0,
        router.fixture().hosted.count(),
        "containers/image pulls are GET-only, all on the group");
  }

  private void uploadBlob(String name, byte[] blob, LocationStyle style) {
    var post =
        PushSteps.startUpload(router.flow(), ci("POST", "/v2/" + name + "/blobs/uploads/"), style);
    var patch =
        router
            .flow()
            .step(
                H,
                Flow.follow("PATCH", post.response().header("Location"))
                    .header("Content-Type", "application/octet-stream")
                    .body(blob),
                Nexus.uploadAccepted(style))
            .status(202);
    assertEquals(Integer.toString(blob.length), patch.seen().header("Content-Length"));
    assertEquals(Nexus.sha256Hex(blob), patch.seen().bodySha256());
    router
        .flow()
        .step(
            H,
            Flow.follow(
                    "PUT",
                    Nexus.withQuery(
                        patch.response().header("Location"), "digest=" + Nexus.sha256(blob)))
                .body(new byte[0]),
            Nexus.blobCreated())
        .status(201);
  }

  @Test
  void f15PushAllBlobHeadsOnHostedIncludingCandidateRepos() {
    byte[] l1 = Clients.randomBytes(400_000, 61);
    String d = Nexus.sha256(l1);
    Reply groupHasIt = Nexus.exists(d, l1.length, "application/octet-stream");
    router
        .flow()
        .stepSplit(H, ci("HEAD", "/v2/team/app/blobs/" + d), groupHasIt, NOT_FOUND_BLOB)
        .status(404);
    router
        .flow()
        .stepSplit(H, ci("HEAD", "/v2/library/alpine/blobs/" + d), groupHasIt, NOT_FOUND_BLOB)
        .status(404);
    uploadBlob("team/app", l1, LocationStyle.PUBLIC);
    byte[] manifest = "{\"f15\":1}".getBytes(StandardCharsets.UTF_8);
    PushSteps.putManifest(
        router.flow(), ci("PUT", "/v2/team/app/manifests/1.0"), DOCKER_V2, manifest);
    assertEquals(0, router.fixture().group.count(), "HEAD blob never reaches the group");
  }

  @Test
  void f15VariantCandidateFoundMountAnswered202ThenCancel() {
    byte[] l1 = Clients.randomBytes(30_000, 62);
    String d = Nexus.sha256(l1);
    router.flow().step(H, ci("HEAD", "/v2/team/app/blobs/" + d), NOT_FOUND_BLOB).status(404);
    router
        .flow()
        .step(H, ci("HEAD", "/v2/team/base/blobs/" + d), Nexus.exists(d, l1.length, "x/y"))
        .status(200);
    var mount =
        PushSteps.startUpload(
            router.flow(),
            ci("POST", "/v2/team/app/blobs/uploads/?from=team/base&mount=" + d),
            LocationStyle.INTERNAL);
    assertEquals("from=team/base&mount=" + d, mount.seen().query());
    router
        .flow()
        .step(H, Flow.follow("DELETE", mount.response().header("Location")), Reply.of(204))
        .status(204);
    uploadBlob("team/app", l1, LocationStyle.RELATIVE);
    assertEquals(0, router.fixture().group.count());
  }

  @Test
  void f16SkopeoDeleteReadsDigestOnGroupThenDeletesOnHosted() {
    byte[] m = "{\"f16\":1}".getBytes(StandardCharsets.UTF_8);
    String d = Nexus.sha256(m);
    var get =
        router
            .flow()
            .step(G, ci("GET", "/v2/team/app/manifests/1.0"), Nexus.content(m, DOCKER_V2))
            .status(200);
    assertEquals(d, get.response().header("Docker-Content-Digest"));
    router.flow().step(H, ci("DELETE", "/v2/team/app/manifests/" + d), Reply.of(202)).status(202);
  }

  @Test
  void listTagsGoesToGroup() {
    var r =
        router
            .flow()
            .step(
                G,
                get("/v2/team/app/tags/list?n=10&last=1.0").header("Authorization", BEARER),
                Reply.of(200).json("{\"name\":\"team/app\",\"tags\":[\"1.1\"]}"))
            .status(200);
    assertEquals("n=10&last=1.0", r.seen().query());
    router
        .flow()
        .step(H, head("/v2/team/app/blobs/sha256:" + "d".repeat(64)), NOT_FOUND_BLOB)
        .status(404);
  }
}
