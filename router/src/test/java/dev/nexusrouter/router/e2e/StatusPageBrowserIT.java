package dev.nexusrouter.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Chromium;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: headless Chromium loads the admin listener's {@code /status}
 * while a large blob is pushed through the router into a real {@code docker-registry} (the body is
 * fed slowly so the transfer stays in flight), waits until the page's own polling shows the
 * transfer row with a growing byte count, checks the upstream table (the configured UI upstream is
 * down and drawn red), and saves a screenshot to {@code target/status-page.png}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatusPageBrowserIT {
  static final long SIZE = 64L << 20;
  static final int CHUNK = 256 << 10;

  @TempDir Path dir;

  @Test
  void pageShowsAGrowingPushAndTheDownUpstreamInRed() throws Exception {
    try (RegistryProcess hosted = RegistryProcess.start(dir, "hosted", null);
        RegistryProcess group = RegistryProcess.start(dir, "group", hosted.url())) {
      int closed = Proc.freePort();
      Path config = dir.resolve("router.yaml");
      Files.writeString(
          config,
          "listeners:\n  - {address: 127.0.0.1, port: 0}\n"
              + "upstreams:\n"
              + "  group: {servers: [\""
              + group.url()
              + "\"]}\n"
              + "  hosted: {servers: [\""
              + hosted.url()
              + "\"]}\n"
              + "  nexus-ui: {servers: [\"http://127.0.0.1:"
              + closed
              + "\"]}\n"
              + "hosts:\n"
              + "  - {server-names: [localhost], default: true, group: group, hosted: hosted}\n"
              + "  - {server-names: [nexus.localhost], kind: ui, upstream: nexus-ui}\n"
              + "access-log: {path: \"off\"}\n"
              + "admin: {address: 127.0.0.1, port: 0}\n");
      try (RouterServer router = RouterServer.start(ConfigLoader.load(config), Clock.systemUTC());
          Chromium browser = Chromium.start(dir.resolve("profile"), dir.resolve("chromium.log"))) {
        String base = "http://127.0.0.1:" + router.port(0);
        AtomicBoolean release = new AtomicBoolean();
        CompletableFuture<HttpResponse<String>> push = slowPush(base, release);

        browser.navigate("http://127.0.0.1:" + router.adminPort() + "/status");
        String first = waitFor(browser, BYTES, s -> !s.isEmpty() && Long.parseLong(s) > 0, push);
        String later =
            waitFor(
                browser,
                BYTES,
                s -> !s.isEmpty() && Long.parseLong(s) > Long.parseLong(first),
                push);
        assertTrue(Long.parseLong(later) > Long.parseLong(first), first + " -> " + later);
        assertEquals("PUT", browser.eval(TRANSFER_CELL + "[0].textContent"));
        assertEquals("team/big", browser.eval(TRANSFER_CELL + "[1].textContent"));
        waitFor(browser, "document.body.dataset.polls || '0'", s -> Integer.parseInt(s) >= 2, push);

        waitFor(browser, STATE + "('nexus-ui')", "down"::equals, push);
        waitFor(browser, STATE + "('hosted')", "up"::equals, push);
        assertEquals("up", browser.eval(STATE + "('group')"));
        assertEquals(
            "rgb(211, 47, 47)",
            browser.eval(
                "getComputedStyle(document.querySelector("
                    + "'tr[data-upstream=\"nexus-ui\"] td.state')).backgroundColor"),
            "a down upstream is drawn red");
        browser.screenshot(Path.of("target", "status-page.png"));

        release.set(true);
        HttpResponse<String> done = push.get(120, TimeUnit.SECONDS);
        assertEquals(201, done.statusCode(), done.body());
        assertTrue(
            Files.isRegularFile(hosted.blobData("sha256:" + PatternBytes.sha256Hex(SIZE))),
            "the blob landed in hosted");
      }
    }
  }

  static final String TRANSFER_CELL = "document.querySelectorAll('#transfers tr.transfer td')";
  static final String BYTES =
      "(function(){var c=document.querySelector('#transfers tr.transfer td.bytes');"
          + "return c?c.dataset.bytes:'';})()";
  static final String STATE =
      "(function(n){var r=document.querySelector('tr[data-upstream=\"'+n+'\"]');"
          + "return r?r.className:'';})";

  /** Polls the page (bounded) until {@code ok} holds for the expression's value. */
  private static String waitFor(
      Chromium b, String expr, Predicate<String> ok, CompletableFuture<?> push) throws Exception {
    String v = "";
    for (int i = 0; i < 300; i++) {
      v = b.eval(expr);
      if (ok.test(v)) {
        return v;
      }
      if (push.isDone()) {
        fail("the push ended before the page showed it: " + push.get());
      }
      Thread.sleep(100);
    }
    fail("the page never showed the expected value for " + expr + "; last: '" + v + "'");
    return v;
  }

  /** Starts a monolithic blob upload and feeds the PUT body slowly until released. */
  private static CompletableFuture<HttpResponse<String>> slowPush(
      String base, AtomicBoolean release) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> start =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v2/team/big/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, start.statusCode(), start.body());
    String location = start.headers().firstValue("Location").orElseThrow();
    URI put =
        URI.create(base)
            .resolve(
                location
                    + (location.contains("?") ? "&" : "?")
                    + "digest=sha256:"
                    + PatternBytes.sha256Hex(SIZE));
    InputStream body =
        new InputStream() {
          long pos;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);

          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos >= SIZE) {
              return -1;
            }
            if (!release.get() && System.nanoTime() < deadline) {
              try {
                Thread.sleep(100); // about 2.5 MiB/s while the page watches
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            int n = (int) Math.min(Math.min(len, CHUNK), SIZE - pos);
            PatternBytes.fill(pos, b, off, n);
            pos += n;
            return n;
          }
        };
    return http.sendAsync(
        HttpRequest.newBuilder(put)
            .header("Content-Type", "application/octet-stream")
            .PUT(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE))
            .timeout(Duration.ofSeconds(150))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
