package dev.nexusrouter.router.observe;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The live state behind the admin status page: requests in flight, per-route counts and error rates
 * over the last minutes, the last error seen per upstream, and the last router-authored errors.
 * Everything is bounded (routes and upstreams come from the configuration and are capped anyway;
 * in-flight entries, windows and the error ring have fixed sizes). The proxy path only adds and
 * removes one map entry per request and bumps counters on completion; bytes so far are read from
 * the exchange when the page is rendered, not counted again. See docs/status-page.md.
 */
public final class StatusBoard implements ExchangeCompletionListener {
  /** Buckets of {@link #BUCKET_SECONDS}: the route windows cover the last five minutes. */
  static final int BUCKETS = 60;

  static final int BUCKET_SECONDS = 5;
  static final int MAX_IN_FLIGHT = 256;
  static final int MAX_KEYS = 512;
  static final int ERRORS_KEPT = 50;

  private final Clock clock;
  private final LongSupplier nanos;
  private final Map<HttpServerExchange, InFlight> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong untracked = new AtomicLong();
  private final Map<String, Window> routes = new ConcurrentHashMap<>();
  private final Map<String, UpstreamSeen> upstreams = new ConcurrentHashMap<>();
  private final RouterError[] errors = new RouterError[ERRORS_KEPT];
  private long errorCount;

  public StatusBoard(Clock clock, LongSupplier nanos) {
    this.clock = clock;
    this.nanos = nanos;
  }

  /** Facts of one request in flight; bytes are read live from the exchange. */
  record InFlight(HttpServerExchange exchange, String method, String path, long startNanos) {}

  /** A request in flight as shown on the page. */
  public record Transfer(
      String method,
      String path,
      String route,
      String upstream,
      long requestBytes,
      long responseBytes,
      double ageSeconds) {
    public long bytes() {
      return requestBytes + responseBytes;
    }

    public double bytesPerSecond() {
      return ageSeconds <= 0 ? 0 : bytes() / ageSeconds;
    }
  }

  /** Requests and errors of one route row over the last 1 and 5 minutes. */
  public record RouteCounts(
      String route, long count1m, long errors1m, long count5m, long errors5m) {}

  /** What traffic showed about an upstream (the health checks are separate). */
  public record UpstreamSeen(
      long requests, String lastError, Instant lastErrorAt, int lastStatus) {}

  /** An error the router answered itself (registry JSON), never with a query string. */
  public record RouterError(
      Instant at, int status, String code, String message, String method, String path) {}

  /** Called when a request starts (before routing), from the same place as the metrics. */
  public void begin(HttpServerExchange exchange) {
    if (inFlight.size() >= MAX_IN_FLIGHT) {
      untracked.incrementAndGet();
    } else {
      inFlight.put(
          exchange,
          new InFlight(
              exchange,
              exchange.getRequestMethod().toString(),
              exchange.getRequestPath(),
              nanos.getAsLong()));
    }
    exchange.addExchangeCompleteListener(this);
  }

  @Override
  public void exchangeEvent(HttpServerExchange ex, NextListener next) {
    try {
      inFlight.remove(ex);
      ExchangeTags tags = ExchangeTags.of(ex);
      int status = ex.getStatusCode();
      boolean error = status >= 500 || tags.routerError != null && status >= 400;
      if (routes.size() < MAX_KEYS || routes.containsKey(tags.route)) {
        routes.computeIfAbsent(tags.route, k -> new Window()).add(clock.millis() / 1000, error);
      }
      if (!"-".equals(tags.upstream)
          && (upstreams.size() < MAX_KEYS || upstreams.containsKey(tags.upstream))) {
        upstreams.compute(
            tags.upstream,
            (k, old) -> {
              long n = old == null ? 1 : old.requests() + 1;
              if (tags.upstreamError != null) {
                return new UpstreamSeen(n, tags.upstreamError, clock.instant(), status);
              }
              return old == null
                  ? new UpstreamSeen(n, null, null, status)
                  : new UpstreamSeen(n, old.lastError(), old.lastErrorAt(), status);
            });
      }
      if (tags.routerError != null) {
        recordError(ex, status, tags.routerError);
      }
    } finally {
      next.proceed();
    }
  }

