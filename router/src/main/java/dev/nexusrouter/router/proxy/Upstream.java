package dev.nexusrouter.router.proxy;

import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.attribute.ExchangeAttributes;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.ExchangeCompletionListener.NextListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/**
 * One upstream (a Nexus connector or path-addressed repository): its own connection pools and
 * {@link ProxyHandler}s, never shared with another upstream, so a retry or a full pool can never
 * send a request to the wrong repository (docs/undertow-notes.md#one-proxy-client-per-upstream).
 *
 * <p>Two pools: requests without a body use the upstream read timeout directly; requests with a
 * body use {@code max-request-time} as the socket backstop and get the read timeout from {@link
 * BodyConduit} once the body has been sent.
 */
public final class Upstream implements AutoCloseable {

  private final UpstreamConfig config;
  private final List<LoadBalancingProxyClient> pools = new ArrayList<>();
  private final ProxyHandler bodiless;
  private final ProxyHandler withBody;

  public Upstream(UpstreamConfig config, HttpHandler noTarget) {
    this.config = config;
    this.bodiless = handler(config, config.readTimeout(), noTarget);
    this.withBody = handler(config, config.maxRequestTime(), noTarget);
  }

  /**
   * Closes both pools' connections (idle ones now, busy ones when they return). Called when the
   * generation that owns this upstream is retired and its exchanges completed, so a reload does not
   * leave the old pools' kept-alive connections open until their idle timeout.
   */
  @Override
  public void close() {
    for (LoadBalancingProxyClient pool : pools) {
      for (URI server : config.servers()) {
        pool.removeHost(withoutTrailingSlash(server));
      }
    }
  }

  public UpstreamConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  /** The pool behind bodiless requests, for {@link HeadFallback}'s own HEAD. */
  ProxyClient bodilessClient() {
    return bodiless.getProxyClient();
  }

  /** Forwards the exchange; {@code maxBodySize} 0 means no limit. */
  public void forward(HttpServerExchange exchange, long maxBodySize) throws Exception {
    ExchangeTags state = ExchangeTags.of(exchange);
    state.upstream = config.name();
    if (declaredTooLarge(exchange, maxBodySize)) {
      state.maxBodySize = maxBodySize;
      state.bodyLimitExceeded = true;
      RegistryErrors.send(exchange, RegistryErrors.classify(413, state, false));
      return;
    }
    state.maxBodySize = maxBodySize;
    state.readTimeoutMillis = config.readTimeout().toMillis();
    boolean hasBody = hasBody(exchange);
    if (hasBody) {
      exchange.addRequestWrapper((factory, ex) -> new BodyConduit(factory.create(), ex, state));
      exchange.addResponseCommitListener(ex -> state.cancelResponseTimer());
    }
    ForwardedHeaders.prepare(exchange);
    exchange.addResponseWrapper(ResponseFraming.INSTANCE);
    // runs before the metrics and access-log listeners (Undertow calls the last added first)
    exchange.addExchangeCompleteListener(Upstream::markCut);
    (hasBody ? withBody : bodiless).handleRequest(exchange);
  }

  private static void markCut(HttpServerExchange exchange, NextListener next) {
    try {
      ExchangeTags tags = ExchangeTags.of(exchange);
      if (tags.upstreamError == null && cut(exchange)) {
        tags.upstreamError = "cut";
      }
    } finally {
      next.proceed();
    }
  }

