package dev.nexusrouter.router.route;

import java.util.Locale;

/** Extra conditions a route row may require beyond method and path kind. */
public enum Condition {
  ALWAYS,
  /**
   * The request belongs to a push: a single concrete Accept media type (containerd's pusher sends
   * exactly one type plus {@code *}{@code /*}, pusher.go L129), or a write / HEAD-blob on the same
   * repository from the same client within the push window (registry-routing.md §5.1-1).
   */
  PUSH_CONTEXT,
  /**
   * The same client's previous HEAD of {@code manifests/<digest>} on this repository just returned
   * 404, so this HEAD blob is containerd's resolve-by-digest fallback (resolver.go L261–272), a
   * pull (registry-routing.md §5.1-2).
   */
  DIGEST_FALLBACK,
  /** The client addressed a Nexus repository path ({@code /repository/<repo>/...}). */
  REPOSITORY_PATH;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Condition fromWireName(String s) {
    for (Condition c : values()) {
      if (c.wireName().equals(s)) {
        return c;
      }
    }
    return null;
  }
}
