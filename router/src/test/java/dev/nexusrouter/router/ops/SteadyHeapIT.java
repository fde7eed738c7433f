package dev.nexusrouter.router.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.Configs;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many small proxied requests over kept-alive upstream connections leave the heap flat: the router
 * runs at {@code -Xmx64m} and answers up to 300,000 {@code GET /v2/} (bounded at 75 s), and the
 * class histogram after a full GC shows no per-request growth of Undertow's connection objects
 * (each request used to leave an {@code HttpOpenListener}, {@code ConnectorStatisticsImpl} and a
 * pair of timeout conduits on the pooled upstream connection until the JVM ran out of heap).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SteadyHeapIT {
  static final long TARGET = 300_000;
  static final Duration BUDGET = Duration.ofSeconds(75);
  static final int CLIENTS = 8;
  static final long WARM_UP = 10_000;
  static final List<String> WATCHED =
      List.of(
          "io.undertow.server.protocol.http.HttpOpenListener",
          "io.undertow.server.ConnectorStatisticsImpl",
          "io.undertow.conduits.WriteTimeoutStreamSinkConduit",
          "io.undertow.conduits.ReadTimeoutStreamSourceConduit");

  @TempDir Path dir;

  @Test
  void smallRequestsOnKeptAliveUpstreamConnectionsLeaveTheHeapFlat() throws Exception {
    Undertow upstream =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setHandler(
                ex -> {
                  ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                  ex.getResponseSender().send("{}");
                })
            .build();
    upstream.start();
    try {
      int port = ((InetSocketAddress) upstream.getListenerInfo().get(0).getAddress()).getPort();
      String url = "http://127.0.0.1:" + port;
      String yaml = Configs.registry(url, url, "access-log: {path: \"off\"}\n", "");
      try (RouterJvm router = RouterJvm.start(dir, "steady", yaml, "64m", 4096)) {
        Load load = new Load(router.port());
        load.run(WARM_UP, Duration.ofSeconds(60));
        assertTrue(
            load.errors.isEmpty() && router.process.isAlive(),
            () -> "during warm-up: " + load.errors.peek() + "\n" + router.tail());
        Map<String, Long> before = histogram(router);
        long beforeHeap = heapUsedKib(router);
        long warm = load.ok.get();
        load.run(TARGET - warm, BUDGET);
        long done = load.ok.get() - warm;
        Map<String, Long> after = histogram(router);
        long afterHeap = heapUsedKib(router);
        System.out.printf(
            "SteadyHeapIT: %d requests after warm-up; heap after GC %d -> %d KiB; %s -> %s%n",
            done, beforeHeap, afterHeap, before, after);
        assertTrue(load.errors.isEmpty(), () -> "client errors: " + load.errors.peek());
        assertTrue(router.process.isAlive(), router::tail);
        assertTrue(done >= 20_000, "too few requests to judge growth: " + done);
        for (String cls : WATCHED) {
          long growth = after.getOrDefault(cls, 0L) - before.getOrDefault(cls, 0L);
          // a leak of one object per request would be `done`; a few new pooled connections are fine
          assertTrue(
              growth < 100,
              cls + " grew by " + growth + " over " + done + " requests: " + before + " " + after);
        }
        // 10,000 requests of ~450 B each would be ~4.4 MiB: the retained heap must not move
        // by anything like that
        assertTrue(
            afterHeap - beforeHeap < 4096,
            "heap after GC grew from " + beforeHeap + " to " + afterHeap + " KiB");
        assertEquals(0, load.errors.size());
      }
    } finally {
      upstream.stop();
    }
  }

  /** Keep-alive clients that send {@code GET /v2/} and read each response fully. */
  static final class Load {
    final int port;
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    Load(int port) {
      this.port = port;
    }

    /** Sends up to {@code n} more requests, stopping early at {@code budget}. */
    void run(long n, Duration budget) throws InterruptedException {
      long deadline = System.nanoTime() + budget.toNanos();
      AtomicLong left = new AtomicLong(n);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread t = new Thread(() -> client(left, deadline), "steady-client-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join(budget.toMillis() + 30_000);
      }
    }

    private void client(AtomicLong left, long deadline) {
      byte[] req =
          "GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        InputStream in = new BufferedInputStream(s.getInputStream());
        while (left.getAndDecrement() > 0 && System.nanoTime() < deadline) {
          out.write(req);
          out.flush();
          int status = readResponse(in);
          if (status != 200) {
            errors.add("status " + status);
            return;
          }
          ok.incrementAndGet();
        }
      } catch (IOException e) {
        errors.add(e.toString());
      }
    }

    /** Reads one response with a Content-Length body; returns its status. */
    static int readResponse(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed after: " + head);
        }
        head.append((char) b);
      }
      Matcher cl = Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)").matcher(head);
      long n = cl.find() ? Long.parseLong(cl.group(1)) : 0;
      for (long i = 0; i < n; i++) {
        if (in.read() < 0) {
          throw new IOException("body cut");
        }
      }
      return Integer.parseInt(head.substring(9, 12));
    }
  }

  /** Instance counts of {@link #WATCHED} from {@code jcmd GC.class_histogram} (a full GC first). */
  static Map<String, Long> histogram(RouterJvm router) throws IOException, InterruptedException {
    String out = jcmd(router, "GC.class_histogram");
    Map<String, Long> counts = new TreeMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && WATCHED.contains(f[3])) {
        counts.put(f[3], Long.parseLong(f[1]));
      }
    }
    return counts;
  }

  /** Heap in use right after a full GC, in KiB. */
  static long heapUsedKib(RouterJvm router) throws IOException, InterruptedException {
    jcmd(router, "GC.run");
    long used = 0;
    // one "total ..., used NK" line for G1, one per generation for the serial collector
    for (String line : jcmd(router, "GC.heap_info").split("\n")) {
      Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(line);
      if (m.find()) {
        used += Long.parseLong(m.group(1));
      }
    }
    if (used == 0) {
      throw new AssertionError("no heap figure from jcmd GC.heap_info");
    }
    return used;
  }

  static String jcmd(RouterJvm router, String command) throws IOException, InterruptedException {
    Path jcmd = RouterJvm.java().resolveSibling("jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(router.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("jcmd " + command + " failed: " + out + router.tail());
    }
    return out;
  }
}
