package dev.nexusrouter.router.proxy;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Connection-specific ("hop-by-hop") headers, removed from requests on the way to an upstream and
 * from responses on the way back: one list for both directions, as in Caddy's reverse proxy. RFC
 * 9110, section 7.6.1: a proxy removes {@code Connection}, every header that {@code Connection}
 * names, and the connection-specific fields. The framing headers ({@code Content-Length}, {@code
 * Transfer-Encoding}) are not on the list: Undertow frames each side itself from them. See
 * docs/operations-reliability.md.
 */
public final class HopByHop {
  static final HttpString PROXY_CONNECTION = new HttpString("Proxy-Connection");
  static final HttpString ALT_SVC = new HttpString("Alt-Svc");

  /** Removed in both directions. */
  public static final Set<HttpString> HEADERS =
      Set.of(
          Headers.CONNECTION,
          Headers.KEEP_ALIVE,
          PROXY_CONNECTION,
          Headers.TE,
          Headers.TRAILER,
          Headers.UPGRADE,
          Headers.PROXY_AUTHORIZATION,
          Headers.PROXY_AUTHENTICATE,
          ALT_SVC);

  /** Never removed because {@code Connection} names them: framing and routing depend on them. */
  private static final Set<HttpString> KEPT =
      Set.of(Headers.HOST, Headers.CONTENT_LENGTH, Headers.TRANSFER_ENCODING);

  private HopByHop() {}

  /** Removes the hop-by-hop headers and those the {@code Connection} header names. */
  public static void strip(HeaderMap h) {
    HeaderValues conn = h.get(Headers.CONNECTION);
    if (conn != null) {
      List<HttpString> named = new ArrayList<>();
      for (String v : conn) {
        for (String token : v.split(",")) {
          String t = token.trim();
          if (!t.isEmpty()) {
            named.add(new HttpString(t));
          }
        }
      }
      for (HttpString n : named) {
        if (!KEPT.contains(n)) {
          h.remove(n);
        }
      }
    }
    for (HttpString n : HEADERS) {
      h.remove(n);
    }
  }
}
