package dev.nexusrouter.router.flows;

import dev.nexusrouter.router.testing.RawRequest;
import java.util.Random;

/** What the real clients send (docs/routing.md#client-flows), as reusable request builders. */
final class Clients {
  static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  /** containerd resolver.go L173–178: four manifest types plus a wildcard, one header. */
  static final String CONTAINERD_RESOLVE_ACCEPT =
      DOCKER_V2 + ", " + DOCKER_LIST + ", " + OCI_MANIFEST + ", " + OCI_INDEX + ", */*";

  static final String BASIC = "Basic dTpw"; // u:p
  static final String BEARER = "Bearer DockerToken.0f0e2b7c-6a4f-4c55-9b1e-2f7d1c3a9e11";

  private Clients() {}

  static RawRequest get(String target) {
    return RawRequest.of("GET", target);
  }

  static RawRequest head(String target) {
    return RawRequest.of("HEAD", target);
  }

  /** containerd's resolve HEAD (pull): the 4-type Accept. */
  static RawRequest containerdResolve(String target) {
    return head(target).header("Accept", CONTAINERD_RESOLVE_ACCEPT);
  }

  /** containerd's pusher existence check: exactly one concrete type plus a wildcard. */
  static RawRequest containerdPushCheck(String target, String mediaType) {
    return head(target).header("Accept", mediaType + ", */*");
  }

  /** dockerd tags.Get: one Accept header per manifest media type. */
  static RawRequest dockerdManifestHead(String target) {
    return head(target)
        .header("Accept", DOCKER_V2)
        .header("Accept", DOCKER_LIST)
        .header("Accept", OCI_MANIFEST)
        .header("Accept", OCI_INDEX);
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
