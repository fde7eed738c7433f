package dev.nexusrouter.router.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Prometheus metrics through Micrometer. Every label is bounded: route row ids and upstream names
 * come from the configuration, methods outside the HTTP set become {@code OTHER}, statuses are
 * classes ({@code 2xx}); never repository names or paths. Recording happens on exchange completion,
 * off the transfer path.
 */
public final class Metrics implements ExchangeCompletionListener {
  private static final AttachmentKey<Boolean> SEEN = AttachmentKey.create(Boolean.class);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final AtomicInteger activeUploads = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Instant> certificateExpiry = new ConcurrentHashMap<>();

  private final Set<String> methods;

  /**
   * @param methods the method labels kept as they are (the registry methods, passed in by the
   *     server so this package stays a leaf); any other method is labelled {@code OTHER}
   */
  public Metrics(Set<String> methods) {
    this.methods = Set.copyOf(methods);
    Gauge.builder("nexus_router_active_requests", activeRequests, AtomicInteger::get)
        .description("Requests in flight")
        .register(registry);
    Gauge.builder("nexus_router_active_uploads", activeUploads, AtomicInteger::get)
        .description("Requests with a body in flight")
        .register(registry);
    Gauge.builder("nexus_router_open_connections", openConnections, AtomicInteger::get)
        .description("Client connections that carried at least one request and are open")
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  /** Called when a request starts. */
  public void begin(HttpServerExchange exchange, boolean upload) {
    activeRequests.incrementAndGet();
    if (upload) {
      activeUploads.incrementAndGet();
      exchange.putAttachment(UPLOAD, Boolean.TRUE);
    }
    ServerConnection conn = exchange.getConnection();
    if (conn.getAttachment(SEEN) == null) {
      conn.putAttachment(SEEN, Boolean.TRUE);
      openConnections.incrementAndGet();
      if (conn.getSslSessionInfo() != null) {
        counter("nexus_router_tls_connections_total", "TLS connections accepted").increment();
      }
      conn.addCloseListener(c -> openConnections.decrementAndGet());
    }
    exchange.addExchangeCompleteListener(this);
  }

  private static final AttachmentKey<Boolean> UPLOAD = AttachmentKey.create(Boolean.class);

  @Override
  public void exchangeEvent(HttpServerExchange ex, NextListener next) {
    try {
      activeRequests.decrementAndGet();
      if (ex.getAttachment(UPLOAD) != null) {
        activeUploads.decrementAndGet();
      }
      ExchangeTags tags = ExchangeTags.of(ex);
      String method = ex.getRequestMethod().toString();
      method = methods.contains(method) ? method : "OTHER";
      // a transfer cut mid-body sent a 2xx head but failed: counted as an upstream error
      String status = "cut".equals(tags.upstreamError) ? "5xx" : (ex.getStatusCode() / 100) + "xx";
      long start = ex.getRequestStartTime();
      long nanos = start > 0 ? System.nanoTime() - start : 0;
      timer(tags.route, tags.upstream, method, status).record(nanos, TimeUnit.NANOSECONDS);
      bytes("nexus_router_response_bytes", tags.upstream).record(ex.getResponseBytesSent());
      if (tags.requestBytes > 0) {
        bytes("nexus_router_request_bytes", tags.upstream).record(tags.requestBytes);
      }
      if (tags.unclassified) {
        counter(
                "nexus_router_unclassified_requests_total",
                "Requests only the safety-net row matched")
            .increment();
      }
      if (tags.upstreamError != null) {
        upstreamError(tags.upstream, tags.upstreamError);
      }
    } finally {
      next.proceed();
    }
  }

  /** kind: refused, connect_timeout, response_timeout, reset, body_limit, cut, bad_framing. */
  public void upstreamError(String upstream, String kind) {
    counters
        .computeIfAbsent(
            "err\0" + upstream + "\0" + kind,
            k ->
                Counter.builder("nexus_router_upstream_errors_total")
                    .description("Upstream connect errors, timeouts and resets")
                    .tag("upstream", upstream)
                    .tag("kind", kind)
                    .register(registry))
        .increment();
  }

  /** Publishes the expiry of a listener's certificate as seconds from now. */
  public void certificateExpiry(String listener, Instant notAfter, Supplier<Instant> now) {
    if (certificateExpiry.put(listener, notAfter) == null) {
      Gauge.builder(
              "nexus_router_certificate_expiry_seconds",
              certificateExpiry,
              m -> Duration.between(now.get(), m.get(listener)).toSeconds())
          .description("Seconds until the listener's certificate expires")
          .tag("listener", listener)
          .register(registry);
    }
  }

  private Timer timer(String route, String upstream, String method, String status) {
    String key = route + '\0' + upstream + '\0' + method + '\0' + status;
    return timers.computeIfAbsent(
        key,
        k ->
            Timer.builder("nexus_router_requests")
                .description("Requests by route row, upstream, method and status class")
                .tag("route", route)
                .tag("upstream", upstream)
                .tag("method", method.toUpperCase(Locale.ROOT))
                .tag("status", status)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry));
  }

  private DistributionSummary bytes(String name, String upstream) {
    return DistributionSummary.builder(name)
        .baseUnit("bytes")
        .tag("upstream", upstream)
        .register(registry);
  }

  private Counter counter(String name, String description) {
    return counters.computeIfAbsent(
        name, k -> Counter.builder(name).description(description).register(registry));
  }
}
