package dev.nexusrouter.router.faults;

import static dev.nexusrouter.router.testing.TrustingClient.trusting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Closing;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RawConnection;
import dev.nexusrouter.router.testing.Wire;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunked request bodies whose framing breaks RFC 9112 §7.1 (a chunk size that is not hex, a bare
 * LF, chunk data without its CRLF, an endless size or extension line, a bad trailer): the client
 * gets a registry-JSON 400 and a closed connection, as from nginx, and the upstream never sees a
 * request whose body ended cleanly but short. A chunk size such as {@code 0x3a} must not end the
 * body and let what follows be read as a second, smuggled request. Valid chunked bodies with
 * extensions, trailers and pipelined requests behind them still pass.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MalformedChunksIT {
  static final String UPLOAD = "/v2/team/app/blobs/uploads/u1";
  static final String SMUGGLED =
      "DELETE /v2/team/smuggled/manifests/x HTTP/1.1\r\nHost: localhost\r\n\r\n";

  @TempDir static Path dir;
  static RawUpstream group;
  static RawUpstream hosted;
  static RouterServer router;

  @BeforeAll
  static void start() throws Exception {
    group = new RawUpstream("group").script(s -> RawUpstream.Action.ok(200));
    hosted = new RawUpstream("hosted").script(s -> RawUpstream.Action.ok(202));
    router =
        Configs.inProcess(
            dir,
            Configs.registry(
                group.url(),
                hosted.url(),
                "access-log: {path: \"off\"}\n"
                    + "client: {header-timeout: 5s, idle-timeout: 30s, body-timeout: 10s}\n",
                "read-timeout: 10s, "));
  }

  @AfterAll
  static void stop() {
    Closing.all(router, group, hosted);
  }

  static String head(String method) {
    return method
        + " "
        + UPLOAD
        + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  }

  /** The upstream requests since {@code g0}/{@code h0}, once each has ended one way or another. */
  static List<RawUpstream.Seen> settled(int g0, int h0) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      List<RawUpstream.Seen> all = since(g0, h0);
      if (all.stream().allMatch(s -> s.end != null)) {
        return all;
      }
      Thread.sleep(50);
    }
    return since(g0, h0);
  }

  static List<RawUpstream.Seen> since(int g0, int h0) {
    List<RawUpstream.Seen> g = group.seen();
    List<RawUpstream.Seen> h = hosted.seen();
    return HostileRequestsFaultsIT.concat(g.subList(g0, g.size()), h.subList(h0, h.size()));
  }

  /**
   * Sends one PATCH with {@code body} as its chunked body, all in one write: a 400 with registry
   * JSON, then the connection closed, and no upstream request that ended complete.
   */
  static void rejected(String name, String body) throws Exception {
    int g0 = group.seen().size();
    int h0 = hosted.seen().size();
    Wire.Outcome o = Wire.send(router.port(0), head("PATCH") + body, 20_000);
    List<RawUpstream.Seen> up = settled(g0, h0);
    String ctx = name + ": " + o + "\n upstreams saw " + up;
    assertTrue(o.closed(), "the router must close the connection: " + ctx);
    assertEquals(1, o.responses().size(), "one answer, nothing parsed after the body: " + ctx);
    JsonNode json = Wire.assertRegistryError(o.first(), 400);
    assertEquals("BLOB_UPLOAD_INVALID", json.at("/errors/0/code").asText(), ctx);
    assertTrue(json.at("/errors/0/detail").asText().contains("at body byte"), ctx);
    assertEquals("close", o.first().header("Connection"), ctx);
    for (RawUpstream.Seen s : up) {
      assertNotEquals("complete", s.end, "the upstream accepted a cut body: " + ctx);
      assertFalse(s.path().contains("smuggled"), "a smuggled request reached an upstream: " + ctx);
    }
  }

  @Test
  void aChunkSizeThatIsNotHexIsA400AndNeverEndsTheBody() throws Exception {
    rejected("zz", "5\r\nhello\r\nzz\r\n\r\n");
    rejected("0x3a", "5\r\nhello\r\n0x3a\r\n\r\n" + "x".repeat(58) + "\r\n0\r\n\r\n");
    rejected("-1", "5\r\nhello\r\n-1\r\n\r\n");
    rejected("+5", "+5\r\nhello\r\n0\r\n\r\n");
    rejected("leading space", " 5\r\nhello\r\n0\r\n\r\n");
    rejected("empty size", "\r\nhello\r\n0\r\n\r\n");
  }

  @Test
  void badExtensionsAndLineEndingsAre400() throws Exception {
    rejected("whitespace without ';'", "5 \r\nhello\r\n0\r\n\r\n");
    rejected("empty extension name", "5;\r\nhello\r\n0\r\n\r\n");
    rejected("extension '=' without value", "5;a=\r\nhello\r\n0\r\n\r\n");
    rejected("unterminated quoted value", "5;a=\"open\r\nhello\r\n0\r\n\r\n");
    rejected("control byte in extension", "5;a\u0001\r\nhello\r\n0\r\n\r\n");
    rejected("bare LF line endings", "5\nhello\n0\n\n");
    rejected("bare LF after the size", "5\nhello\r\n0\r\n\r\n");
    rejected("CR without LF", "5\rhello\r\n0\r\n\r\n");
    rejected("data without CRLF", "5\r\nhelloX\r\n0\r\n\r\n");
    rejected("data longer than its size", "5\r\nhello world\r\n0\r\n\r\n");
    rejected("bad trailer line", "5\r\nhello\r\n0\r\nno colon here\r\n\r\n");
    rejected("last chunk without final CRLF", "5\r\nhello\r\n0\r\n\n");
  }

  @Test
  void sizesAndLinesThatCouldOverflowAre400() throws Exception {
    rejected("overlong size", "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n");
    rejected("size above 2^56", "100000000000000\r\nhello\r\n0\r\n\r\n");
    rejected("over-long extension line", "5;a=" + "b".repeat(5000) + "\r\nhello\r\n0\r\n\r\n");
    rejected(
        "over-long trailer section",
        "5\r\nhello\r\n0\r\n" + ("X-T: " + "v".repeat(1000) + "\r\n").repeat(20) + "\r\n");
  }

  @Test
  void aSmuggledRequestBehindAHexPrefixNeverReachesAnUpstream() throws Exception {
    // a front proxy reading 0x3a as 58 bytes would take the DELETE as body; Undertow's decoder
    // read it as 0, ended the body and ran the DELETE as a second request
    rejected("0x3a then a request", "0x3a\r\n\r\n" + SMUGGLED);
    rejected("z then a request", "z\r\n\r\n" + SMUGGLED);
    assertTrue(hosted.seen("smuggled").isEmpty() && group.seen("smuggled").isEmpty());
  }

  @Test
  void aViolationAfterTheBodyStartedStreamingAbortsTheUpstreamRequest() throws Exception {
    int g0 = group.seen().size();
    int h0 = hosted.seen().size();
    byte[] data = new byte[200 * 1024];
    Arrays.fill(data, (byte) 'd');
    try (RawConnection c = new RawConnection(router.port(0), 20_000)) {
      c.out.write(head("PATCH").getBytes(StandardCharsets.ISO_8859_1));
      c.out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      c.out.write(data);
      c.out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      c.out.flush();
      // the upstream request is under way with 200 KiB when the bad chunk arrives
      for (int i = 0; i < 100 && since(g0, h0).isEmpty(); i++) {
        Thread.sleep(50);
      }
      c.out.write("10\r\n0123456789abcdefX\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      c.out.flush();
      Wire.Outcome o = Wire.readAll(c.in());
      List<RawUpstream.Seen> up = settled(g0, h0);
      String ctx = o + "\n upstreams saw " + up;
      assertTrue(o.closed(), ctx);
      assertEquals(1, o.responses().size(), ctx);
      JsonNode json = Wire.assertRegistryError(o.first(), 400);
      String detail = json.at("/errors/0/detail").asText();
      assertTrue(detail.contains("chunk data not followed by CRLF"), ctx);
      // the bad byte's offset: size line, 200 KiB, CRLF, "10\r\n", 16 bytes
      long offset = 5 + 2 + data.length + 2 + 4 + 16;
      assertTrue(detail.endsWith("at body byte " + offset), detail);
      assertEquals(1, up.size(), ctx);
      assertNotEquals("complete", up.get(0).end, ctx);
    }
    String metrics = router.metrics().scrape();
    assertTrue(
        metrics
            .lines()
            .anyMatch(l -> l.contains("method=\"PATCH\"") && l.contains("status=\"4xx\"")),
        metrics);
  }

  @Test
  void validChunkedBodiesWithExtensionsTrailersAndPipeliningStillPass() throws Exception {
    int h0 = hosted.seen().size();
    String body =
        "5;name=value\r\nhello\r\n"
            + "6 ; q=\"a \\\"b\\\"\" ;flag\r\n world\r\n"
            + "00A\r\n0123456789\r\n"
            + "0;last=1\r\nX-Trailer: yes\r\nX-Other:\tv\r\n\r\n";
    String second = "GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    Wire.Outcome o = Wire.send(router.port(0), head("PATCH") + body + second, 20_000);
    assertEquals(2, o.responses().size(), o::toString);
    assertEquals(202, o.responses().get(0).status(), o::toString);
    assertEquals(200, o.responses().get(1).status(), o::toString);
    List<RawUpstream.Seen> up = settled(group.seen().size(), h0);
    assertEquals(1, up.size(), up::toString);
    assertEquals("complete", up.get(0).end);
    assertEquals(21, up.get(0).bytes.get());

    // a larger body in many chunks and writes, kept alive for a second upload
    int h1 = hosted.seen().size();
    try (RawConnection c = new RawConnection(router.port(0), 20_000)) {
      long total = 0;
      for (int round = 0; round < 2; round++) {
        c.out.write(head("PUT").getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        for (int i = 1; i <= 64; i++) {
          int n = i * 997;
          chunk.reset();
          chunk.write(
              (Integer.toHexString(n) + ";i=" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
          chunk.write(new byte[n]);
          chunk.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          c.out.write(chunk.toByteArray());
          if (i % 8 == 0) {
            c.out.flush();
          }
          total += n;
        }
        c.out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        c.out.flush();
        assertEquals(202, c.readResponse(false).status());
      }
      List<RawUpstream.Seen> puts = settled(group.seen().size(), h1);
      assertEquals(2, puts.size(), puts::toString);
      assertEquals(total, puts.get(0).bytes.get() + puts.get(1).bytes.get(), puts::toString);
      assertTrue(puts.stream().allMatch(s -> "complete".equals(s.end)), puts::toString);
    }
  }

  @Test
  void overTlsValidBodiesPassAndBrokenFramingIsA400() throws Exception {
    Path tlsDir = dir.resolve("tls-router");
    Files.createDirectories(tlsDir);
    try (RouterServer tls =
        Configs.inProcess(
            tlsDir,
            Configs.registry(
                "{address: 127.0.0.1, port: 0, tls: {}}",
                group.url(),
                hosted.url(),
                "data-dir: \"" + tlsDir.resolve("data") + "\"\naccess-log: {path: \"off\"}\n",
                ""))) {
      SSLContext trust = trusting(tlsDir.resolve("data/tls/ca.crt"));
      String valid =
          head("PATCH")
              + "5;a=b\r\nhello\r\n0\r\nX-T: v\r\n\r\n"
              + "GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      Wire.Outcome ok = overTls(trust, tls.port(0), valid);
      assertEquals(2, ok.responses().size(), ok::toString);
      assertEquals(202, ok.responses().get(0).status(), ok::toString);
      assertEquals(200, ok.responses().get(1).status(), ok::toString);

      int g0 = group.seen().size();
      int h0 = hosted.seen().size();
      Wire.Outcome bad = overTls(trust, tls.port(0), head("PATCH") + "0x3a\r\n\r\n" + SMUGGLED);
      List<RawUpstream.Seen> up = settled(g0, h0);
      assertTrue(bad.closed(), bad::toString);
      assertEquals(1, bad.responses().size(), bad::toString);
      Wire.assertRegistryError(bad.first(), 400);
      for (RawUpstream.Seen s : up) {
        assertNotEquals("complete", s.end, up::toString);
        assertFalse(s.path().contains("smuggled"), up::toString);
      }
    }
  }

  private static Wire.Outcome overTls(SSLContext trust, int port, String raw) throws Exception {
    try (SSLSocket s =
        (SSLSocket) trust.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return Wire.readAll(s.getInputStream());
    }
  }
}
