package dev.nexusrouter.router.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Picks the virtual host by the Host header's name (port ignored, as nginx's server_name): exact
 * names first, then the longest matching {@code *.domain} wildcard, then the default host.
 */
final class HostDispatcher implements HttpHandler {
  private final Map<String, HttpHandler> exact;
  private final List<Map.Entry<String, HttpHandler>> wildcards;
  private final HttpHandler fallback;

  /**
   * @param wildcards suffixes including the leading dot ({@code .example.com}), longest first
   */
  HostDispatcher(
      Map<String, HttpHandler> exact,
      List<Map.Entry<String, HttpHandler>> wildcards,
      HttpHandler fallback) {
    this.exact = Map.copyOf(exact);
    this.wildcards = List.copyOf(wildcards);
    this.fallback = fallback;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    select(exchange.getHostName()).handleRequest(exchange);
  }

  HttpHandler select(String hostName) {
    String name = hostName == null ? "" : hostName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    HttpHandler h = exact.get(name);
    if (h != null) {
      return h;
    }
    for (Map.Entry<String, HttpHandler> w : wildcards) {
      if (name.endsWith(w.getKey()) && name.length() > w.getKey().length()) {
        return w.getValue();
      }
    }
    return fallback;
  }
}
