package dev.nexusrouter.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.Test;

/** One hop-by-hop list for both directions, as Caddy's hopheaders_test.go checks it. */
class HopByHopTest {
  static HeaderMap headers(String... nameValue) {
    HeaderMap h = new HeaderMap();
    for (int i = 0; i < nameValue.length; i += 2) {
      h.add(new HttpString(nameValue[i]), nameValue[i + 1]);
    }
    return h;
  }

  @Test
  void everyListedHeaderIsRemoved() {
    HeaderMap h = new HeaderMap();
    for (HttpString n : HopByHop.HEADERS) {
      h.add(n, "x");
    }
    h.add(new HttpString("Docker-Content-Digest"), "sha256:1");
    HopByHop.strip(h);
    assertEquals(1, h.size(), h.toString());
    assertEquals("sha256:1", h.getFirst("Docker-Content-Digest"));
  }

  @Test
  void headersNamedInConnectionAreRemovedInEveryForm() {
    HeaderMap h =
        headers(
            "Connection", "keep-alive, X-One",
            "Connection", " x-two ,,",
            "X-One", "1",
            "X-Two", "2",
            "X-Three", "3");
    HopByHop.strip(h);
    assertFalse(h.contains("X-One"));
    assertFalse(h.contains("X-Two"));
    assertFalse(h.contains("Connection"));
    assertTrue(h.contains("X-Three"));
  }

  @Test
  void framingAndHostSurviveBeingNamedInConnection() {
    HeaderMap h =
        headers(
            "Connection", "Content-Length, Transfer-Encoding, Host",
            "Content-Length", "5",
            "Transfer-Encoding", "chunked",
            "Host", "registry.example.com");
    HopByHop.strip(h);
    assertEquals("5", h.getFirst("Content-Length"));
    assertEquals("chunked", h.getFirst("Transfer-Encoding"));
    assertEquals("registry.example.com", h.getFirst("Host"));
  }

  @Test
  void aMapWithoutHopByHopHeadersIsUnchanged() {
    HeaderMap h = headers("Accept", "application/json", "Authorization", "Bearer t");
    HopByHop.strip(h);
    assertEquals(2, h.size());
  }
}
