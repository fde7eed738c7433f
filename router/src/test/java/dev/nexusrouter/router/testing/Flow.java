package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replays one request at a time through the router and asserts which fake upstream got it. Both
 * fakes are set to answer with the step's reply, so a misrouted request still gets a realistic
 * answer and the failure names the step that went wrong.
 */
public final class Flow {
  /** The upstream a step must reach: group, hosted, or none (the router answers itself). */
  public enum Up {
    G,
    H,
    NONE
  }

  /**
   * What a step produced.
   *
   * @param response what the client read
   * @param seen what the expected upstream received (null for {@link Up#NONE})
   */
  public record Result(RawResponse response, RecordedRequest seen) {
    public Result status(int expected) {
      assertEquals(expected, response.status(), () -> "client status; " + seen + " " + response);
      return this;
    }
  }

  private final RouterFixture fixture;

  public Flow(RouterFixture fixture) {
    this.fixture = fixture;
  }

  /** Sends the request; expects it at {@code to} as {@code <prefix><target>} (method unchanged). */
  public Result step(Up to, RawRequest request, Responder reply) {
    String expectedUri = to == Up.NONE ? null : fixture.prefix(to) + request.target();
    return step(to, expectedUri, request, reply);
  }

  /** Sends the request; expects it at {@code to} with exactly this request target. */
  public Result step(Up to, String expectedUri, RawRequest request, Responder reply) {
    return step(to, expectedUri, request, reply, reply);
  }

  /**
   * Like {@link #step(Up, RawRequest, Responder)}, but G and H answer differently (e.g. G has the
   * manifest, H does not), so a misrouted request would change what the client sees.
   */
  public Result stepSplit(Up to, RawRequest request, Responder groupReply, Responder hostedReply) {
    String expectedUri = to == Up.NONE ? null : fixture.prefix(to) + request.target();
    return step(to, expectedUri, request, groupReply, hostedReply);
  }

  private Result step(
      Up to, String expectedUri, RawRequest request, Responder groupReply, Responder hostedReply) {
    fixture.group.respond(groupReply);
    fixture.hosted.respond(hostedReply);
    int g = fixture.group.count();
    int h = fixture.hosted.count();
    RawResponse response = request.send(fixture.port);
    int dg = fixture.group.count() - g;
    int dh = fixture.hosted.count() - h;
    String what = request + " -> expected " + to + ", got G+" + dg + " H+" + dh + "; " + response;
    assertEquals(to == Up.G ? 1 : 0, dg, () -> "requests at group: " + what);
    assertEquals(to == Up.H ? 1 : 0, dh, () -> "requests at hosted: " + what);
    if (to == Up.NONE) {
      return new Result(response, null);
    }
    RecordedRequest seen = fixture.upstream(to).last();
    assertNotNull(seen);
    assertEquals(request.method(), seen.method(), () -> "method seen upstream: " + what);
    assertEquals(expectedUri, seen.uri(), () -> "request target seen upstream: " + what);
    return new Result(response, seen);
  }

  /**
   * A request that follows a {@code Location} the client received: relative targets go to the
   * router as they are; absolute ones to their path and query with their authority as {@code Host}.
   */
  public static RawRequest follow(String method, String location) {
    RawRequest r = RawRequest.of(method, Nexus.targetOf(location));
    String authority = Nexus.authorityOf(location);
    if (authority != null) {
      r.header("Host", authority);
    }
    return r;
  }
}
