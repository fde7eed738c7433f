package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.get;
import static dev.nexusrouter.router.flows.Clients.head;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.Nexus.LocationStyle;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RecordedRequest;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterExtension;
import dev.nexusrouter.router.testing.RouterFixture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * F20 (docs/routing.md#client-flows) and the header rules of docs/nexus-headers.md: Host with port,
 * forwarding headers, hop-by-hop stripping, pass-through of registry headers, and Location / realm
 * rewriting.
 */
class HeaderRulesIT {
  private static final String PUBLIC_HOST = "reg.example.com:5443";

  @RegisterExtension
  static final RouterExtension router =
      new RouterExtension(RouterFixture.builder().group("aliases: [\"nexus:8083\"]"));

  private static List<String> xff(RecordedRequest r) {
    return r.headerValues("X-Forwarded-For").stream()
        .flatMap(v -> Arrays.stream(v.split(",")))
        .map(String::trim)
        .toList();
  }

  @Test
  void f20HostForwardedExactlyAndForwardingHeadersSetByTheRouter() {
    var r =
        router
            .flow()
            .step(
                G,
                get("/v2/")
                    .header("Host", PUBLIC_HOST)
                    .header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Host", "evil.example:1")
                    .header("X-Forwarded-For", "203.0.113.7"),
                Nexus.challenge())
            .status(401);
    RecordedRequest seen = r.seen();
    assertEquals(PUBLIC_HOST, seen.header("Host"));
    assertEquals(List.of("http"), seen.headerValues("X-Forwarded-Proto"), "listener scheme wins");
    assertFalse(seen.hasHeader("X-Forwarded-Host"), () -> "X-Forwarded-Host: " + seen.headers());
    assertEquals(List.of("203.0.113.7", "127.0.0.1"), xff(seen));
    assertEquals("127.0.0.1", seen.header("X-Real-IP"));
    // the realm Nexus built from Host/X-Forwarded-Proto passes unchanged
    assertEquals(
        "Bearer realm=\"http://"
            + PUBLIC_HOST
            + "/v2/token\",service=\"http://"
            + PUBLIC_HOST
            + "/v2/token\"",
        r.response().header("WWW-Authenticate"));
  }

  @Test
  void forwardingHeadersWithoutClientValuesAndFromAnotherAddress() {
    var r = router.flow().step(G, get("/v2/").from("127.0.0.2"), Nexus.ok()).status(200);
    assertEquals(List.of("127.0.0.2"), xff(r.seen()));
    assertEquals("127.0.0.2", r.seen().header("X-Real-IP"));
    assertEquals("http", r.seen().header("X-Forwarded-Proto"));
    assertEquals(router.fixture().hostHeader(), r.seen().header("Host"));
    assertFalse(r.seen().hasHeader("X-Forwarded-Host"));
  }

  @Test
  void hopByHopRequestHeadersAreStripped() {
    var r =
        router
            .flow()
            .step(
                G,
                get("/v2/team/app/manifests/1.0")
                    .header("Connection", "Keep-Alive, X-Foo")
                    .header("X-Foo", "secret")
                    .header("Keep-Alive", "timeout=5")
                    .header("Proxy-Connection", "keep-alive")
                    .header("X-Bar", "kept"),
                Reply.of(200).json("{}"))
            .status(200);
    RecordedRequest seen = r.seen();
    assertFalse(seen.hasHeader("X-Foo"), () -> "named in Connection: " + seen.headers());
    assertFalse(seen.hasHeader("Keep-Alive"), () -> seen.headers().toString());
    assertFalse(seen.hasHeader("Proxy-Connection"), () -> seen.headers().toString());
    assertEquals("kept", seen.header("X-Bar"));
  }

  @Test
  void hopByHopResponseHeadersAreStripped() {
    var r =
        router
            .flow()
            .step(
                G,
                get("/v2/"),
                Reply.of(200)
                    .header("Keep-Alive", "timeout=30")
                    .header("Proxy-Connection", "keep-alive")
                    .header("X-Upstream", "kept")
                    .json("{}"))
            .status(200);
    assertNull(r.response().header("Keep-Alive"), () -> r.response().toString());
    assertNull(r.response().header("Proxy-Connection"), () -> r.response().toString());
    assertEquals("kept", r.response().header("X-Upstream"));
  }

  @Test
  void registryResponseHeadersPassThroughUnchanged() {
    String d = "sha256:" + "f".repeat(64);
    var headBlob =
        router
            .flow()
            .step(
                H,
                head("/v2/team/app/blobs/" + d),
                Nexus.exists(d, 1_048_576, "application/octet-stream"))
            .status(200);
    assertEquals(d, headBlob.response().header("Docker-Content-Digest"));
    assertEquals("1048576", headBlob.response().header("Content-Length"), "Content-Length on HEAD");
    assertEquals("registry/2.0", headBlob.response().header("Docker-Distribution-Api-Version"));
    assertEquals(0, headBlob.response().body().length);

    var patch =
        router
            .flow()
            .step(
                H,
                RawRequest.of("PATCH", "/v2/team/app/blobs/uploads/u-1").body(new byte[10]),
                Reply.of(202)
                    .header("Location", "/v2/team/app/blobs/uploads/u-1?_state=abc%3D%3D")
                    .header("Range", "0-9")
                    .header("Docker-Upload-UUID", "u-1"))
            .status(202);
    assertEquals(
        "/v2/team/app/blobs/uploads/u-1?_state=abc%3D%3D", patch.response().header("Location"));
    assertEquals("0-9", patch.response().header("Range"));
    assertEquals("u-1", patch.response().header("Docker-Upload-UUID"));

    var redirect =
        router
            .flow()
            .step(
                G,
                get("/v2/team/app/blobs/" + d),
                Reply.of(307).header("Location", "https://cdn.example.net/blobs/x?sig=1%2B2"))
            .status(307);
    assertEquals(
        "https://cdn.example.net/blobs/x?sig=1%2B2", redirect.response().header("Location"));
  }

  /** One upload start per Location style, from a client addressing reg.example.com:5443. */
  private String location(LocationStyle style) {
    var r =
        PushSteps.startUpload(
            router.flow(),
            RawRequest.of("POST", "/v2/team/app/blobs/uploads/").header("Host", PUBLIC_HOST),
            style);
    return r.response().header("Location");
  }

  @Test
  void locationVariants() {
    String uuidPattern = "[0-9a-f-]{36}";
    String pub = location(LocationStyle.PUBLIC);
    assertEquals(
        true,
        pub.matches("http://" + PUBLIC_HOST + "/v2/team/app/blobs/uploads/" + uuidPattern),
        pub);
    String rel = location(LocationStyle.RELATIVE);
    assertEquals(true, rel.matches("/v2/team/app/blobs/uploads/" + uuidPattern), rel);
    String internal = location(LocationStyle.INTERNAL);
    assertEquals(
        true,
        internal.matches("http://" + PUBLIC_HOST + "/v2/team/app/blobs/uploads/" + uuidPattern),
        () ->
            "internal http://127.0.0.1:"
                + router.fixture().hosted.port()
                + " rewritten, got "
                + internal);
  }

  @Test
  void internalLocationKeepsItsQueryAndAliasAuthorityIsRewritten() {
    String internal =
        router.fixture().hosted.baseUrl() + "/v2/team/app/blobs/uploads/u-2?_state=x%2By";
    var r =
        router
            .flow()
            .step(
                H,
                RawRequest.of("PATCH", "/v2/team/app/blobs/uploads/u-2")
                    .header("Host", PUBLIC_HOST)
                    .body(new byte[3]),
                Reply.of(202).header("Location", internal))
            .status(202);
    assertEquals(
        "http://" + PUBLIC_HOST + "/v2/team/app/blobs/uploads/u-2?_state=x%2By",
        r.response().header("Location"));

    var alias =
        router
            .flow()
            .step(
                G,
                get("/v2/team/app/blobs/sha256:" + "1".repeat(64)).header("Host", PUBLIC_HOST),
                Reply.of(307).header("Location", "http://nexus:8083/v2/team/app/blobs/x"))
            .status(307);
    assertEquals(
        "http://" + PUBLIC_HOST + "/v2/team/app/blobs/x", alias.response().header("Location"));
  }

  @Test
  void internalRealmIsRewrittenPublicRealmIsNot() {
    String internalRealm = router.fixture().group.baseUrl() + "/v2/token";
    var r =
        router
            .flow()
            .step(
                G,
                get("/v2/").header("Host", PUBLIC_HOST),
                Nexus.challenge(internalRealm, "nexus-service"))
            .status(401);
    assertEquals(
        "Bearer realm=\"http://" + PUBLIC_HOST + "/v2/token\",service=\"nexus-service\"",
        r.response().header("WWW-Authenticate"));

    var pub =
        router
            .flow()
            .step(
                G,
                get("/v2/").header("Host", PUBLIC_HOST),
                Nexus.challenge("https://auth.example.org/token", "registry.example.com"))
            .status(401);
    assertEquals(
        "Bearer realm=\"https://auth.example.org/token\",service=\"registry.example.com\"",
        pub.response().header("WWW-Authenticate"));
  }
}
