package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;

/**
 * What every virtual host does before its own routing: the optional redirect of plain-HTTP requests
 * to HTTPS, and {@code /download/ca.crt} with the router's CA certificate (replacing the seed's
 * nginx static folder that nodes fetched the CA from).
 */
final class HostFront implements HttpHandler {
  static final String CA_PATH = "/download/ca.crt";

  private final VirtualHostConfig host;
  private final byte[] caPem;
  private final HttpHandler next;

  /**
   * @param caPem the CA certificate in PEM, or null when the router knows none
   */
  HostFront(VirtualHostConfig host, byte[] caPem, HttpHandler next) {
    this.host = host;
    this.caPem = caPem;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (host.httpsRedirectPort() > 0 && exchange.getRequestScheme().equals("http")) {
      redirect(exchange);
      return;
    }
    boolean read =
        exchange.getRequestMethod().equals(Methods.GET)
            || exchange.getRequestMethod().equals(Methods.HEAD);
    if (caPem != null && host.serveCa() && read && exchange.getRequestPath().equals(CA_PATH)) {
      ExchangeTags.of(exchange).route = "ca";
      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/x-x509-ca-cert");
      exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, caPem.length);
      exchange
          .getResponseHeaders()
          .put(Headers.CONTENT_DISPOSITION, "attachment; filename=\"ca.crt\"");
      if (exchange.getRequestMethod().equals(Methods.HEAD)) {
        exchange.endExchange();
      } else {
        exchange.getResponseSender().send(ByteBuffer.wrap(caPem));
      }
      return;
    }
    next.handleRequest(exchange);
  }

  private void redirect(HttpServerExchange exchange) {
    String hostName = exchange.getHostName();
    if (hostName.indexOf(':') >= 0 && !hostName.startsWith("[")) {
      hostName = "[" + hostName + "]"; // IPv6 literal
    }
    int port = host.httpsRedirectPort();
    StringBuilder target = new StringBuilder("https://").append(hostName);
    if (port != 443) {
      target.append(':').append(port);
    }
    target.append(exchange.getRequestURI());
    String q = exchange.getQueryString();
    if (q != null && !q.isEmpty()) {
      target.append('?').append(q);
    }
    ExchangeTags.of(exchange).route = "https-redirect";
    exchange.setStatusCode(301);
    exchange.getResponseHeaders().put(Headers.LOCATION, target.toString());
    exchange.setPersistent(exchange.isRequestComplete());
    exchange.endExchange();
  }
}
