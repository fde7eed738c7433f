package dev.nexusrouter.router.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;

/**
 * What an upstream sees of the client's request headers, decided in one place for every request,
 * whether Undertow's ProxyHandler sends it ({@link Upstream}) or {@link HeadFallback} sends its own
 * HEAD: hop-by-hop headers are dropped, and every forwarding header the client sent ({@code
 * Forwarded}, {@code X-Forwarded-*}, {@code X-Real-IP}) is replaced by the router's own value,
 * because Nexus's Jetty builds the token realm and {@code Location} URLs from them and logs {@code
 * X-Real-IP} / {@code X-Forwarded-For} as the client. See docs/client-request-shapes.md.
 */
public final class ForwardedHeaders {
  static final HttpString X_REAL_IP = new HttpString("X-Real-IP");

  /**
   * Put on the inbound request in place of any client {@code X-Forwarded-Host}: ProxyHandler adds
   * its own {@code X-Forwarded-Host} only when the inbound request has none, and {@link Upstream}'s
   * empty {@code X-Forwarded-Host} request header then removes the marker from the upstream
   * request. A {@code X-Forwarded-Host} with a port makes Nexus emit host:port:port
   * (nexus-public#611).
   */
  private static final String NO_FORWARDED_HOST = "-";

  private ForwardedHeaders() {}

  /**
   * Rewrites the client's request headers into those the upstream must see. ProxyHandler (built
   * with {@code reuseXForwarded}) keeps the {@code X-Forwarded-Proto/-Port/-Server} set here and
   * appends the client address to {@code X-Forwarded-For}; {@link #forUpstream} does the same for a
   * request the router builds itself.
   */
  static void prepare(HttpServerExchange exchange) {
    HeaderMap h = exchange.getRequestHeaders();
    HopByHop.strip(h);
    if (!h.contains(Headers.HOST)) {
      // an HTTP/1.0 request may come without Host; the upstream request is HTTP/1.1, which
      // requires one (RFC 9112, section 3.2): name the address the client reached, as nginx's $host
      // does
      h.put(Headers.HOST, exchange.getHostAndPort());
    }
    h.remove(Headers.FORWARDED);
    h.put(
        Headers.X_FORWARDED_PROTO, "https".equals(exchange.getRequestScheme()) ? "https" : "http");
    h.put(Headers.X_FORWARDED_PORT, exchange.getHostPort());
    h.put(Headers.X_FORWARDED_SERVER, exchange.getHostName());
    h.put(X_REAL_IP, clientAddress(exchange));
    h.put(Headers.X_FORWARDED_HOST, NO_FORWARDED_HOST);
  }

  /**
   * Fills {@code out} with the headers of an upstream request that the router sends itself: the
   * result of {@link #prepare}, the client address appended to {@code X-Forwarded-For} and the
   * {@code X-Forwarded-Host} marker removed, which is what ProxyHandler adds on the ordinary path.
   * flows/HeadRoutingIT compares the two paths header by header.
   */
  static void forUpstream(HttpServerExchange exchange, HeaderMap out) {
    prepare(exchange);
    for (HeaderValues values : exchange.getRequestHeaders()) {
      out.putAll(values.getHeaderName(), values);
    }
    out.remove(Headers.X_FORWARDED_HOST);
    String chain = out.getFirst(Headers.X_FORWARDED_FOR);
    String client = clientAddress(exchange);
    out.put(
        Headers.X_FORWARDED_FOR, chain == null || chain.isEmpty() ? client : chain + "," + client);
    if (!exchange.isPersistent()) {
      // the client's connection ends after this exchange; the pooled upstream one does not
      out.put(Headers.CONNECTION, "keep-alive");
    }
  }

  /** The client's IP address, as ProxyHandler writes it into {@code X-Forwarded-For}. */
  private static String clientAddress(HttpServerExchange exchange) {
    InetSocketAddress source = exchange.getSourceAddress();
    return source == null || source.getAddress() == null
        ? "localhost"
        : source.getAddress().getHostAddress();
  }
}
