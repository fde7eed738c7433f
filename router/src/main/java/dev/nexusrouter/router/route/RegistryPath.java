package dev.nexusrouter.router.route;

/**
 * A request path parsed once: its kind, the repository {@code name} (may contain slashes), the
 * trailing reference (tag, digest or upload id), and the Nexus repository when the client sent a
 * path-addressed {@code /repository/<repo>/v2/...} URL.
 *
 * @param kind what the path addresses
 * @param name repository name, or null when the kind has none
 * @param reference tag, digest or upload session id, or null
 * @param repository Nexus repository of a {@code /repository/<repo>/} prefix, or null
 * @param innerPath the path after that prefix (equal to the whole path when there is no prefix)
 */
public record RegistryPath(
    PathKind kind, String name, String reference, String repository, String innerPath) {

  public boolean isDigestReference() {
    return reference != null && reference.indexOf(':') > 0;
  }
}