  /**
   * A response that started but did not end as announced: the connection was closed before the
   * response was terminated, or fewer body bytes than its Content-Length went out (an upstream
   * killed mid-transfer). The client saw a 200 head, but the transfer failed.
   */
  static boolean cut(HttpServerExchange exchange) {
    if (!exchange.isResponseStarted()) {
      return false;
    }
    if (!exchange.isResponseComplete()) {
      return true;
    }
    int status = exchange.getStatusCode();
    if (exchange.getRequestMethod().equals(Methods.HEAD) || status == 204 || status == 304) {
      return false;
    }
    String cl = exchange.getResponseHeaders().getFirst(Headers.CONTENT_LENGTH);
    if (cl == null) {
      return false;
    }
    try {
      return exchange.getResponseBytesSent() < Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** nginx answers 413 from Content-Length alone, before reading the body; so do we. */
  private static boolean declaredTooLarge(HttpServerExchange exchange, long max) {
    if (max <= 0) {
      return false;
    }
    String cl = exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
    if (cl == null) {
      return false;
    }
    try {
      return Long.parseLong(cl.trim()) > max;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static boolean hasBody(HttpServerExchange exchange) {
    if (exchange.isRequestComplete()) {
      return false;
    }
    var h = exchange.getRequestHeaders();
    if (h.contains(Headers.TRANSFER_ENCODING)) {
      return true;
    }
    String cl = h.getFirst(Headers.CONTENT_LENGTH);
    return cl != null && !cl.equals("0");
  }

  private ProxyHandler handler(UpstreamConfig c, Duration readTimeout, HttpHandler next) {
    OptionMap options =
        OptionMap.builder()
            .set(Options.TCP_NODELAY, true)
            .set(Options.KEEP_ALIVE, true)
            .set(Options.READ_TIMEOUT, clampMillis(readTimeout))
            .set(Options.WRITE_TIMEOUT, clampMillis(c.writeTimeout()))
            .getMap();
    LoadBalancingProxyClient pool =
        new LoadBalancingProxyClient()
            .setConnectionsPerThread(c.connectionsPerThread())
            .setMaxQueueSize(c.maxQueue())
            // let the ttl reap every idle connection: a pooled connection Nexus already closed
            // would fail the next request (docs/undertow-notes.md#connection-pools)
            .setSoftMaxConnectionsPerThread(0)
            .setTtl(clampMillis(c.idleTimeout()))
            .setProblemServerRetry(5);
    // all setters before addHost: the pool copies them there
    // (docs/undertow-notes.md#connection-pools)
    for (URI server : c.servers()) {
      pool.addHost(withoutTrailingSlash(server), null, ssl(server), options);
    }
    pools.add(pool);
    return ProxyHandler.builder()
        .setProxyClient(new UpstreamClient(pool, c.connectTimeout().toMillis()))
        .setMaxRequestTime(clampMillis(c.maxRequestTime()))
        // only GET and HEAD may be retried on another server: a replayed PUT commit or PATCH
        // would fail or send an empty body (docs/undertow-notes.md#retries)
        .setIdempotentRequestPredicate(
            ex ->
                ex.getRequestMethod().equals(Methods.GET)
                    || ex.getRequestMethod().equals(Methods.HEAD))
        .setMaxConnectionRetries(c.servers().size() > 1 ? 1 : 0)
        .setReuseXForwarded(true) // appends to X-Forwarded-For; ForwardedHeaders sets the rest
        .setRewriteHostHeader(false) // Host exactly as the client sent it, port included
        .addRequestHeader(Headers.X_FORWARDED_HOST, ExchangeAttributes.constant(""))
        .setNext(next)
        .build();
  }

  private static URI withoutTrailingSlash(URI u) {
    String s = u.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : u;
  }

  private static UndertowXnioSsl ssl(URI server) {
    if (!"https".equals(server.getScheme())) {
      return null;
    }
    try {
      return new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, SSLContext.getDefault());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context for upstream " + server, e);
    }
  }

  static int clampMillis(Duration d) {
    long ms = d.toMillis();
    return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(1, ms);
  }

  /**
   * The request path as received (still encoded), without the query string and without the scheme
   * and host of an absolute-form target: what routing parses and, below the upstream's own path,
   * what ProxyHandler sends upstream.
   */
  public static String rawPath(HttpServerExchange exchange) {
    String uri = exchange.getRequestURI();
    if (exchange.isHostIncludedInRequestURI()) {
      int s = uri.indexOf("//");
      int p = s < 0 ? -1 : uri.indexOf('/', s + 2);
      uri = p < 0 ? "/" : uri.substring(p);
    }
    return uri;
  }
}
