package dev.nexusrouter.router.observe;

import dev.nexusrouter.common.DaemonThreads;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * Background readiness checks of every upstream with short timeouts; {@code /readyz} only reads the
 * cached results, so a scrape never waits on Nexus. Registry ports answer {@code GET /v2/} (any
 * status below 500, 401 included, means the connector is up); the UI side answers Nexus's {@code
 * GET /service/rest/v1/status/writable} with 200 when it can take writes.
 */
public final class UpstreamHealth implements AutoCloseable {
  /** One upstream check: what is probed and what counts as healthy. */
  public record Check(String upstream, URI url, boolean anyBelow500) {}

  /**
   * The last result of one check.
   *
   * @param latencyMillis how long the probe took (to the failure, when it failed)
   */
  public record Result(boolean up, String detail, Instant at, long latencyMillis) {}

  private final List<Check> checks;
  private final Clock clock;
  private final Duration timeout;
  private final CloseableHttpClient client;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService probes;
  private final Map<String, Result> latest = new ConcurrentHashMap<>();
  private volatile Map<String, Result> results = Map.of();

  public UpstreamHealth(List<Check> checks, Duration interval, Duration timeout, Clock clock) {
    this.checks = List.copyOf(checks);
    this.clock = clock;
    this.timeout = timeout;
    Timeout t = Timeout.of(timeout);
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t).build())
                    .build())
            .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(t).build())
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .build();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("upstream-health"));
    // one probe thread per upstream (at most 8): a slow upstream's timeout no longer delays the
    // others, and /readyz shows each result as soon as it is known
    int parallel = Math.max(1, Math.min(8, checks.size()));
    this.probes =
        Executors.newFixedThreadPool(parallel, DaemonThreads.named("upstream-health-probe"));
    scheduler.scheduleWithFixedDelay(
        this::runChecks, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public Map<String, Result> results() {
    return results;
  }

  /** Ready when every check has run and passed. */
  public boolean ready() {
    Map<String, Result> r = results;
    return r.size() == checks.size() && r.values().stream().allMatch(Result::up);
  }

  /** Probes every upstream at once and waits (bounded) for all of them before the next round. */
  void runChecks() {
    List<Future<?>> running = new ArrayList<>();
    try {
      for (Check c : checks) {
        running.add(probes.submit(() -> publish(c.upstream(), probe(c))));
      }
      long deadline = System.nanoTime() + 2 * timeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
      for (Future<?> f : running) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      // a probe that misbehaves is reported by its own result next round; keep scheduling
    }
  }

  private synchronized void publish(String upstream, Result r) {
    latest.put(upstream, r);
    Map<String, Result> ordered = new LinkedHashMap<>();
    for (Check c : checks) {
      Result x = latest.get(c.upstream());
      if (x != null) {
        ordered.put(c.upstream(), x);
      }
    }
    results = Collections.unmodifiableMap(ordered);
  }

  private Result probe(Check c) {
    long start = System.nanoTime();
    try {
      int status =
          client.execute(
              new HttpGet(c.url()),
              response -> {
                org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
                return response.getCode();
              });
      boolean up = c.anyBelow500() ? status < 500 : status == 200;
      return new Result(
          up, "HTTP " + status + " from " + c.url(), clock.instant(), millisSince(start));
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Result(false, why, clock.instant(), millisSince(start));
    }
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    probes.shutdownNow();
    try {
      client.close();
    } catch (IOException e) {
      // closing an idle client has nothing to report
    }
  }
}
