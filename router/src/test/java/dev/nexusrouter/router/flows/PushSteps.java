package dev.nexusrouter.router.flows;

import static dev.nexusrouter.router.testing.Flow.Up.G;
import static dev.nexusrouter.router.testing.Flow.Up.H;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.Nexus;
import dev.nexusrouter.router.testing.Nexus.LocationStyle;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.Responder;

/** Steps every client takes the same way: start an upload, PUT a manifest, POST a token form. */
final class PushSteps {
  private PushSteps() {}

  /** {@code POST <target>} with an empty body (an upload or a mount): hosted answers 202. */
  static Flow.Result startUpload(Flow flow, String target, LocationStyle style) {
    return startUpload(flow, RawRequest.of("POST", target), style);
  }

  /** Like {@link #startUpload(Flow, String, LocationStyle)} for a client's own POST request. */
  static Flow.Result startUpload(Flow flow, RawRequest post, LocationStyle style) {
    return flow.step(H, post.body(new byte[0]), Nexus.uploadStarted(style)).status(202);
  }

  /** A manifest PUT: it reaches hosted byte for byte and the client sees 201. */
  static Flow.Result putManifest(Flow flow, RawRequest put, String mediaType, byte[] manifest) {
    Flow.Result r =
        flow.step(H, put.header("Content-Type", mediaType).body(manifest), Nexus.manifestCreated())
            .status(201);
    assertEquals(Nexus.sha256Hex(manifest), r.seen().bodySha256(), "manifest bytes at hosted");
    return r;
  }

  /** containerd's and nerdctl's form POST to the token endpoint: it must reach the group. */
  static Flow.Result postToken(Flow flow, String form, Responder answer) {
    return flow.step(
        G,
        RawRequest.of("POST", "/v2/token")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form),
        answer);
  }
}
