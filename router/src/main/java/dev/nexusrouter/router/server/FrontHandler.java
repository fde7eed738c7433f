package dev.nexusrouter.router.server;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.observe.AccessLog;
import dev.nexusrouter.router.observe.ExchangeTags;
import dev.nexusrouter.router.observe.Metrics;
import dev.nexusrouter.router.observe.StatusBoard;
import dev.nexusrouter.router.proxy.ChunkedBodyGuard;
import dev.nexusrouter.router.proxy.RegistryErrors;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.function.Supplier;

/**
 * The first handler of every main listener, before any host is chosen. In order: pin the exchange
 * to the generation in force, attach the access log, metrics and status board (all on completion),
 * answer router errors with registry JSON, refuse oversized heads (431) and odd Transfer-Encodings
 * (501), hold chunked bodies to strict framing; then {@code next} (graceful shutdown, then host →
 * route → upstream).
 */
final class FrontHandler implements HttpHandler {
  private final Supplier<Generation> current;
  private final Metrics metrics;
  private final StatusBoard status;
  private final RegistryErrors errors;
  private final HttpHandler next;

  FrontHandler(
      Supplier<Generation> current,
      Metrics metrics,
      StatusBoard status,
      RegistryErrors errors,
      HttpHandler next) {
    this.current = current;
    this.metrics = metrics;
    this.status = status;
    this.errors = errors;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Generation g = current.get();
    while (!g.enter(exchange)) { // 0. pin this exchange to the generation in force
      Generation newer = current.get(); // it was retired and closed in between: take the new one
      if (newer == g) { // closed and not replaced: the server is stopping
        RegistryErrors.send(
            exchange, RegistryError.of(503, "UNAVAILABLE", "nexus-router is shutting down"));
        return;
      }
      g = newer;
    }
    ExchangeTags.of(exchange);
    AccessLog log = g.accessLog();
    if (log != null) {
      log.attach(exchange); // 1. access log on completion
    }
    metrics.begin(exchange, !exchange.isRequestComplete()); // 2. metrics on completion
    status.begin(exchange); // 2b. the admin status page: in flight until completion
    exchange.addDefaultResponseListener(errors); // 3. registry JSON for every router error
    long limit = g.config.maxHeaderSize();
    if (limit > 0 && headSize(exchange) > limit) { // 4. 431 JSON for oversized request heads
      RegistryErrors.send(
          exchange,
          RegistryError.of(431, "UNSUPPORTED", "request headers are larger than max-header-size")
              .withDetail("limit " + limit + " bytes"));
      return;
    }
    if (!plainTransferEncoding(exchange)) { // 5. no smuggling through odd Transfer-Encodings
      RegistryErrors.send(
          exchange,
          RegistryError.of(501, "UNSUPPORTED", "unsupported Transfer-Encoding")
              .withDetail("only a single 'chunked' coding is accepted"));
      return;
    }
    ChunkedBodyGuard.install(exchange); // 5b. strict chunked framing under Undertow's decoder
    next.handleRequest(exchange); // 6. 503 once shutting down, else host -> route -> upstream
  }

  /**
   * True without a Transfer-Encoding header or with exactly one {@code chunked} coding. Undertow
   * treats a request with any other coding ({@code xchunked}, {@code chunked, identity}, two
   * headers, {@code chunked;x=1}) as not chunked and the proxy would forward that header with the
   * client's raw bytes: an upstream that reads the coding differently would see the body's contents
   * as a second request. nginx answers such requests with 501; so does the router.
   */
  static boolean plainTransferEncoding(HttpServerExchange exchange) {
    HeaderValues te = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
    if (te == null || te.isEmpty()) {
      return true;
    }
    return te.size() == 1 && te.getFirst().trim().equalsIgnoreCase("chunked");
  }

  /**
   * Size of the request line and headers as received (give or take whitespace). Undertow's own
   * limit ({@link UndertowOptions#MAX_HEADER_SIZE}) answers a bare 400 from inside its parser,
   * where no handler runs; so that limit is set well above {@code max-header-size} (see {@link
   * #parserHeaderLimit}) and the router checks here, where it can answer 431 with registry JSON.
   */
  static long headSize(HttpServerExchange exchange) {
    long n = exchange.getRequestMethod().length() + exchange.getRequestURI().length() + 12L;
    String q = exchange.getQueryString();
    n += q == null ? 0 : q.length() + 1;
    for (HeaderValues hv : exchange.getRequestHeaders()) {
      int name = hv.getHeaderName().length();
      for (String v : hv) {
        n += name + v.length() + 4;
      }
    }
    return n;
  }

  /**
   * Undertow's parser limit: heads above it get Undertow's bare 400 and a closed connection (no
   * handler can answer there). Twice {@code max-header-size}, at least 128 KiB: enough room for the
   * router's own 431 above {@code max-header-size}, and it bounds what one connection can make the
   * parser hold (see docs/operations-reliability.md).
   */
  static int parserHeaderLimit(long maxHeaderSize) {
    long cap = Math.max(128L << 10, maxHeaderSize * 2);
    return (int) Math.min(Integer.MAX_VALUE, cap);
  }
}
