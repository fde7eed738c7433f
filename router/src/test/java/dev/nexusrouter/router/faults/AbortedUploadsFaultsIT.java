package dev.nexusrouter.router.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.ops.RouterJvm;
import dev.nexusrouter.router.testing.Wire;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * 100 client uploads broken off mid-body (chunked and Content-Length, by reset and by FIN): every
 * matching upstream request must end with an error or EOF — never as a complete, shorter body — and
 * the router's file descriptors and upstream connections return to their baseline.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AbortedUploadsFaultsIT {
  static final int UPLOADS = 100;
  static final int BODY = 8 << 20;
  static final int SENT = 256 << 10;

  @TempDir Path dir;

  @Test
  void abortedUploadsAbortUpstreamAndLeakNothing() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      fakes.hosted.script(s -> RawUpstream.Action.ok(202));
      String yaml =
          fakes.registry(
              "access-log: {path: \"off\"}\nclient: {body-timeout: 10s}\n",
              "keepalive: {idle-timeout: 1s}, ");
      try (RouterJvm r = RouterJvm.start(dir, "aborts", yaml, "128m", 4096)) {
        // warm up (class loading, pools), then let idle upstream connections expire
        for (int i = 0; i < 5; i++) {
          Wire.Outcome o =
              Wire.send(
                  r.port(),
                  "PATCH /v2/team/app/blobs/uploads/warm-"
                      + i
                      + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                      + "Content-Length: 3\r\n\r\nabc",
                  20_000);
          assertEquals(202, o.first().status(), o::toString);
        }
        RouterJvm.await(
            "idle upstream connections to close",
            Duration.ofSeconds(30),
            () -> fakes.hosted.openConnections() == 0);
        Thread.sleep(500);
        int fdBaseline = r.openFds();
        System.out.printf("router fds at baseline: %d%n", fdBaseline);

        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
          final int n = i;
          results.add(pool.submit(() -> abortOne(r.port(), fakes.hosted, n)));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS), "uploads did not finish");
        for (Future<String> f : results) {
          f.get();
        }

        RouterJvm.await(
            "every aborted upload to end at the upstream",
            Duration.ofSeconds(60),
            () -> fakes.hosted.seen("/abort-").stream().allMatch(s -> s.end != null));
        List<RawUpstream.Seen> seen = fakes.hosted.seen("/abort-");
        assertEquals(UPLOADS, seen.size(), "upstream requests: " + seen);
        List<RawUpstream.Seen> complete =
            seen.stream().filter(s -> "complete".equals(s.end)).toList();
        assertTrue(
            complete.isEmpty(),
            "upstream saw complete (truncated) bodies: " + complete + "\n" + r.tail());

        RouterJvm.await(
            "upstream connections back to 0 (now " + fakes.hosted.openConnections() + ")",
            Duration.ofSeconds(30),
            () -> fakes.hosted.openConnections() == 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int fds = r.openFds();
        while (fds > fdBaseline + 5 && System.nanoTime() < deadline) {
          Thread.sleep(200);
          fds = r.openFds();
        }
        System.out.printf(
            "after %d aborted uploads: router fds %d (baseline %d), upstream connections %d, upstream saw %s%n",
            UPLOADS, fds, fdBaseline, fakes.hosted.openConnections(), summary(seen));
        assertTrue(fds <= fdBaseline + 5, "router fds " + fds + " vs baseline " + fdBaseline);

        // still healthy
        Wire.Outcome ok =
            Wire.send(
                r.port(),
                "PATCH /v2/team/app/blobs/uploads/after HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                20_000);
        assertEquals(202, ok.first().status(), ok::toString);
        assertEquals("complete", fakes.hosted.seen("/after").get(0).end);
        assertEquals(3, fakes.hosted.seen("/after").get(0).bytes.get());
      }
    }
  }

  static String summary(List<RawUpstream.Seen> seen) {
    java.util.Map<String, Long> m = new java.util.TreeMap<>();
    for (RawUpstream.Seen s : seen) {
      m.merge(s.end.startsWith("error") ? "error" : s.end, 1L, Long::sum);
    }
    return m.toString();
  }

  /** Even n: chunked, odd n: Content-Length; n % 4 < 2: reset, else FIN. */
  static String abortOne(int port, RawUpstream hosted, int n) throws Exception {
    boolean chunked = n % 2 == 0;
    boolean reset = n % 4 < 2;
    String path = "/v2/team/app/blobs/uploads/abort-" + n;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      String head =
          "PATCH "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
              + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + BODY + "\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[16 << 10];
      for (int sent = 0; sent < SENT; sent += chunk.length) {
        if (chunked) {
          out.write(
              (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else {
          out.write(chunk);
        }
      }
      out.flush();
      // abort only once the upstream request is streaming: the abort must travel upstream
      RouterJvm.await(
          "upstream bytes of " + path,
          Duration.ofSeconds(30),
          () -> hosted.seen(path).stream().anyMatch(x -> x.bytes.get() > 0));
      if (reset) {
        s.setSoLinger(true, 0);
      } else {
        s.shutdownOutput();
        Wire.readAll(s.getInputStream()); // whatever the router answers before it closes
      }
    }
    return path;
  }
}
