package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.get;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static dev.nexusrouter.router.testing.Flow.Up.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.Nexus.LocationStyle;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterExtension;
import dev.nexusrouter.router.testing.RouterFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nexus path mode (docs/nexus-headers.md#path-mode): upstreams addressed as {@code
 * http://127.0.0.1:PORT/repository/<repo>}. Request paths get the prefix on the way in; Location
 * and realm lose it on the way out.
 */
class PathModeIT {
  private static final String GP = "/repository/hub-group";
  private static final String HP = "/repository/hub-hosted";

  @RegisterExtension
  static final RouterExtension router =
      new RouterExtension(RouterFixture.builder().groupPath(GP).hostedPath(HP));

  @Test
  void pullPathsGetTheGroupPrefixAndRealmLosesIt() {
    var ping =
        router
            .flow()
            .step(G, get("/v2/"), r -> Nexus.challenge(r.forwardedBase() + GP + "/v2/token", "svc"))
            .status(401);
    assertEquals("/repository/hub-group/v2/", ping.seen().uri());
    assertEquals(
        "Bearer realm=\"http://" + router.fixture().hostHeader() + "/v2/token\",service=\"svc\"",
        ping.response().header("WWW-Authenticate"));
    var internal =
        router
            .flow()
            .step(
                G,
                get("/v2/"),
                Nexus.challenge(router.fixture().group.baseUrl() + GP + "/v2/token", "svc"))
            .status(401);
    assertEquals(
        "Bearer realm=\"http://" + router.fixture().hostHeader() + "/v2/token\",service=\"svc\"",
        internal.response().header("WWW-Authenticate"));
    router
        .flow()
        .step(G, get("/v2/token?scope=repository:team/app:pull&service=svc"), Nexus.token())
        .status(200);
    var m =
        router
            .flow()
            .step(
                G,
                Clients.containerdResolve("/v2/team/app/manifests/1.0?ns=docker.io"),
                Nexus.exists("sha256:" + "2".repeat(64), 10, "x/y"))
            .status(200);
    assertEquals("/repository/hub-group/v2/team/app/manifests/1.0?ns=docker.io", m.seen().uri());
  }

  @Test
  void uploadLocationsLoseTheHostedPrefixInAllStyles() {
    for (LocationStyle style : LocationStyle.values()) {
      var post = PushSteps.startUpload(router.flow(), "/v2/team/app/blobs/uploads/", style);
      assertEquals(HP + "/v2/team/app/blobs/uploads/", post.seen().uri());
      String loc = post.response().header("Location");
      String expectedStart =
          style == LocationStyle.RELATIVE
              ? "/v2/team/app/blobs/uploads/"
              : "http://" + router.fixture().hostHeader() + "/v2/team/app/blobs/uploads/";
      assertTrue(loc.startsWith(expectedStart), () -> style + ": " + loc);
      byte[] blob = Clients.randomBytes(5000, style.ordinal());
      var patch =
          router
              .flow()
              .step(
                  H,
                  Flow.follow("PATCH", loc).body(blob).chunked(1000),
                  Nexus.uploadAccepted(style))
              .status(202);
      assertEquals(Nexus.sha256Hex(blob), patch.seen().bodySha256());
      String loc2 = patch.response().header("Location");
      assertTrue(loc2.startsWith(expectedStart), () -> style + ": " + loc2);
      var put =
          router
              .flow()
              .step(
                  H,
                  Flow.follow("PUT", Nexus.withQuery(loc2, "digest=" + Nexus.sha256(blob)))
                      .body(new byte[0]),
                  Nexus.blobCreated())
              .status(201);
      assertTrue(put.seen().uri().startsWith(HP + "/v2/team/app/blobs/uploads/"), put.seen().uri());
    }
  }

  @Test
  void clientAddressedRepositoryPathsAreNotPrefixedTwice() {
    var g =
        router
            .flow()
            .step(
                G,
                "/repository/hub-group/v2/team/app/manifests/1.0",
                get("/repository/hub-group/v2/team/app/manifests/1.0"),
                Reply.of(200).json("{}"))
            .status(200);
    assertEquals("/repository/hub-group/v2/team/app/manifests/1.0", g.seen().path());
    router
        .flow()
        .step(
            H,
            "/repository/hub-hosted/v2/team/app/blobs/uploads/u-9?digest=sha256:0",
            RawRequest.of(
                    "PUT", "/repository/hub-hosted/v2/team/app/blobs/uploads/u-9?digest=sha256:0")
                .body(new byte[0]),
            Reply.of(201))
        .status(201);
    var unknown =
        router
            .flow()
            .step(NONE, get("/repository/elsewhere/v2/team/app/manifests/1.0"), Reply.of(200))
            .status(404);
    assertEquals("registry/2.0", unknown.response().header("Docker-Distribution-Api-Version"));
    assertTrue(unknown.response().bodyText().startsWith("{\"errors\":[{\"code\":"));
  }
}
