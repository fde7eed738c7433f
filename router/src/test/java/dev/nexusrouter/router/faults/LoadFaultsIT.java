package dev.nexusrouter.router.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.ops.RouterJvm;
import dev.nexusrouter.router.testing.Closing;
import dev.nexusrouter.router.testing.Configs;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load within bounds: 1,000 concurrent client connections with traffic get no errors, and 8
 * concurrent 1 GiB uploads keep the router's resident memory bounded ({@code -Xmx128m}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LoadFaultsIT {
  static final int CONNECTIONS = 1000;
  static final int REQUESTS_PER_CONNECTION = 3;
  static final long GIB = 1L << 30;
  static final long RSS_LIMIT_KIB = 400 * 1024;

  @TempDir static Path dir;
  static RawUpstream group;
  static RawUpstream hosted;
  static RouterJvm router;

  @BeforeAll
  static void start() throws Exception {
    group = new RawUpstream("group").script(s -> RawUpstream.Action.body(200, 1024));
    hosted = new RawUpstream("hosted").script(s -> RawUpstream.Action.ok(202));
    String yaml = Configs.registry(group.url(), hosted.url(), "access-log: {path: \"off\"}\n", "");
    router = RouterJvm.start(dir, "load", yaml, "128m", 16384);
  }

  @AfterAll
  static void stop() {
    Closing.all(router, group, hosted);
  }

  @Test
  void thousandConcurrentConnectionsWithTrafficHaveNoErrors() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicLong ok = new AtomicLong();
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), router.port()), 30_000);
        s.setSoTimeout(60_000);
        sockets.add(s);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        Socket s = sockets.get(i);
        int n = i;
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await();
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    for (int k = 0; k < REQUESTS_PER_CONNECTION; k++) {
                      String req =
                          k % 2 == 0
                              ? "GET /v2/team/app"
                                  + n
                                  + "/manifests/"
                                  + k
                                  + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
                              : "PATCH /v2/team/app"
                                  + n
                                  + "/blobs/uploads/"
                                  + k
                                  + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello";
                      out.write(req.getBytes(StandardCharsets.ISO_8859_1));
                      out.flush();
                      int expected = k % 2 == 0 ? 200 : 202;
                      String[] body = new String[1];
                      int got = readResponse(in, body);
                      if (got != expected) {
                        errors.add(
                            "connection " + n + " request " + k + ": " + got + " " + body[0]);
                        return;
                      }
                      ok.incrementAndGet();
                    }
                  } catch (Exception e) {
                    errors.add("connection " + n + ": " + e);
                  }
                },
                "client-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      long t0 = System.nanoTime();
      go.countDown();
      for (Thread t : threads) {
        t.join(120_000);
      }
      System.out.printf(
          "%d connections x %d requests: %d ok, %d errors in %d ms; router fds %d, RSS %d MiB%n",
          CONNECTIONS,
          REQUESTS_PER_CONNECTION,
          ok.get(),
          errors.size(),
          (System.nanoTime() - t0) / 1_000_000,
          router.openFds(),
          router.rssKib() / 1024);
      assertTrue(
          errors.isEmpty(),
          errors.size()
              + " errors, e.g. "
              + errors.stream().limit(10).toList()
              + "\n"
              + router.tail());
      assertEquals((long) CONNECTIONS * REQUESTS_PER_CONNECTION, ok.get());
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void eightConcurrentOneGibUploadsKeepMemoryBounded() throws Exception {
    AtomicLong peak = new AtomicLong(router.rssKib());
    long before = peak.get();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(router.rssKib(), Math::max);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      int n = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  upload(n, n % 2 == 0, errors);
                } catch (Exception e) {
                  errors.add("upload " + n + ": " + e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(200_000);
    }
    sampler.interrupt();
    sampler.join();
    long secs = Math.max(1, (System.nanoTime() - t0) / 1_000_000_000);
    System.out.printf(
        "8 x 1 GiB uploads in %d s (%d MB/s total): router RSS before %d MiB, peak %d MiB%n",
        secs, 8 * 1024 / secs, before / 1024, peak.get() / 1024);
    assertTrue(errors.isEmpty(), errors + "\n" + router.tail());
    for (int i = 0; i < 8; i++) {
      List<RawUpstream.Seen> s = hosted.seen("/big-" + i);
      assertEquals(1, s.size(), "upstream requests for big-" + i);
      assertEquals("complete", s.get(0).end, s.toString());
      assertEquals(GIB, s.get(0).bytes.get(), s.toString());
    }
    assertTrue(peak.get() < RSS_LIMIT_KIB, "peak RSS " + peak.get() / 1024 + " MiB");
  }

  static void upload(int n, boolean chunked, ConcurrentLinkedQueue<String> errors)
      throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), router.port()), 30_000);
      s.setSoTimeout(120_000);
      OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
      String head =
          (chunked ? "PATCH" : "PUT")
              + " /v2/team/app/blobs/uploads/big-"
              + n
              + (chunked ? "" : "?digest=sha256:" + "0".repeat(64))
              + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
              + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + GIB + "\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      byte[] buf = new byte[1 << 16];
      byte[] chunkHead =
          (Integer.toHexString(buf.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      byte[] crlf = {'\r', '\n'};
      for (long sent = 0; sent < GIB; sent += buf.length) {
        if (chunked) {
          out.write(chunkHead);
          out.write(buf);
          out.write(crlf);
        } else {
          out.write(buf);
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
      int status = readResponse(new BufferedInputStream(s.getInputStream()), new String[1]);
      if (status != 202) {
        errors.add("upload " + n + ": status " + status);
      }
    }
  }

  /** Reads one response with a Content-Length body; returns its status. */
  static int readResponse(InputStream in, String[] body) throws java.io.IOException {
    String status = line(in);
    long length = 0;
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Long.parseLong(l.substring(15).trim());
      }
    }
    body[0] = new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
    return Integer.parseInt(status.split(" ")[1]);
  }

  static String line(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new java.io.EOFException("closed after: " + sb);
      }
      if (c == '\n') {
        return sb.toString();
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
  }
}
