package dev.nexusrouter.router.observe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Readiness checks run side by side: a slow upstream does not hide the others' results. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamHealthIT {
  static Undertow server(io.undertow.server.HttpHandler h) {
    Undertow u = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(h).build();
    u.start();
    return u;
  }

  static URI url(Undertow u, String path) {
    int port = ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Test
  void aSlowUpstreamDoesNotDelayTheOthersResults() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Undertow slow =
        server(
            ex -> {
              if (ex.isInIoThread()) {
                ex.dispatch(
                    () -> {
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      ex.setStatusCode(200);
                      ex.endExchange();
                    });
              }
            });
    Undertow fast = server(ex -> ex.setStatusCode(401));
    try (UpstreamHealth h =
        new UpstreamHealth(
            List.of(
                new UpstreamHealth.Check("slow", url(slow, "/v2/"), true),
                new UpstreamHealth.Check("fast", url(fast, "/v2/"), true)),
            Duration.ofMinutes(5),
            Duration.ofSeconds(40),
            Clock.systemUTC())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!h.results().containsKey("fast") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(h.results().containsKey("fast"), "the fast upstream's result is published");
      assertTrue(h.results().get("fast").up(), h.results().toString());
      assertFalse(h.results().containsKey("slow"), "the slow probe is still waiting");
      assertFalse(h.ready(), "not ready until every check has a result");
      release.countDown();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!h.results().containsKey("slow") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(h.ready(), h.results().toString());
      assertTrue(List.copyOf(h.results().keySet()).equals(List.of("slow", "fast")), "in order");
    } finally {
      release.countDown();
      slow.stop();
      fast.stop();
    }
  }
}
