package dev.nexusrouter.router.faults;

import static dev.nexusrouter.router.testing.TrustingClient.trusting;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.CertsInit;
import dev.nexusrouter.router.testing.Closing;
import dev.nexusrouter.router.testing.Configs;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked uploads over TLS whose records split the chunked framing in awkward places, on both TLS
 * engines (docs/tls.md#tls-engine): a chunk that ends inside a record with the last chunk in a
 * record of its own, a record that ends right after a chunk-size line or inside a CRLF, one byte
 * per record, full 16 KiB records across chunk boundaries. The client sends the head and all body
 * records in one TCP write, so all of them wait in the router's TLS buffers when it starts reading
 * the body, and nothing more arrives from the socket to wake the router up. Each upload must reach
 * the upstream complete and be answered; a stalled one fails after 30 s naming the layout. Large
 * uploads to an upstream that reads slowly cover the other way into the same stall: the router
 * pausing and resuming its reads from the client.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsRecordSplitsIT {
  private static final String HEAD =
      "PATCH /v2/team/app/blobs/uploads/u1 HTTP/1.1\r\nHost: localhost\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n";
  private static final int WAIT_MILLIS = 30_000;

  @TempDir static Path dir;
  static RawUpstream.Pair up;
  static RouterServer openssl;
  static RouterServer jdk;
  static SSLContext trust;

  @BeforeAll
  static void start() throws Exception {
    Path tls = dir.resolve("tls");
    CertsInit.localhost(tls, "--key-type", "rsa"); // the OpenSSL engine serves RSA keys only
    trust = trusting(tls.resolve("ca.crt"));
    up = new RawUpstream.Pair();
    up.hosted.script(s -> RawUpstream.Action.ok(202));
    openssl = router("openssl", up.hosted.url(), "data-openssl");
    jdk = router("jdk", up.hosted.url(), "data-jdk");
  }

  private static RouterServer router(String engine, String hosted, String data) throws Exception {
    return Configs.inProcess(
        dir,
        Configs.registry(
            CertsInit.listener(dir.resolve("tls")),
            up.group.url(),
            hosted,
            "data-dir: "
                + dir.resolve(data)
                + "\naccess-log: {path: \"off\"}\n"
                + "client: {header-timeout: 20s, idle-timeout: 60s, body-timeout: 60s}\n"
                + "tls-engine: "
                + engine
                + "\n",
            "read-timeout: 60s, "));
  }

  @AfterAll
  static void stop() {
    Closing.all(openssl, jdk, up);
  }

  /** One upload: the records after the head, and the data bytes their chunks carry. */
  record Layout(String name, List<String> records, long dataBytes) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> layouts() {
    String small = "a\r\n0123456789\r\n0\r\n\r\n";
    List<Layout> all = new ArrayList<>();
    all.add(
        new Layout(
            "a chunk ends inside a record, the last chunk has a record of its own",
            List.of("a\r\n01234", "56789\r\n", "0\r\n\r\n"),
            10));
    all.add(
        new Layout(
            "a record ends right after the chunk-size line",
            List.of("a\r\n", "0123456789\r\n", "0\r\n\r\n"),
            10));
    all.add(
        new Layout(
            "a record ends inside the CRLF after the data",
            List.of("a\r\n0123456789\r", "\n0\r\n\r\n"),
            10));
    all.add(
        new Layout(
            "a record ends inside the last chunk",
            List.of("a\r\n0123456789\r\n0\r", "\n\r\n"),
            10));
    all.add(new Layout("one byte per record", bytes(small), 10));
    all.add(new Layout("head and body in one record", List.of(HEAD + small), 10));
    all.add(bigChunks());
    List<Arguments> out = new ArrayList<>();
    for (String engine : List.of("openssl", "jdk")) {
      for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
        for (Layout l : all) {
          out.add(Arguments.of(engine, protocol, l));
        }
      }
    }
    return out.stream();
  }

  private static List<String> bytes(String s) {
    return s.chars().mapToObj(c -> String.valueOf((char) c)).toList();
  }

  /**
   * Three chunks of 20000 bytes in records of 16000 (nearly full: the JDK client's TLS 1.3 records
   * hold a little less than 16 KiB) (chunk boundaries fall inside records), the last chunk in a
   * record of its own.
   */
  private static Layout bigChunks() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      char[] data = new char[20000];
      Arrays.fill(data, (char) ('a' + i));
      body.append(Integer.toHexString(data.length)).append("\r\n").append(data).append("\r\n");
    }
    List<String> records = new ArrayList<>();
    for (int i = 0; i < body.length(); i += 16000) {
      records.add(body.substring(i, Math.min(body.length(), i + 16000)));
    }
    records.add("0\r\n\r\n");
    return new Layout("20000-byte chunks in full records", records, 60000);
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @MethodSource("layouts")
  void aChunkedUploadSplitAcrossRecordsArrivesWhole(String engine, String protocol, Layout l)
      throws Exception {
    RouterServer router = engine.equals("openssl") ? openssl : jdk;
    int before = up.hosted.seen().size();
    List<byte[]> records = new ArrayList<>();
    if (!l.records().get(0).startsWith(HEAD)) {
      records.add(HEAD.getBytes(StandardCharsets.ISO_8859_1));
    }
    for (String r : l.records()) {
      records.add(r.getBytes(StandardCharsets.ISO_8859_1));
    }
    int status =
        sendAndAnswer(
            router,
            protocol,
            records,
            () -> engine + " " + protocol + ", " + l + ": the upstream saw " + seenSince(before));
    String ctx = engine + " " + protocol + ", " + l + ": upstream saw " + seenSince(before);
    assertEquals(202, status, ctx);
    List<RawUpstream.Seen> seen = seenSince(before);
    assertEquals(1, seen.size(), ctx);
    assertEquals("complete", seen.get(0).end, ctx);
    assertEquals(l.dataBytes(), seen.get(0).bytes.get(), ctx);
  }

  /**
   * 8 MiB in 64 KiB chunks (as curl sends a file) in records of 16000 bytes, the last chunk in a
   * record of its own, to an upstream that reads slowly: the router pauses reading from the client
   * again and again and reads on when the upstream has taken more, the path of the upload that
   * stalled in the benchmark. Three uploads per engine, each bounded.
   */
  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void largeUploadsToASlowUpstreamArriveWhole(String engine) throws Exception {
    StringBuilder body = new StringBuilder();
    char[] data = new char[64 * 1024];
    for (int i = 0; i < 128; i++) {
      Arrays.fill(data, (char) ('a' + i % 26));
      body.append(Integer.toHexString(data.length)).append("\r\n").append(data).append("\r\n");
    }
    List<byte[]> records = new ArrayList<>();
    records.add(HEAD.getBytes(StandardCharsets.ISO_8859_1));
    for (int i = 0; i < body.length(); i += 16000) {
      records.add(
          body.substring(i, Math.min(body.length(), i + 16000))
              .getBytes(StandardCharsets.ISO_8859_1));
    }
    records.add("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    try (SlowSink sink = new SlowSink(1);
        RouterServer router = router(engine, sink.url(), "data-slow-" + engine)) {
      for (int i = 0; i < 3; i++) {
        String what = engine + " upload " + (i + 1) + " of 3";
        int status =
            sendAndAnswer(
                router, "TLSv1.3", records, () -> what + ", the upstream saw " + sink.bodies);
        String ctx = what + ": the upstream saw " + sink.bodies;
        assertEquals(202, status, ctx);
        assertEquals(i + 1, sink.bodies.size(), ctx);
        assertEquals("complete", sink.bodies.get(i).end, ctx);
        assertEquals(128L * data.length, sink.bodies.get(i).bytes, ctx);
      }
    }
  }

  /**
   * Sends {@code records} from a thread of its own (a router that stops reading would block the
   * write) and returns the answer's status; fails after {@link #WAIT_MILLIS} for either.
   */
  private static int sendAndAnswer(
      RouterServer router, String protocol, List<byte[]> records, Supplier<String> context)
      throws Exception {
    try (RecordClient c = new RecordClient(trust, router.port(0), protocol, WAIT_MILLIS)) {
      AtomicReference<Exception> failed = new AtomicReference<>();
      Thread sender =
          new Thread(
              () -> {
                try {
                  c.send(records);
                } catch (IOException | RuntimeException e) {
                  failed.set(e);
                }
              },
              "record-client-send");
      sender.setDaemon(true);
      sender.start();
      sender.join(WAIT_MILLIS);
      if (sender.isAlive()) {
        c.abort();
        throw new AssertionError(
            "the router stopped reading the body for "
                + WAIT_MILLIS / 1000
                + " s: "
                + context.get());
      }
      if (failed.get() != null) {
        throw new AssertionError("sending failed: " + context.get(), failed.get());
      }
      try {
        return c.readStatus();
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "no answer within "
                + WAIT_MILLIS / 1000
                + " s after the whole body was sent, the"
                + " upload stalled in the router: "
                + context.get(),
            e);
      }
    }
  }

  private static List<RawUpstream.Seen> seenSince(int before) {
    List<RawUpstream.Seen> all = up.hosted.seen();
    return all.subList(before, all.size());
  }
}
