package dev.nexusrouter.router.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream faults, router in this JVM: an upstream that is down, one that resets mid-download, one
 * that stalls. Every router-authored error is registry JSON, and the router stays healthy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpstreamFaultsIT {
  @TempDir Path dir;

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  }

  @Test
  void upstreamDownIs503JsonQuicklyEvenWithALargeUploadOnTheWay() throws Exception {
    String dead = "http://127.0.0.1:" + closedPort();
    try (RouterServer r = Configs.inProcess(dir, Configs.registry(dead, dead, "", ""))) {
      long t0 = System.nanoTime();
      Wire.Outcome o = Wire.send(r.port(0), get("/v2/team/app/manifests/1.0"), 20_000);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      Wire.assertRegistryError(o.first(), 503);
      assertTrue(ms < 5_000, "503 took " + ms + " ms");

      // a 1 GiB upload to a dead upstream: the 503 must not wait for the body
      // (docs/undertow-notes.md#errors-before-the-body-was-read)
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port(0)));
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        t0 = System.nanoTime();
        out.write(
            ("PUT /v2/team/app/blobs/uploads/u1?digest=sha256:"
                    + "0".repeat(64)
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                    + (1L << 30)
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(new byte[64 * 1024]);
        out.flush();
        Wire.Outcome up = Wire.readAll(s.getInputStream());
        ms = (System.nanoTime() - t0) / 1_000_000;
        Wire.assertRegistryError(up.first(), 503);
        assertTrue(ms < 10_000, "503 for an upload took " + ms + " ms");
        System.out.printf("upstream down: 503 JSON after %d ms with a 1 GiB upload pending%n", ms);
      }
    }
  }

  @Test
  void upstreamResetMidDownloadAbortsTheClientAndTheRouterStaysHealthy() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      fakes.group.script(
          s ->
              s.path().contains("/blobs/")
                  ? RawUpstream.Action.resetMidBody(10 << 20, 1 << 20)
                  : RawUpstream.Action.ok(200));
      try (RouterServer r = Configs.inProcess(dir, fakes.registry("", ""))) {
        for (int i = 0; i < 3; i++) {
          byte[] all =
              Wire.sendUnparsed(
                  r.port(0), get("/v2/team/app/blobs/sha256:" + "a".repeat(64)), 30_000);
          String head = new String(all, 0, Math.min(all.length, 200), StandardCharsets.ISO_8859_1);
          assertTrue(head.startsWith("HTTP/1.1 200"), head);
          int headerEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          long body = all.length - headerEnd - 4;
          assertTrue(
              body < (10 << 20),
              "the client must see an aborted transfer, got " + body + " of " + (10 << 20));
          System.out.printf(
              "reset mid-download: client got %d of %d bytes, then EOF/reset%n", body, 10 << 20);
          Wire.Outcome ok = Wire.send(r.port(0), get("/v2/"), 20_000);
          assertEquals(200, ok.first().status(), ok::toString);
        }
      }
    }
  }

  @Test
  void upstreamStallIs504AfterTheReadTimeout() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      fakes.group.script(s -> RawUpstream.Action.stall());
      fakes.hosted.script(s -> RawUpstream.Action.stall());
      try (RouterServer r = Configs.inProcess(dir, fakes.registry("", "read-timeout: 1s, "))) {
        long t0 = System.nanoTime();
        Wire.Outcome o = Wire.send(r.port(0), get("/v2/team/app/manifests/1.0"), 30_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Wire.assertRegistryError(o.first(), 504);
        assertTrue(ms >= 900 && ms < 10_000, "504 after " + ms + " ms");

        // with a body: the timeout counts from the end of the body
        t0 = System.nanoTime();
        Wire.Outcome p =
            Wire.send(
                r.port(0),
                "PATCH /v2/team/app/blobs/uploads/u1 HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\nContent-Length: 5\r\n\r\nhello",
                30_000);
        ms = (System.nanoTime() - t0) / 1_000_000;
        Wire.assertRegistryError(p.first(), 504);
        assertTrue(ms >= 900 && ms < 10_000, "504 after " + ms + " ms");
        System.out.printf("stalled upstream: 504 JSON after %d ms (read-timeout 1s)%n", ms);
      }
    }
  }

  static int indexOf(byte[] a, byte[] p) {
    outer:
    for (int i = 0; i + p.length <= a.length; i++) {
      for (int j = 0; j < p.length; j++) {
        if (a[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
