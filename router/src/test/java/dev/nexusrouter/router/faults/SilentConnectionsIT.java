package dev.nexusrouter.router.faults;

import static dev.nexusrouter.router.testing.ConnectionChecks.assertClosedByRouter;
import static dev.nexusrouter.router.testing.ConnectionChecks.statusLine;
import static dev.nexusrouter.router.testing.TrustingClient.trusting;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that connects (plain) or completes its TLS handshake and then sends nothing is closed
 * after {@code client.header-timeout}, as nginx does with {@code client_header_timeout}, not held
 * for {@code client.idle-timeout}; once a request was made, the connection is kept alive for the
 * idle timeout. Here the header timeout is 1 s and the idle timeout 60 s, and a client waits at
 * most 15 s for the close: the assertions are about which of the two applies, not about speed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SilentConnectionsIT {
  static final String TIMEOUTS = "client: {header-timeout: 1s, idle-timeout: 60s}\n";
  static final String GET = "GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n";

  @TempDir Path dir;

  private RouterServer start(String listener, RawUpstream group, RawUpstream hosted)
      throws IOException {
    group.script(s -> RawUpstream.Action.body(200, 2));
    return Configs.inProcess(
        dir,
        Configs.registry(
            listener,
            group.url(),
            hosted.url(),
            "data-dir: \"" + dir.resolve("data") + "\"\naccess-log: {path: \"off\"}\n" + TIMEOUTS,
            ""));
  }

  private static String tlsListener() {
    return "{address: 127.0.0.1, port: 0, tls: {}}";
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void aConnectionSilentFromTheStartIsClosedAfterTheHeaderTimeout(boolean tls) throws Exception {
    withConnection(tls, s -> assertClosedByRouter(s));
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void aConnectionIsKeptAliveByTheIdleTimeoutAfterARequest(boolean tls) throws Exception {
    withConnection(
        tls,
        s -> {
          s.setSoTimeout(15_000);
          keptAlive(s.getOutputStream(), s.getInputStream());
        });
  }

  private interface SocketCheck {
    void check(Socket s) throws Exception;
  }

  /**
   * A router with a plain or a TLS listener and one connection to it (for TLS, after a completed
   * handshake), handed to {@code check}.
   */
  private void withConnection(boolean tls, SocketCheck check) throws Exception {
    try (RawUpstream group = new RawUpstream("group");
        RawUpstream hosted = new RawUpstream("hosted");
        RouterServer r = start(tls ? tlsListener() : Configs.PLAIN_LISTENER, group, hosted)) {
      if (!tls) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port(0))) {
          check.check(s);
        }
        return;
      }
      SSLContext trust = trusting(dir.resolve("data/tls/ca.crt"));
      try (SSLSocket s =
          (SSLSocket)
              trust.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), r.port(0))) {
        s.startHandshake();
        check.check(s);
      }
    }
  }

  /** A request, three header timeouts of silence, then a second request on the same connection. */
  private static void keptAlive(OutputStream out, InputStream in) throws Exception {
    out.write(GET.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    assertEquals("HTTP/1.1 200", statusLine(in));
    Thread.sleep(3000);
    out.write(GET.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    assertEquals("HTTP/1.1 200", statusLine(in), "the kept-alive connection was closed");
  }
}
