package dev.nexusrouter.router.flows;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flows F17 (search, anchored), F18 (upload status and cancel) and a scaled-down F19 (bodies are
 * streamed, not spooled) of docs/routing.md#client-flows.
 */
class SearchAndUploadStatusFlowsIT {
  @RegisterExtension static final RouterExtension router = new RouterExtension();

  @Test
  void f17SearchIsAnchoredToV1AndCatalogPaginationPassesThrough() {
    // the V1 upstream defaults to hosted
    List<Step> steps =
        List.of(
            new Step(H, get("/v1/_ping"), Reply.of(200).json("true"), 200),
            new Step(
                H,
                get("/v1/search?q=foo&n=25").header("X-Docker-Token", "true"),
                Reply.of(200).json("{\"results\":[]}"),
                200),
            new Step(
                G,
                get("/v2/_catalog?n=100"),
                Reply.of(200)
                    .header("Link", "</v2/_catalog?last=team%2Fapp&n=100>; rel=\"next\"")
                    .json("{\"repositories\":[\"team/app\"]}"),
                200),
            // negative: a repository name containing "search" is a normal pull
            new Step(
                G,
                get("/v2/team/search-api/manifests/1.0"),
                Nexus.content("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "x/y"),
                200),
            new Step(
                G,
                get("/v2/token?scope=repository:team/search-api:pull&service=x"),
                Nexus.token(),
                200),
            new Step(
                G,
                Clients.containerdResolve("/v2/team/search-api/manifests/1.0"),
                Nexus.exists("sha256:" + "e".repeat(64), 2, "x/y"),
                200));
    for (Step s : steps) {
      var r = s.run(router.flow());
      if (s.request().target().startsWith("/v1/search")) {
        assertEquals("true", r.seen().header("X-Docker-Token"));
        assertEquals("q=foo&n=25", r.seen().query());
      }
      if (s.request().target().startsWith("/v2/_catalog")) {
        assertEquals(
            "</v2/_catalog?last=team%2Fapp&n=100>; rel=\"next\"", r.response().header("Link"));
      }
    }
  }

  @Test
  void f18UploadStatusAndCancelGoToHosted() {
    var post =
        PushSteps.startUpload(router.flow(), "/v2/team/app/blobs/uploads/", LocationStyle.RELATIVE);
    String loc = post.response().header("Location");
    byte[] chunk = Clients.randomBytes(1024, 71);
    var patch =
        router
            .flow()
            .step(
                H,
                Flow.follow("PATCH", loc).header("Content-Range", "0-1023").body(chunk),
                Nexus.uploadAccepted(LocationStyle.RELATIVE))
            .status(202);
    assertEquals("0-1023", patch.seen().header("Content-Range"));
    assertEquals("0-1023", patch.response().header("Range"));
    Reply rangeInvalid =
        Nexus.error(416, "BLOB_UPLOAD_INVALID", "blob upload invalid").header("Range", "0-1023");
    var bad =
        router
            .flow()
            .step(
                H,
                Flow.follow("PATCH", loc).header("Content-Range", "4096-5119").body(chunk),
                rangeInvalid)
            .status(416);
    assertArrayEquals(rangeInvalid.body(), bad.response().body());
    String uuid = post.response().header("Docker-Upload-UUID");
    var status =
        router
            .flow()
            .step(
                H,
                Flow.follow("GET", loc),
                Reply.of(204)
                    .header("Location", loc)
                    .header("Range", "0-1023")
                    .header("Docker-Upload-UUID", uuid))
            .status(204);
    assertEquals("0-1023", status.response().header("Range"));
    assertEquals(uuid, status.response().header("Docker-Upload-UUID"));
    assertEquals(loc, status.response().header("Location"));
    router.flow().step(H, Flow.follow("DELETE", loc), Reply.of(204)).status(204);
    assertEquals(
        0,
        router.fixture().group.count(),
        "nginx sent the status GET to the group; the router must not");
  }

  /** Waits until hosted has received some body bytes while the client is still sending. */
  private Runnable awaitBytesAtHosted() {
    return () -> {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (router.fixture().hosted.bodyBytesInFlight() == 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no body byte reached hosted before the client finished");
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    };
  }

  @Test
  void f19ScaledChunkedPatchIsStreamedToHostedBeforeTheClientFinishes() {
    byte[] blob = Clients.randomBytes(8 * 1024 * 1024, 81);
    var r =
        router
            .flow()
            .step(
                H,
                RawRequest.of("PATCH", "/v2/team/app/blobs/uploads/0b6d")
                    .body(blob)
                    .chunked(64 * 1024)
                    .pauseAfter(1024 * 1024, awaitBytesAtHosted()),
                Nexus.uploadAccepted(LocationStyle.RELATIVE))
            .status(202);
    assertEquals(blob.length, r.seen().bodyLength());
    assertEquals(Nexus.sha256Hex(blob), r.seen().bodySha256());
  }

  @Test
  void f19ScaledContentLengthPutIsStreamedToHostedBeforeTheClientFinishes() {
    byte[] blob = Clients.randomBytes(8 * 1024 * 1024, 82);
    String d = Nexus.sha256(blob);
    var r =
        router
            .flow()
            .step(
                H,
                RawRequest.of("PUT", "/v2/team/app/blobs/uploads/0b6e?digest=" + d)
                    .body(blob)
                    .pauseAfter(1024 * 1024, awaitBytesAtHosted()),
                Nexus.blobCreated())
            .status(201);
    assertEquals(Integer.toString(blob.length), r.seen().header("Content-Length"));
    assertEquals(Nexus.sha256Hex(blob), r.seen().bodySha256());
    assertTrue(r.response().header("Docker-Content-Digest").equals(d));
  }
}
