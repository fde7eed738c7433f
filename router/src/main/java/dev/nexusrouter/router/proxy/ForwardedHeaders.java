package dev.nexusrouter.router.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

/**
 * Request-header rules of registry-routing.md §5 that Undertow's ProxyHandler does not apply by
 * itself: hop-by-hop headers are dropped, and client-sent forwarding headers are discarded so the
 * upstream sees the listener's real scheme.
 */
public final class ForwardedHeaders {
  private static final HttpString X_FORWARDED_SERVER = Headers.X_FORWARDED_SERVER;

  private ForwardedHeaders() {}

  static void prepare(HttpServerExchange exchange) {
    HeaderMap h = exchange.getRequestHeaders();
    HopByHop.strip(h);
    if (!h.contains(Headers.HOST)) {
      // an HTTP/1.0 request may come without Host; the upstream request is HTTP/1.1, which
      // requires one (RFC 9112, section 3.2): name the address the client reached, as nginx's $host
      // does
      h.put(Headers.HOST, exchange.getHostAndPort());
    }
    // With reuseXForwarded the proxy would trust these; drop the client's so it sets its own.
    h.remove(Headers.X_FORWARDED_PROTO);
    h.remove(Headers.X_FORWARDED_PORT);
    h.remove(X_FORWARDED_SERVER);
    h.remove(Headers.FORWARDED);
    // X-Forwarded-Host with a port makes Nexus emit host:port:port (nexus-public#611). ProxyHandler
    // adds one only when the inbound request has none, so put a marker here; the builder's empty
    // X-Forwarded-Host header then removes the marker from the upstream request.
    h.put(Headers.X_FORWARDED_HOST, "-");
  }
}