  private void recordError(HttpServerExchange ex, int status, String codeAndMessage) {
    int sep = codeAndMessage.indexOf(' ');
    RouterError e =
        new RouterError(
            clock.instant(),
            status,
            sep < 0 ? codeAndMessage : codeAndMessage.substring(0, sep),
            sep < 0 ? "" : codeAndMessage.substring(sep + 1),
            ex.getRequestMethod().toString(),
            ex.getRequestPath());
    synchronized (errors) {
      errors[(int) (errorCount++ % ERRORS_KEPT)] = e;
    }
  }

  /** Requests in flight, largest first. */
  public List<Transfer> transfers() {
    long now = nanos.getAsLong();
    List<Transfer> out = new ArrayList<>();
    for (InFlight f : inFlight.values()) {
      HttpServerExchange ex = f.exchange();
      ExchangeTags tags = ex.getAttachment(ExchangeTags.KEY);
      out.add(
          new Transfer(
              f.method(),
              f.path(),
              tags == null ? "-" : tags.route,
              tags == null ? "-" : tags.upstream,
              tags == null ? 0 : tags.requestBytes,
              ex.getResponseBytesSent(),
              (now - f.startNanos()) / 1e9));
    }
    out.sort(Comparator.comparingLong(Transfer::bytes).reversed());
    return out;
  }

  /** Requests not shown because {@link #MAX_IN_FLIGHT} were in flight at their start. */
  public long untracked() {
    return untracked.get();
  }

  public RouteCounts routeCounts(String route) {
    Window w = routes.get(route);
    long now = clock.millis() / 1000;
    return w == null ? new RouteCounts(route, 0, 0, 0, 0) : w.counts(route, now);
  }

  /** Route ids seen in traffic (the page also lists configured rows never hit). */
  public List<String> routesSeen() {
    return List.copyOf(routes.keySet());
  }

  public UpstreamSeen upstream(String name) {
    return upstreams.get(name);
  }

  /** The last router-authored errors, newest first. */
  public List<RouterError> errors() {
    List<RouterError> out = new ArrayList<>();
    synchronized (errors) {
      for (long i = errorCount - 1; i >= 0 && i >= errorCount - ERRORS_KEPT; i--) {
        out.add(errors[(int) (i % ERRORS_KEPT)]);
      }
    }
    return out;
  }

  /** Counts per {@link #BUCKET_SECONDS}-second bucket, reused as time moves on. */
  static final class Window {
    private final long[] epoch = new long[BUCKETS];
    private final long[] count = new long[BUCKETS];
    private final long[] errors = new long[BUCKETS];

    synchronized void add(long nowSeconds, boolean error) {
      long b = nowSeconds / BUCKET_SECONDS;
      int i = (int) (b % BUCKETS);
      if (epoch[i] != b) {
        epoch[i] = b;
        count[i] = 0;
        errors[i] = 0;
      }
      count[i]++;
      if (error) {
        errors[i]++;
      }
    }

    synchronized RouteCounts counts(String route, long nowSeconds) {
      long b = nowSeconds / BUCKET_SECONDS;
      long c1 = 0;
      long e1 = 0;
      long c5 = 0;
      long e5 = 0;
      for (int i = 0; i < BUCKETS; i++) {
        long age = b - epoch[i];
        if (age < 0 || age >= BUCKETS) {
          continue;
        }
        c5 += count[i];
        e5 += errors[i];
        if (age < 60 / BUCKET_SECONDS) {
          c1 += count[i];
          e1 += errors[i];
        }
      }
      return new RouteCounts(route, c1, e1, c5, e5);
    }
  }
}
