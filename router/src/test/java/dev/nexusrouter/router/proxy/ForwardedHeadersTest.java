package dev.nexusrouter.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nexusrouter.router.testing.Loopback;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RawResponse;
import io.undertow.Undertow;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The headers an upstream request carries, computed on a real exchange (Undertow on 127.0.0.1,
 * ephemeral port) whose handler echoes {@link ForwardedHeaders#forUpstream} as {@code name: value}
 * lines.
 */
class ForwardedHeadersTest {
  private Undertow server;
  private int port;

  @BeforeEach
  void start() {
    server =
        Loopback.start(
            Undertow.builder(),
            ex -> {
              HeaderMap out = new HeaderMap();
              ForwardedHeaders.forUpstream(ex, out);
              StringBuilder text = new StringBuilder();
              for (HeaderValues v : out) {
                text.append(v.getHeaderName()).append(": ").append(String.join("|", v));
                text.append('\n');
              }
              ex.getResponseSender().send(text.toString());
            });
    port = Loopback.port(server);
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private Map<String, String> upstreamHeaders(RawRequest request) {
    RawResponse r = request.send(port);
    assertEquals(200, r.status(), r.toString());
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line : r.bodyText().split("\n")) {
      int colon = line.indexOf(": ");
      headers.put(line.substring(0, colon), line.substring(colon + 2));
    }
    return headers;
  }

  private static void assertAbsent(Map<String, String> headers, String... names) {
    for (String name : names) {
      assertNull(headers.get(name), () -> name + " reached the upstream: " + headers);
    }
  }

  @Test
  void forgedForwardingHeadersAreReplacedByTheRoutersOwn() {
    Map<String, String> h =
        upstreamHeaders(
            RawRequest.of("GET", "/v2/")
                .header("Host", "registry.example:5000")
                .header("Forwarded", "for=6.6.6.6;proto=https")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Port", "1")
                .header("X-Forwarded-Server", "evil")
                .header("X-Forwarded-Host", "evil:1")
                .header("X-Real-IP", "6.6.6.6"));
    assertAbsent(h, "Forwarded", "X-Forwarded-Host");
    assertEquals("http", h.get("X-Forwarded-Proto"));
    assertEquals("5000", h.get("X-Forwarded-Port"));
    assertEquals("registry.example", h.get("X-Forwarded-Server"));
    assertEquals("127.0.0.1", h.get("X-Real-IP"));
    assertEquals("registry.example:5000", h.get("Host"));
  }

  @Test
  void theClientAddressIsAppendedToAnExistingForwardedForChain() {
    Map<String, String> chain =
        upstreamHeaders(RawRequest.of("GET", "/v2/").header("X-Forwarded-For", "10.0.0.1"));
    assertEquals("10.0.0.1,127.0.0.1", chain.get("X-Forwarded-For"));
    Map<String, String> none = upstreamHeaders(RawRequest.of("GET", "/v2/"));
    assertEquals("127.0.0.1", none.get("X-Forwarded-For"));
  }

  @Test
  void hopByHopHeadersAreDroppedAndTheUpstreamConnectionStaysOpen() {
    Map<String, String> h =
        upstreamHeaders(
            RawRequest.of("GET", "/v2/")
                .header("Connection", "X-Private")
                .header("X-Private", "secret")
                .header("Keep-Alive", "timeout=5")
                .header("TE", "trailers"));
    assertAbsent(h, "X-Private", "Keep-Alive", "TE", "Connection");
    Map<String, String> closing =
        upstreamHeaders(RawRequest.of("GET", "/v2/").header("Connection", "close"));
    assertEquals(
        "keep-alive", closing.get("Connection"), "the client's close is not the upstream's");
  }
}
