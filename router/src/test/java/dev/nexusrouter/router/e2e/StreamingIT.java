package dev.nexusrouter.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexusrouter.router.testing.Closing;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RawConnection;
import dev.nexusrouter.router.testing.RawResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies of any size stream through the real router (shaded jar, own JVM, {@code -Xmx128m}): 1 GiB
 * + 1 byte uploads (chunked PATCH and Content-Length PUT) and downloads arrive byte-exact, the
 * upstream receives the body while the client is still sending it, and {@code max-body-size}
 * rejects without forwarding (Content-Length) or aborts the upstream request (chunked).
 *
 * <p>Fakes: {@code group} (serves a 1 GiB + 1 byte blob) and {@code hosted} (counts and hashes
 * upload bodies), both in this JVM; see {@link FakeRegistryUpstream}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StreamingIT {
  static final long GIB_PLUS_1 = (1L << 30) + 1;
  static final long LIMIT = 10L << 20; // max-body-size: 10m (powers of 1024)
  static final int MIB = 1 << 20;

  @TempDir static Path dir;
  static FakeRegistryUpstream group;
  static FakeRegistryUpstream hosted;
  static RouterProcess router;
  static RouterProcess limited;
  static String patternSha256;

  @BeforeAll
  static void start() throws Exception {
    group = new FakeRegistryUpstream("group", GIB_PLUS_1);
    hosted = new FakeRegistryUpstream("hosted", 0);
    router = RouterProcess.start(dir, "router", config(""), "128m");
    limited = RouterProcess.start(dir, "router-limited", config("max-body-size: 10m\n"), "128m");
    long t0 = System.nanoTime();
    patternSha256 = PatternBytes.sha256Hex(GIB_PLUS_1);
    System.out.printf(
        "sha256 of 1 GiB + 1 pattern bytes in the test JVM: %d ms%n", ms(System.nanoTime() - t0));
  }

  @AfterAll
  static void stop() {
    Closing.all(router, limited, group, hosted);
  }

  static String config(String extra) {
    return Configs.registry(group.url(), hosted.url(), extra, "") + "access-log: {path: stdout}\n";
  }

  @Test
  void chunkedPatchOf1GiBPlus1StreamsToHostedUnchanged() throws Exception {
    String path = "/v2/team/app/blobs/uploads/chunked-1g";
    Upload u = upload(router, "PATCH", path, path, GIB_PLUS_1, true);
    assertEquals(202, u.head.status(), u.describe());
    assertEquals("chunked", lower(u.upstream.transferEncoding), u.describe());
    assertExact(u);
  }

  @Test
  void contentLengthPutOf1GiBPlus1StreamsToHostedUnchanged() throws Exception {
    String path = "/v2/team/app/blobs/uploads/put-1g";
    Upload u =
        upload(router, "PUT", path + "?digest=sha256:" + patternSha256, path, GIB_PLUS_1, false);
    assertEquals(201, u.head.status(), u.describe());
    assertEquals(Long.toString(GIB_PLUS_1), u.upstream.contentLength, u.describe());
    assertEquals("sha256:" + patternSha256, u.head.header("Docker-Content-Digest"));
    assertExact(u);
  }

  @Test
  void download1GiBPlus1ArrivesComplete() throws Exception {
    try (RawConnection c = new RawConnection(router.port, 120_000)) {
      long t0 = System.nanoTime();
      c.writeHead("GET", "/v2/team/app/blobs/sha256:" + patternSha256, Map.of());
      RawResponse head = c.readHead();
      assertEquals(200, head.status(), router.tail());
      assertEquals(Long.toString(GIB_PLUS_1), head.header("Content-Length"));
      long n = PatternBytes.verify(c.body(head, false), 0, GIB_PLUS_1);
      assertEquals(GIB_PLUS_1, n, "bytes received");
      report("GET 1 GiB + 1 (verified byte by byte)", GIB_PLUS_1, System.nanoTime() - t0);
    }
  }

  @Test
  void rangeRequestsGet206AndTheExactSlice() throws Exception {
    long[][] ranges = {{123_456_789L, 134_217_727L}, {GIB_PLUS_1 - 1000, GIB_PLUS_1 - 1}};
    try (RawConnection c = new RawConnection(router.port, 120_000)) {
      for (long[] r : ranges) {
        // the second range is open-ended (bytes=N-): it must run to the last byte
        boolean open = r[1] == GIB_PLUS_1 - 1;
        String spec = "bytes=" + r[0] + "-" + (open ? "" : Long.toString(r[1]));
        c.writeHead("GET", "/v2/team/app/blobs/sha256:" + patternSha256, Map.of("Range", spec));
        RawResponse head = c.readHead();
        assertEquals(206, head.status(), spec + "\n" + router.tail());
        assertEquals(
            "bytes " + r[0] + "-" + r[1] + "/" + GIB_PLUS_1, head.header("Content-Range"), spec);
        long want = r[1] - r[0] + 1;
        assertEquals(Long.toString(want), head.header("Content-Length"), spec);
        assertEquals(want, PatternBytes.verify(c.body(head, false), r[0], want), spec);
      }
    }
  }

  @Test
  void contentLengthOverTheLimitGets413AndNothingReachesTheUpstream() throws Exception {
    String path = "/v2/team/app/blobs/uploads/too-big-cl";
    long size = 20_000_000L;
    int before = hosted.requests.size();
    try (RawConnection c = new RawConnection(limited.port, 60_000)) {
      c.writeHead(
          "PUT",
          path + "?digest=sha256:" + "0".repeat(64),
          Map.of(
              "Content-Length", Long.toString(size), "Content-Type", "application/octet-stream"));
      // the client keeps writing its body, as real clients do; the router must answer anyway
      AtomicLong written = new AtomicLong();
      CompletableFuture<String> writer = writeInBackground(c, size, false, written);
      RawResponse head = c.readHead();
      String body = c.bodyText(head);
      String writerOutcome = outcome(writer);
      System.out.printf(
          "CL PUT of %d over a %d limit: %d after the client wrote %d bytes (writer: %s)%n",
          size, LIMIT, head.status(), written.get(), writerOutcome);
      assertEquals(413, head.status(), body + "\n" + limited.tail());
      assertEquals("registry/2.0", head.header("Docker-Distribution-Api-Version"));
      assertTrue(head.header("Content-Type").startsWith("application/json"), head.toString());
      assertTrue(body.startsWith("{\"errors\":[") || body.contains("\"errors\":["), body);
      assertTrue(body.contains("SIZE_INVALID"), body);
    }
    Thread.sleep(500); // anything forwarded would have arrived by now (not a speed assertion)
    assertNull(hosted.body(path), "hosted received a body: " + hosted.body(path));
    assertTrue(
        hosted.requests.subList(before, hosted.requests.size()).stream()
            .noneMatch(r -> r.contains("too-big-cl")),
        "hosted saw the request: " + hosted.requests);
    assertTrue(group.requests.stream().noneMatch(r -> r.contains("too-big")), "group saw it");
  }

  @Test
  void chunkedOverTheLimitIsAbortedUpstream() throws Exception {
    String path = "/v2/team/app/blobs/uploads/too-big-chunked";
    long size = 64L * MIB;
    String clientSaw;
    AtomicLong written = new AtomicLong();
    try (RawConnection c = new RawConnection(limited.port, 60_000)) {
      c.writeHead(
          "PATCH",
          path,
          Map.of("Transfer-Encoding", "chunked", "Content-Type", "application/octet-stream"));
      CompletableFuture<String> writer = writeInBackground(c, size, true, written);
      try {
        RawResponse head = c.readHead();
        String body = c.bodyText(head);
        clientSaw = head.status() + " " + body.trim();
        assertEquals(413, head.status(), body + "\n" + limited.tail());
        assertEquals("registry/2.0", head.header("Docker-Distribution-Api-Version"));
        assertTrue(body.contains("\"errors\":[") && body.contains("SIZE_INVALID"), body);
      } catch (IOException e) {
        clientSaw = "connection closed without a response: " + e;
      }
      System.out.printf(
          "chunked PATCH over a %d limit: client saw [%s] after writing %d bytes (writer: %s)%n",
          LIMIT, clientSaw, written.get(), outcome(writer));
    }
    waitFor(
        "hosted to see the end of the aborted body",
        Duration.ofSeconds(60),
        () -> hosted.body(path) != null && hosted.body(path).end != null);
    FakeRegistryUpstream.Body b = hosted.body(path);
    System.out.println("hosted saw: " + b);
    assertTrue(
        b.bytes.get() <= LIMIT + 64 * 1024,
        "hosted received more than the limit + one buffer: " + b + "\n" + limited.tail());
    assertTrue(
        b.end.startsWith("error"),
        "the upstream request must be aborted, not ended as a valid (truncated) body: " + b);
    assertTrue(
        !clientSaw.startsWith("2"),
        "the client must not see success: " + clientSaw + "\n" + limited.tail());

    // the limit does not misfire below it, and the router is still healthy
    String small = "/v2/team/app/blobs/uploads/under-limit";
    Upload u = upload(limited, "PATCH", small, small, 3L * MIB + 7, true);
    assertEquals(202, u.head.status(), u.describe());
    assertEquals(3L * MIB + 7, u.upstream.bytes.get(), u.describe());
    assertEquals(PatternBytes.sha256Hex(3L * MIB + 7), u.upstream.sha256, u.describe());
  }

  // ---------------------------------------------------------------------------------------------

  record Upload(
      RawResponse head,
      FakeRegistryUpstream.Body upstream,
      long clientWroteAtPause,
      long upstreamHadAtPause,
      RouterProcess router) {
    String describe() {
      return "upstream: " + upstream + "\n" + router.tail();
    }
  }

  /**
   * Sends {@code total} pattern bytes. Halfway it stops writing and waits until the upstream has
   * received at least a quarter of the body: proof that the router streams (a buffering router
   * would hold it until the client finished) without any timing assertion.
   */
  static Upload upload(
      RouterProcess r, String method, String target, String path, long total, boolean chunked)
      throws Exception {
    long pauseAt = total / 2;
    long mustHave = total / 4;
    long t0 = System.nanoTime();
    long upstreamAtPause = -1;
    try (RawConnection c = new RawConnection(r.port, 180_000)) {
      c.writeHead(
          method,
          target,
          chunked
              ? Map.of("Transfer-Encoding", "chunked", "Content-Type", "application/octet-stream")
              : Map.of(
                  "Content-Length",
                  Long.toString(total),
                  "Content-Type",
                  "application/octet-stream"));
      byte[] buf = new byte[MIB];
      boolean paused = false;
      for (long pos = 0; pos < total; ) {
        long limit = paused ? total : pauseAt;
        int n = (int) Math.min(buf.length, limit - pos);
        if (n == 0) {
          c.out.flush();
          waitFor(
              "the upstream to receive "
                  + mustHave
                  + " bytes while the client paused at "
                  + pauseAt
                  + "\n"
                  + r.tail(),
              Duration.ofSeconds(120),
              () -> {
                FakeRegistryUpstream.Body b = hosted.body(path);
                return b != null && b.bytes.get() >= mustHave;
              });
          upstreamAtPause = hosted.body(path).bytes.get();
          paused = true;
          continue;
        }
        PatternBytes.fill(pos, buf, 0, n);
        c.writeBody(buf, 0, n, chunked);
        pos += n;
      }
      c.endBody(chunked);
      RawResponse head = c.readHead();
      c.bodyText(head);
      waitFor(
          "hosted to finish reading " + path,
          Duration.ofSeconds(60),
          () -> hosted.body(path) != null && hosted.body(path).end != null);
      report(
          method + (chunked ? " chunked " : " Content-Length ") + total,
          total,
          System.nanoTime() - t0);
      System.out.printf(
          "  paused after writing %d bytes; the upstream already had %d%n",
          pauseAt, upstreamAtPause);
      FakeRegistryUpstream.Body b = hosted.body(path);
      assertTrue(
          upstreamAtPause >= mustHave && upstreamAtPause <= pauseAt,
          "upstream had " + upstreamAtPause + " bytes while the client had written " + pauseAt);
      assertTrue(b.firstByteNanos > 0, b.toString());
      return new Upload(head, b, pauseAt, upstreamAtPause, r);
    }
  }

  void assertExact(Upload u) {
    assertEquals("eof", u.upstream.end, u.describe());
    assertEquals(GIB_PLUS_1, u.upstream.bytes.get(), u.describe());
    assertEquals(patternSha256, u.upstream.sha256, "SHA-256 at the upstream\n" + u.describe());
  }

  /** Writes {@code size} pattern bytes (chunked or raw) until done or the connection fails. */
  static CompletableFuture<String> writeInBackground(
      RawConnection c, long size, boolean chunked, AtomicLong written) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try {
                for (long pos = 0; pos < size; ) {
                  int n = (int) Math.min(buf.length, size - pos);
                  PatternBytes.fill(pos, buf, 0, n);
                  c.writeBody(buf, 0, n, chunked);
                  pos += n;
                  written.set(pos);
                }
                c.endBody(chunked);
                f.complete("wrote the whole body");
              } catch (IOException e) {
                f.complete("stopped: " + e);
              }
            },
            "body-writer");
    t.setDaemon(true);
    t.start();
    return f;
  }

  static String outcome(CompletableFuture<String> writer) throws InterruptedException {
    try {
      return writer.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return "still writing after 60 s: " + e;
    }
  }

  static void waitFor(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  static String lower(String s) {
    return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
  }

  static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  static void report(String what, long bytes, long nanos) {
    System.out.printf(
        "%s: %d ms, %.0f MB/s through the router%n",
        what, ms(nanos), bytes / 1e6 / Math.max(1e-9, nanos / 1e9));
  }
}
