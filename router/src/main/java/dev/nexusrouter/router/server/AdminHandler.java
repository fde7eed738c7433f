package dev.nexusrouter.router.server;

import dev.nexusrouter.common.Json;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.RoutesText;
import dev.nexusrouter.router.observe.Metrics;
import dev.nexusrouter.router.observe.UpstreamHealth;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin listener (loopback by default): liveness, readiness from cached upstream checks, the
 * effective route table, and Prometheus metrics. Runs on worker threads; never on the proxy path.
 */
final class AdminHandler implements HttpHandler {
  private final Metrics metrics;
  private final Supplier<UpstreamHealth> health;
  private final Supplier<RouterConfig> config;

  private final java.util.function.BooleanSupplier draining;

  /**
   * @param draining true once a graceful shutdown started: {@code /readyz} then answers 503 so load
   *     balancers stop sending new requests while transfers in flight finish
   */
  AdminHandler(
      Metrics metrics,
      Supplier<UpstreamHealth> health,
      Supplier<RouterConfig> config,
      java.util.function.BooleanSupplier draining) {
    this.draining = draining;
    this.metrics = metrics;
    this.health = health;
    this.config = config;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    if (!exchange.getRequestMethod().equals(Methods.GET)
        && !exchange.getRequestMethod().equals(Methods.HEAD)) {
      send(exchange, 405, "text/plain", "method not allowed\n");
      return;
    }
    switch (exchange.getRequestPath()) {
      case "/healthz" -> send(exchange, 200, "text/plain", "ok\n");
      case "/readyz" -> readyz(exchange);
      case "/routes" -> send(exchange, 200, "text/plain; charset=utf-8", routes(config.get()));
      case "/metrics" ->
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      default ->
          send(exchange, 404, "text/plain", "not found: /healthz /readyz /routes /metrics\n");
    }
  }

  private void readyz(HttpServerExchange exchange) {
    UpstreamHealth h = health.get();
    StringBuilder sb = new StringBuilder();
    boolean stopping = draining.getAsBoolean();
    boolean ready = h.ready() && !stopping;
    sb.append("{\"ready\":").append(ready);
    if (stopping) {
      sb.append(",\"draining\":true");
    }
    sb.append(",\"upstreams\":{");
    boolean first = true;
    for (Map.Entry<String, UpstreamHealth.Result> e : h.results().entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append('"').append(Json.quote(e.getKey())).append("\":{\"up\":").append(e.getValue().up());
      sb.append(",\"detail\":\"").append(Json.quote(e.getValue().detail())).append("\"}");
    }
    sb.append("}}\n");
    send(exchange, ready ? 200 : 503, "application/json", sb.toString());
  }

  static String routes(RouterConfig c) {
    return RoutesText.of(c);
  }

  private static void send(HttpServerExchange exchange, int status, String type, String body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    exchange.getResponseSender().send(body);
  }
}
