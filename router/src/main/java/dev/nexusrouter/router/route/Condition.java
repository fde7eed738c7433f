package dev.nexusrouter.router.route;

/**
 * Extra conditions a route row may require beyond method and path kind. Each one is decided by the
 * request alone, so every router replica routes the same request the same way (see
 * docs/client-request-shapes.md).
 */
public enum Condition {
  ALWAYS,
  /**
   * The {@code Accept} header names exactly one concrete media type: the existence check that
   * containerd's pusher (and so BuildKit, nerdctl and Docker's containerd image store) sends before
   * it uploads a manifest.
   */
  ACCEPT_ONE,
  /**
   * The {@code Accept} header names two or more concrete media types: a pull resolving a tag or
   * digest (containerd's resolver, including its HEAD-blob fallback; docker's distribution client;
   * containers/image {@code GetDigest}; go-containerregistry).
   */
  ACCEPT_SEVERAL,
  /** The client addressed a Nexus repository path ({@code /repository/<repo>/...}). */
  REPOSITORY_PATH;

  /** Conditions of earlier releases that needed per-client state, and what replaces them. */
  static final String REMOVED_PUSH_CONTEXT = "push-context";

  static final String REMOVED_DIGEST_FALLBACK = "digest-fallback";

  public String wireName() {
    return WireNames.of(this);
  }

  public static Condition fromWireName(String s) {
    return WireNames.parse(values(), s);
  }

  /**
   * For a condition name that existed in 0.1 but is gone, the message that says what to use
   * instead; null for any other name.
   */
  public static String removedConditionHint(String s) {
    return switch (s) {
      case REMOVED_PUSH_CONTEXT ->
          "condition 'push-context' was removed (it kept per-client state); use 'accept-one' for"
              + " push existence checks (see docs/client-request-shapes.md)";
      case REMOVED_DIGEST_FALLBACK ->
          "condition 'digest-fallback' was removed (it kept per-client state); use"
              + " 'accept-several': containerd's HEAD-blob fallback carries its resolver's Accept"
              + " list (see docs/client-request-shapes.md)";
      default -> null;
    };
  }
}
