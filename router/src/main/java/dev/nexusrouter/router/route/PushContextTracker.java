package dev.nexusrouter.router.route;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers, per (client, repository), when the client last wrote or HEADed a blob, and which
 * manifest digests just answered 404 — the state behind {@link Condition#PUSH_CONTEXT} and {@link
 * Condition#DIGEST_FALLBACK}. Bounded: expired entries are purged when the map grows, and it is
 * cleared outright if a flood of distinct clients still overfills it (routing then falls back to
 * the Accept-shape signal, never to a wrong upstream for writes).
 */
public final class PushContextTracker implements PushSignals {
  static final Duration DIGEST_MISS_WINDOW = Duration.ofSeconds(30);
  private static final int MAX_ENTRIES = 100_000;

  private final long windowNanos;
  private final LongSupplier clock;
  private final Map<String, Long> pushes = new ConcurrentHashMap<>();
  private final Map<String, Long> digestMisses = new ConcurrentHashMap<>();

  public PushContextTracker(Duration window, LongSupplier nanoClock) {
    this.windowNanos = window.toNanos();
    this.clock = nanoClock;
  }

  /** Records the request if it is a push signal: any write, or a HEAD of a blob. */
  public void observe(RequestFacts facts) {
    RegistryPath p = facts.path();
    if (p.name() == null || windowNanos <= 0) {
      return;
    }
    String m = facts.method();
    boolean write = m.equals("POST") || m.equals("PUT") || m.equals("PATCH") || m.equals("DELETE");
    boolean headBlob = m.equals("HEAD") && p.kind() == PathKind.BLOB;
    if (write || headBlob) {
      put(pushes, key(facts.client(), p.name()));
    }
  }

  /** Records a 404 answer to a HEAD of {@code manifests/<digest>}. */
  public void manifestDigestMissed(String client, String name, String digest) {
    put(digestMisses, key(client, name) + '\0' + digest);
  }

  @Override
  public boolean recentPushActivity(String client, String name) {
    return fresh(pushes.get(key(client, name)), windowNanos);
  }

  @Override
  public boolean recentManifestDigestMiss(String client, String name, String digest) {
    return fresh(digestMisses.get(key(client, name) + '\0' + digest), DIGEST_MISS_WINDOW.toNanos());
  }

  private boolean fresh(Long at, long window) {
    return at != null && clock.getAsLong() - at <= window;
  }

  private void put(Map<String, Long> map, String key) {
    long now = clock.getAsLong();
    map.put(key, now);
    if (map.size() > MAX_ENTRIES) {
      long window = Math.max(windowNanos, DIGEST_MISS_WINDOW.toNanos());
      map.values().removeIf(t -> now - t > window);
      if (map.size() > MAX_ENTRIES) {
        map.clear();
      }
    }
  }

  private static String key(String client, String name) {
    return client + '\0' + name;
  }
}
