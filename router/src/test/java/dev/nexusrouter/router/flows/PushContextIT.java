package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.flows.Clients.OCI_MANIFEST;
import static dev.nexusrouter.router.flows.Clients.containerdPushCheck;
import static dev.nexusrouter.router.flows.Clients.containerdResolve;
import static dev.nexusrouter.router.flows.Clients.head;
import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Flow.Up;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.Reply;
import dev.nexusrouter.router.testing.RouterFixture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * §5.1-1 and §5.1-2: where HEAD manifests and HEAD blobs go, from the Accept shape, the per
 * (client, repository) push window, and the digest-fallback signature.
 */
class PushContextIT {
  private static final Reply MISS = Nexus.error(404, "MANIFEST_UNKNOWN", "manifest unknown");
  private static final String D1 = "sha256:" + "a1".repeat(32);
  private static final String D2 = "sha256:" + "b2".repeat(32);

  private RouterFixture f;
  private Flow flow;

  @BeforeEach
  void start() {
    f = RouterFixture.builder().host("push-window: 1s").start();
    flow = new Flow(f);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private void expect(Up to, RawRequest r) {
    flow.step(to, r, Reply.of(404)).status(404);
  }

  @Test
  void acceptShapeWithoutHistory() {
    record Row(RawRequest request, Up to) {}
    for (Row row :
        List.of(
            new Row(containerdPushCheck("/v2/t/a/manifests/1.0", OCI_MANIFEST), H),
            new Row(head("/v2/t/a/manifests/1.0").header("Accept", OCI_MANIFEST), H),
            new Row(containerdResolve("/v2/t/a/manifests/1.0"), G),
            new Row(Clients.dockerdManifestHead("/v2/t/a/manifests/1.0"), G),
            new Row(head("/v2/t/a/manifests/1.0"), G),
            new Row(head("/v2/t/a/manifests/1.0").header("Accept", "*/*"), G))) {
      expect(row.to(), row.request());
    }
  }

  @Test
  void headBlobOpensPushWindowForThatClientAndRepositoryOnly() {
    expect(H, head("/v2/team/app/blobs/" + D1));
    expect(H, containerdResolve("/v2/team/app/manifests/1.0"));
    expect(G, containerdResolve("/v2/team/other/manifests/1.0"));
    expect(G, containerdResolve("/v2/team/app/manifests/1.0").from("127.0.0.2"));
    expect(
        G, containerdResolve("/v2/team/app/manifests/1.0").header("Authorization", "Basic eDp5"));
  }

  @Test
  void postOpensPushWindowAndItExpires() throws InterruptedException {
    flow.step(
            H,
            RawRequest.of("POST", "/v2/team/app/blobs/uploads/").body(new byte[0]),
            Reply.of(202))
        .status(202);
    expect(H, containerdResolve("/v2/team/app/manifests/1.0"));
    Thread.sleep(1300); // push-window: 1s
    expect(G, containerdResolve("/v2/team/app/manifests/1.0"));
  }

  @Test
  void digestFallbackHeadBlobGoesToGroupOnlyAfterTheManifestMiss() {
    // no manifest miss yet: HEAD blob is a push check
    expect(H, head("/v2/team/pull/blobs/" + D2));
    flow.step(G, containerdResolve("/v2/team/fb/manifests/" + D1), MISS).status(404);
    // another client, another digest: still push checks
    expect(H, head("/v2/team/fb/blobs/" + D1).from("127.0.0.2"));
    expect(H, head("/v2/team/fb/blobs/" + D2));
    // the same client, same digest: containerd's resolve-by-digest fallback
    flow.step(G, head("/v2/team/fb/blobs/" + D1), Reply.of(200)).status(200);
  }

  @Test
  void manifestFoundMeansNoDigestFallback() {
    flow.step(G, containerdResolve("/v2/team/ok/manifests/" + D1), Reply.of(200)).status(200);
    expect(H, head("/v2/team/ok/blobs/" + D1));
  }

  @Test
  void digestFallbackPullDoesNotTurnLaterResolvesIntoPushChecks() {
    flow.step(G, containerdResolve("/v2/team/pullonly/manifests/" + D1), MISS).status(404);
    flow.step(G, head("/v2/team/pullonly/blobs/" + D1), Reply.of(200)).status(200);
    // the client now resolves a tag of the same repository: a pull, so the group
    flow.step(G, containerdResolve("/v2/team/pullonly/manifests/1.0"), Reply.of(200)).status(200);
  }
}
