package dev.nexusrouter.router.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Configs;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12, point 2: 2,508 unauthenticated {@code HEAD /v2/<60,000-char name>/blobs/sha256:0…}
 * used to exhaust a 128 MiB heap, because routing remembered every (client, repository name) it
 * saw. Routing keeps nothing per client or per name now, so the same flood leaves the router
 * serving. The same number of {@code HEAD /v2/<name>/manifests/<digest>} without {@code Accept}
 * runs alongside: those take the hosted-then-group retry, which must not keep anything either. The
 * router runs as the shaded jar in its own JVM with {@code -Xmx128m} and {@code
 * -XX:+ExitOnOutOfMemoryError}, so running out of heap ends the process and fails the test.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NameFloodIT {
  private static final int REQUESTS = 2_508;
  private static final int NAME_CHARS = 60_000;
  private static final int CONNECTIONS = 4;
  private static final String DIGEST = "sha256:" + "0".repeat(64);

  @TempDir Path dir;

  @Test
  void distinctHugeRepositoryNamesLeaveNoStateBehind() throws Exception {
    Undertow upstream = notFoundUpstream();
    String url =
        "http://127.0.0.1:"
            + ((InetSocketAddress) upstream.getListenerInfo().get(0).getAddress()).getPort();
    String yaml = Configs.registry(url, url, "access-log: {path: \"off\"}\n", "");
    try (RouterJvm r = RouterJvm.start(dir, "flood", yaml, "128m", 4096)) {
      ExecutorService pool = Executors.newFixedThreadPool(2 * CONNECTIONS);
      try {
        List<Future<Integer>> sent = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
          int connection = c;
          sent.add(pool.submit(() -> flood(r, connection, "/blobs/" + DIGEST)));
          // and HEADs without Accept on manifests: hosted, then the group after its 404
          sent.add(pool.submit(() -> flood(r, connection, "/manifests/" + DIGEST)));
        }
        int total = 0;
        for (Future<Integer> f : sent) {
          total += f.get(200, TimeUnit.SECONDS);
        }
        assertEquals(2 * REQUESTS, total, "every HEAD got an answer\n" + r.tail());
      } finally {
        pool.shutdownNow();
      }
      assertTrue(r.process.isAlive(), "router died during the flood\n" + r.tail());
      // still serving: a small request on a fresh connection gets the router's own answer
      try (Socket s = new Socket("127.0.0.1", r.port())) {
        s.setSoTimeout(20_000);
        String status = exchange(s, "/v2/");
        assertTrue(status.startsWith("HTTP/1.1 "), status);
      }
      assertTrue(
          !r.stderrText().contains("OutOfMemoryError"),
          "heap ran out during the flood\n" + r.tail());
    } finally {
      upstream.stop();
    }
  }

  /**
   * A registry stand-in that answers every request 404 and keeps nothing (a recording fake would
   * hold the flood's 150 MB of names in this JVM).
   */
  private static Undertow notFoundUpstream() {
    Undertow u =
        Undertow.builder()
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 1 << 20)
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                ex -> {
                  ex.setStatusCode(404);
                  ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, "0");
                  ex.endExchange();
                })
            .build();
    u.start();
    return u;
  }

  /** One keep-alive connection's share of the flood; returns the number of answers read. */
  private static int flood(RouterJvm r, int connection, String suffix) throws IOException {
    int answered = 0;
    try (Socket s = new Socket("127.0.0.1", r.port())) {
      s.setSoTimeout(30_000);
      for (int i = connection; i < REQUESTS; i += CONNECTIONS) {
        String status;
        try {
          status = exchange(s, "/v2/" + name(i) + suffix);
        } catch (IOException e) {
          throw new IOException("request " + i + ": " + e.getMessage() + "\n" + r.tail(), e);
        }
        assertTrue(status.startsWith("HTTP/1.1 404"), "request " + i + ": " + status);
        answered++;
      }
    }
    return answered;
  }

  /** A distinct valid repository name of {@link #NAME_CHARS} characters. */
  private static String name(int i) {
    String prefix = "flood" + i + "/";
    return prefix + "a".repeat(NAME_CHARS - prefix.length());
  }

  /** Sends a HEAD on the connection and reads the response head; returns its status line. */
  private static String exchange(Socket s, String target) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("HEAD " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes: " + head);
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 65_536) {
        throw new IOException("response head too large");
      }
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    return text.substring(0, text.indexOf("\r\n"));
  }
}
