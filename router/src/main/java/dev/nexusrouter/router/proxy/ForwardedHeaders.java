package dev.nexusrouter.router.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Request-header rules of registry-routing.md §5 that Undertow's ProxyHandler does not apply by
 * itself: hop-by-hop headers are dropped, and client-sent forwarding headers are discarded so the
 * upstream sees the listener's real scheme.
 */
public final class ForwardedHeaders {
  /** RFC 9110 §7.6.1 connection-specific headers, plus the legacy Proxy-Connection. */
  static final HttpString PROXY_CONNECTION = new HttpString("Proxy-Connection");

  public static final Set<HttpString> HOP_BY_HOP =
      Set.of(
          Headers.KEEP_ALIVE,
          PROXY_CONNECTION,
          Headers.TE,
          Headers.TRAILER,
          Headers.PROXY_AUTHORIZATION,
          Headers.PROXY_AUTHENTICATE);

  private static final HttpString X_FORWARDED_SERVER = Headers.X_FORWARDED_SERVER;

  private ForwardedHeaders() {}

  static void prepare(HttpServerExchange exchange) {
    HeaderMap h = exchange.getRequestHeaders();
    stripConnectionTokens(h);
    for (HttpString name : HOP_BY_HOP) {
      h.remove(name);
    }
    // With reuseXForwarded the proxy would trust these; drop the client's so it sets its own.
    h.remove(Headers.X_FORWARDED_PROTO);
    h.remove(Headers.X_FORWARDED_PORT);
    h.remove(X_FORWARDED_SERVER);
    h.remove(new HttpString("Forwarded"));
    // X-Forwarded-Host with a port makes Nexus emit host:port:port (nexus-public#611). ProxyHandler
    // adds one only when the inbound request has none, so put a marker here; the builder's empty
    // X-Forwarded-Host header then removes the marker from the upstream request.
    h.put(Headers.X_FORWARDED_HOST, "-");
  }

  /** Removes the headers a {@code Connection} header names, as hop-by-hop (RFC 9110 §7.6.1). */
  public static void stripConnectionTokens(HeaderMap h) {
    HeaderValues conn = h.get(Headers.CONNECTION);
    if (conn == null) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (String v : conn) {
      for (String token : v.split(",")) {
        String t = token.trim();
        if (!t.isEmpty() && !t.equalsIgnoreCase("close") && !t.equalsIgnoreCase("keep-alive")) {
          names.add(t);
        }
      }
    }
    for (String n : names) {
      HttpString name = new HttpString(n);
      if (!name.equals(Headers.HOST)
          && !name.equals(Headers.CONTENT_LENGTH)
          && !name.equals(Headers.TRANSFER_ENCODING)) {
        h.remove(name);
      }
    }
  }
}
