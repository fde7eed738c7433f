package dev.nexusrouter.router.faults;

import static dev.nexusrouter.router.testing.ConnectionChecks.assertClosedByRouter;
import static dev.nexusrouter.router.testing.ConnectionChecks.statusLine;
import static dev.nexusrouter.router.testing.TrustingClient.trusting;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Closing;
import dev.nexusrouter.router.testing.Configs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that opens a TLS connection and then sends nothing, or only part of a ClientHello, is
 * dropped after {@code client.header-timeout}, not held for {@code client.idle-timeout} (nginx:
 * {@code client_header_timeout}). The header timeout here is 2 s and the idle timeout 30 s, and the
 * client waits 15 s for the close: the assertion is about which of the two applies.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsHandshakeTimeoutIT {
  @TempDir static Path dir;
  static RawUpstream.Pair fakes;
  static RouterServer router;

  /**
   * One router for the class: each test opens its own connections, and the router keeps nothing of
   * a closed one, so a fresh router per test would prove nothing more.
   */
  @BeforeAll
  static void start() throws Exception {
    fakes = new RawUpstream.Pair();
    fakes.group.script(s -> RawUpstream.Action.body(200, 2));
    router =
        Configs.inProcess(
            dir,
            Configs.registry(
                "{address: 127.0.0.1, port: 0, tls: {}}",
                fakes.group.url(),
                fakes.hosted.url(),
                "data-dir: \""
                    + dir.resolve("data")
                    + "\"\naccess-log: {path: \"off\"}\n"
                    + "client: {header-timeout: 2s, idle-timeout: 30s}\n",
                ""));
  }

  @AfterAll
  static void stop() {
    Closing.all(router, fakes);
  }

  @Test
  void aSilentTlsConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), router.port(0))) {
      assertClosedByRouter(s);
    }
  }

  @Test
  void aPartialClientHelloIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), router.port(0))) {
      OutputStream out = s.getOutputStream();
      // a handshake record header announcing 512 bytes, then the start of a ClientHello only
      out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03});
      out.flush();
      assertClosedByRouter(s);
    }
  }

  @Test
  void normalAndSlowButProgressingTlsClientsAndKeepAliveStillWork() throws Exception {
    SSLContext trust = trusting(dir.resolve("data/tls/ca.crt"));
    HttpResponse<String> plain =
        HttpClient.newBuilder()
            .sslContext(trust)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + router.port(0) + "/v2/"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, plain.statusCode(), plain::toString);
    try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), router.port(0))) {
      Thread.sleep(1000); // connected, silent for half the header timeout, then the handshake
      try (SSLSocket s =
          (SSLSocket)
              trust.getSocketFactory().createSocket(raw, "localhost", router.port(0), true)) {
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        String req = "GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n";
        out.write(req.substring(0, 10).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(500);
        out.write(req.substring(10).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("HTTP/1.1 200", statusLine(in));
        // kept alive for longer than the header timeout: the idle timeout applies now
        Thread.sleep(3000);
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("HTTP/1.1 200", statusLine(in));
      }
    }
  }
}
