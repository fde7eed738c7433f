package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PushContextTrackerTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final PushContextTracker tracker =
      new PushContextTracker(Duration.ofSeconds(300), now::get);

  private static RequestFacts facts(String method, String path, String client) {
    return new RequestFacts(method, RegistryPathParser.parse(path), false, client);
  }

  @Test
  void aHeadBlobOpensThePushWindowForThatClientAndRepositoryOnly() {
    tracker.observe(facts("HEAD", "/v2/team/app/blobs/sha256:aa", "c1"));
    assertTrue(tracker.recentPushActivity("c1", "team/app"));
    assertFalse(tracker.recentPushActivity("c2", "team/app"));
    assertFalse(tracker.recentPushActivity("c1", "team/other"));
  }

  @Test
  void writesOpenTheWindowButReadsDoNot() {
    tracker.observe(facts("GET", "/v2/team/app/blobs/sha256:aa", "c1"));
    tracker.observe(facts("HEAD", "/v2/team/app/manifests/1.0", "c1"));
    assertFalse(tracker.recentPushActivity("c1", "team/app"));
    tracker.observe(facts("POST", "/v2/team/app/blobs/uploads/", "c1"));
    assertTrue(tracker.recentPushActivity("c1", "team/app"));
  }

  @Test
  void theWindowCloses() {
    tracker.observe(facts("PUT", "/v2/team/app/manifests/1.0", "c1"));
    now.addAndGet(Duration.ofSeconds(301).toNanos());
    assertFalse(tracker.recentPushActivity("c1", "team/app"));
  }

  @Test
  void aManifestDigestMissIsRememberedBriefly() {
    tracker.manifestDigestMissed("c1", "team/app", "sha256:bb");
    assertTrue(tracker.recentManifestDigestMiss("c1", "team/app", "sha256:bb"));
    assertFalse(tracker.recentManifestDigestMiss("c1", "team/app", "sha256:cc"));
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    assertFalse(tracker.recentManifestDigestMiss("c1", "team/app", "sha256:bb"));
  }
}
