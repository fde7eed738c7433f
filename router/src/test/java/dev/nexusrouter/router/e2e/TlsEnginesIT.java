package dev.nexusrouter.router.e2e;

import static dev.nexusrouter.router.testing.TrustingClient.trusting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.CertsInit;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RealParts;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key TLS cases on each engine named explicitly ({@code tls-engine: openssl} and {@code jdk}),
 * with an RSA certificate so that both can serve it (docs/tls.md#tls-engine): the engine in use is
 * the one asked for, downloads over TLS 1.3 and 1.2 with curl, HTTP/2 by ALPN, old protocols and
 * CBC suites refused, client-initiated renegotiation refused, a silent client dropped at the header
 * timeout, and a certificate rotation seen by new connections.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsEnginesIT {
  private static final long BLOB = 8L << 20;

  @TempDir Path dir;
  // held: LogManager keeps loggers weakly, and a collected one would lose the handler
  private final Logger routerLog = Logger.getLogger("nexus-router");
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          log.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    routerLog.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    routerLog.removeHandler(capture);
  }

  private RouterServer start(String engine, FakeRegistryUpstream upstream, String extra)
      throws IOException {
    Path tls = dir.resolve("tls");
    CertsInit.localhost(tls, "--key-type", "rsa");
    Path cfg = dir.resolve("router.yaml");
    Files.writeString(
        cfg,
        Configs.registry(
                CertsInit.listener(tls),
                upstream.url(),
                upstream.url(),
                "data-dir: " + dir.resolve("data") + "\n",
                "")
            + "access-log: {path: \"off\"}\n"
            + "client: {header-timeout: 2s}\n"
            + "tls-engine: "
            + engine
            + "\n"
            + extra);
    RouterServer r = RouterServer.start(ConfigLoader.load(cfg), Clock.systemUTC());
    assertTrue(
        log.stream().anyMatch(m -> m.endsWith(": TLS engine " + engine)),
        () -> "the listener runs on " + engine + ": " + log);
    return r;
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void curlDownloadsOverTls13And12AndOverHttp2(String engine) throws Exception {
    Path curl = RealParts.require("curl");
    try (FakeRegistryUpstream up = new FakeRegistryUpstream("group", BLOB);
        RouterServer router = start(engine, up, "http2: true\n")) {
      String url =
          "https://localhost:" + router.port(0) + "/v2/team/app/blobs/sha256:" + "a".repeat(64);
      String[][] cases = {
        {"--tlsv1.3 --http1.1", "1.1 200 " + BLOB},
        {"--tlsv1.2 --tls-max 1.2 --http1.1", "1.1 200 " + BLOB},
        {"--tlsv1.2 --tls-max 1.2 --http2", "2 200 " + BLOB}
      };
      for (String[] c : cases) {
        Path out = dir.resolve("curl" + c[0].replace(" ", "") + ".log");
        List<String> cmd = new ArrayList<>(List.of(curl.toString(), "-sS", "--cacert"));
        cmd.add(dir.resolve("tls/ca.crt").toString());
        cmd.addAll(List.of(c[0].split(" ")));
        cmd.addAll(
            List.of("-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}"));
        cmd.add(url);
        Proc p = Proc.run("curl " + c[0], out, Duration.ofSeconds(60), cmd.toArray(String[]::new));
        String text = Files.readString(out);
        // --tlsv1.3 / --tls-max pin the protocol: curl fails rather than use another one
        assertEquals(0, p.process.exitValue(), c[0] + ": " + text);
        assertTrue(text.endsWith(c[1]), c[0] + ": " + text);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void oldProtocolsAndCbcSuitesAreRefusedAndTheServerOrderWins(String engine) throws Exception {
    Path openssl = RealParts.require("openssl");
    try (FakeRegistryUpstream up = new FakeRegistryUpstream("group", 1);
        RouterServer router = start(engine, up, "")) {
      int port = router.port(0);
      for (String refused :
          new String[] {
            "-tls1 -cipher DEFAULT@SECLEVEL=0",
            "-tls1_1 -cipher DEFAULT@SECLEVEL=0",
            "-tls1_2 -cipher ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256"
          }) {
        String out = sClient(openssl, port, refused, "");
        assertFalse(out.contains("New, TLSv1"), refused + " must be refused: " + out);
      }
      // every suite of the policy is offered, ChaCha20 too (docs/tls.md#protocols-and-ciphers)
      String chacha = sClient(openssl, port, "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305", "");
      assertTrue(chacha.contains("New, TLSv1.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305"), chacha);
      // the client prefers ChaCha20; the server's order (AES-128-GCM first) decides
      String out =
          sClient(
              openssl,
              port,
              "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256",
              "");
      assertTrue(out.contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256"), out);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void clientInitiatedRenegotiationGetsNoSecondHandshake(String engine) throws Exception {
    Path openssl = RealParts.require("openssl");
    try (FakeRegistryUpstream up = new FakeRegistryUpstream("group", 1);
        RouterServer router = start(engine, up, "")) {
      int port = router.port(0);
      String get = "GET /v2/ HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n";
      // without R the same request is answered: the assertion below can fail
      String control = sClient(openssl, port, "-tls1_2", "printf '" + get + "'; sleep 2");
      assertTrue(control.contains("HTTP/1.1 200"), control);
      // R asks for a renegotiation; the GET afterwards is answered only if it was accepted
      String out =
          sClient(
              openssl, port, "-tls1_2", "printf 'R\\n'; sleep 2; printf '" + get + "'; sleep 2");
      assertTrue(out.contains("RENEGOTIATING"), out);
      assertFalse(out.contains("HTTP/1.1 200"), out);
      assertEquals(1, count(out, "depth=0"), "one certificate check, one handshake: " + out);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void aClientThatNeverFinishesItsHandshakeIsDroppedAtTheHeaderTimeout(String engine)
      throws Exception {
    try (FakeRegistryUpstream up = new FakeRegistryUpstream("group", 1);
        RouterServer router = start(engine, up, "");
        Socket silent = new Socket(InetAddress.getLoopbackAddress(), router.port(0));
        Socket partial = new Socket(InetAddress.getLoopbackAddress(), router.port(0))) {
      // a TLS record header announcing a ClientHello that never comes
      partial.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
      partial.getOutputStream().flush();
      for (Socket s : List.of(silent, partial)) {
        s.setSoTimeout(30_000); // header timeout 2 s; the bound only ends a broken run
        try {
          assertEquals(-1, s.getInputStream().read(), "closed by the router");
        } catch (SocketTimeoutException e) {
          throw new AssertionError("still open after 30 s on " + engine, e);
        } catch (IOException reset) {
          // a reset is a close too
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void aRotatedCertificateReachesNewConnections(String engine) throws Exception {
    try (FakeRegistryUpstream up = new FakeRegistryUpstream("group", 1);
        RouterServer router = start(engine, up, "")) {
      int port = router.port(0);
      SSLContext trust = trusting(dir.resolve("tls/ca.crt"));
      BigInteger before = serial(trust, port);
      CertsInit.localhost(
          dir.resolve("tls"),
          "--key-type",
          "rsa"); // a fresh RSA server certificate from the same CA
      BigInteger after = before;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (after.equals(before) && System.nanoTime() < deadline) {
        Thread.sleep(200);
        after = serial(trust, port);
      }
      assertNotEquals(before, after, "a new connection sees the new certificate");
      assertTrue(
          log.stream().anyMatch(m -> m.contains("new certificate in use")),
          () -> "swapped: " + log);
    }
  }

  /** Runs {@code (INPUT) | openssl s_client FLAGS} against the router; returns all its output. */
  private String sClient(Path openssl, int port, String flags, String input) throws Exception {
    String script =
        "("
            + (input.isEmpty() ? "true" : input)
            + ") | '"
            + openssl
            + "' s_client -connect 127.0.0.1:"
            + port
            + " -servername localhost -CAfile '"
            + dir.resolve("tls/ca.crt")
            + "' "
            + flags
            + " 2>&1";
    Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl s_client did not finish");
    return new String(out, StandardCharsets.UTF_8);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static BigInteger serial(SSLContext trust, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port)) {
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
