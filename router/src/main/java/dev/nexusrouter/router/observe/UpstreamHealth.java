package dev.nexusrouter.router.observe;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
  private final CloseableHttpClient client;
  private final ScheduledExecutorService scheduler;
  private volatile Map<String, Result> results = Map.of();

  public UpstreamHealth(List<Check> checks, Duration interval, Duration timeout, Clock clock) {
    this.checks = List.copyOf(checks);
    this.clock = clock;
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
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "upstream-health");
              th.setDaemon(true);
              return th;
            });
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

  void runChecks() {
    Map<String, Result> next = new LinkedHashMap<>();
    for (Check c : checks) {
      next.put(c.upstream(), probe(c));
    }
    results = Map.copyOf(next);
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
    try {
      client.close();
    } catch (IOException e) {
      // closing an idle client has nothing to report
    }
  }
}
