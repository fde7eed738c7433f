package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.testing.RealParts;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real parts: the generated chain checked by openssl, and an HTTPS server built with {@link
 * ServerTls#context} probed by openssl s_client and curl. A missing tool fails under CI=true and
 * skips otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsToolsIT {
  @TempDir static Path dir;

  Undertow server;
  int port;

  record Result(int code, String output) {}

  static void require(String tool) {
    RealParts.require(tool);
  }

  Result exec(String... cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  int certs(ByteArrayOutputStream err, Map<String, String> env, String... args) {
    return CertsCommand.run(
        List.of(args),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        env);
  }

  /** {@code certs check} with the key's passphrase in the environment variable KEY_PASS. */
  int checkWithPassphrase(ByteArrayOutputStream err, String cert, String key, String passphrase) {
    return certs(
        err,
        Map.of("KEY_PASS", passphrase),
        "check",
        "--cert",
        cert,
        "--key",
        key,
        "--passphrase-env",
        "KEY_PASS");
  }

  /** {@code certs init} for example.com and 127.0.0.1 into the shared directory. */
  int initLocalCerts() {
    return certs(
        new ByteArrayOutputStream(),
        Map.of(),
        "init",
        "--domain",
        "example.com",
        "--ip",
        "127.0.0.1",
        "--out",
        dir.toString());
  }

  @BeforeAll
  void startServer() throws Exception {
    assertEquals(0, initLocalCerts());
    SSLContext ctx =
        ServerTls.context(ServerTls.load(dir.resolve("server.crt"), dir.resolve("server.key")));
    server =
        Undertow.builder()
            .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
            .addHttpsListener(0, "127.0.0.1", ctx)
            .setHandler(ex -> ex.getResponseSender().send("hello " + ex.getProtocol()))
            .build();
    server.start();
    port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  @AfterAll
  void stopServer() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void opensslVerifiesTheGeneratedChain() throws Exception {
    require("openssl");
    Result r = exec("openssl", "verify", "-CAfile", "ca.crt", "server.crt");
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("server.crt: OK"), r.output());
    Result host =
        exec(
            "openssl",
            "verify",
            "-CAfile",
            "ca.crt",
            "-purpose",
            "sslserver",
            "-verify_hostname",
            "registry.example.com",
            "server.crt");
    assertEquals(0, host.code(), host.output());
    Result ip =
        exec("openssl", "verify", "-CAfile", "ca.crt", "-verify_ip", "127.0.0.1", "server.crt");
    assertEquals(0, ip.code(), ip.output());
    // the key files carry their public point: openssl reads them, the pair checks out, and the
    // public key in each is the one its certificate names
    for (String name : new String[] {"server", "ca"}) {
      Result check = exec("openssl", "pkey", "-in", name + ".key", "-check", "-noout");
      assertEquals(0, check.code(), check.output());
      assertTrue(check.output().contains("valid"), check.output());
      Result fromKey = exec("openssl", "pkey", "-in", name + ".key", "-pubout");
      Result fromCert = exec("openssl", "x509", "-in", name + ".crt", "-pubkey", "-noout");
      assertEquals(0, fromKey.code(), fromKey.output());
      assertEquals(fromCert.output(), fromKey.output());
      assertTrue(
          PemFiles.readKey(dir.resolve(name + ".key"), KeyPassphrase.NONE).publicKey() != null);
    }
  }

  Result sClient(String... extra) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "registry.example.com",
                "-CAfile",
                "ca.crt",
                "-verify_return_error",
                "-brief"));
    cmd.addAll(List.of(extra));
    return exec(cmd.toArray(new String[0]));
  }

  @Test
  void onlyTls12And13HandshakesSucceed() throws Exception {
    require("openssl");
    Result v13 = sClient("-tls1_3");
    assertEquals(0, v13.code(), v13.output());
    assertTrue(v13.output().contains("TLSv1.3"), v13.output());
    Result v12 = sClient("-tls1_2");
    assertEquals(0, v12.code(), v12.output());
    assertTrue(v12.output().contains("ECDHE"), v12.output());
    // SECLEVEL=0 so that a refusal comes from the server, not from the client's own policy
    assertNotEquals(0, sClient("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0").code());
    assertNotEquals(0, sClient("-tls1", "-cipher", "DEFAULT@SECLEVEL=0").code());
  }

  @Test
  void weakTls12SuitesAreRefused() throws Exception {
    require("openssl");
    for (String weak : List.of("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA256")) {
      Result r = sClient("-tls1_2", "-cipher", weak);
      assertNotEquals(0, r.code(), weak + ": " + r.output());
    }
  }

  @Test
  void curlTrustsTheCaAndNegotiatesHttp2() throws Exception {
    require("curl");
    String url = "https://registry.example.com:" + port + "/";
    String resolve = "registry.example.com:" + port + ":127.0.0.1";
    Result h1 = exec("curl", "-sS", "--http1.1", "--cacert", "ca.crt", "--resolve", resolve, url);
    assertEquals(0, h1.code(), h1.output());
    assertEquals("hello HTTP/1.1", h1.output());
    Result h2 = exec("curl", "-sS", "--http2", "--cacert", "ca.crt", "--resolve", resolve, url);
    assertEquals(0, h2.code(), h2.output());
    assertEquals("hello HTTP/2.0", h2.output());
    Result ip = exec("curl", "-sS", "--cacert", "ca.crt", "https://127.0.0.1:" + port + "/");
    assertEquals(0, ip.code(), ip.output());
    Result untrusted = exec("curl", "-sS", "--resolve", resolve, url);
    assertNotEquals(0, untrusted.code(), "without --cacert the private CA is not trusted");
  }

  @Test
  void opensslEncryptedPkcs8LoadsOnlyWithTheRightPassphrase() throws Exception {
    require("openssl");
    Files.writeString(dir.resolve("pass.txt"), "correct horse\n");
    Result r =
        exec(
            "openssl",
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "server.key",
            "-out",
            "server.enc.key",
            "-passout",
            "file:pass.txt");
    assertEquals(0, r.code(), r.output());
    assertTrue(Files.readString(dir.resolve("server.enc.key")).contains("ENCRYPTED PRIVATE KEY"));

    ServerTls.Material m =
        ServerTls.load(
            dir.resolve("server.crt"),
            dir.resolve("server.enc.key"),
            KeyPassphrase.fromFile(dir.resolve("pass.txt")));
    assertEquals(PemFiles.readPrivateKey(dir.resolve("server.key")), m.key());

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String cert = dir.resolve("server.crt").toString();
    String key = dir.resolve("server.enc.key").toString();
    assertEquals(0, checkWithPassphrase(err, cert, key, "correct horse"));
    assertEquals(1, checkWithPassphrase(err, cert, key, "wrong"));
    assertEquals(
        "nexus-router certs: wrong passphrase for private key "
            + key
            + " (passphrase from environment variable KEY_PASS)\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void opensslPkcs1AndEcKeysLoad() throws Exception {
    require("openssl");
    Result rsa = exec("openssl", "genrsa", "-traditional", "-out", "rsa1.key", "2048");
    assertEquals(0, rsa.code(), rsa.output());
    assertTrue(Files.readString(dir.resolve("rsa1.key")).contains("BEGIN RSA PRIVATE KEY"));
    assertEquals("RSA", PemFiles.readPrivateKey(dir.resolve("rsa1.key")).getAlgorithm());
    Result ec =
        exec("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
    assertEquals(0, ec.code(), ec.output());
    assertTrue(Files.readString(dir.resolve("ec.key")).contains("BEGIN EC PRIVATE KEY"));
    assertEquals("EC", PemFiles.readPrivateKey(dir.resolve("ec.key")).getAlgorithm());
    assertTrue(PemFiles.readKey(dir.resolve("ec.key"), KeyPassphrase.NONE).publicKey() != null);
    Result pkcs8 =
        exec(
            "openssl",
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ec8.key");
    assertEquals(0, pkcs8.code(), pkcs8.output());
    assertTrue(Files.readString(dir.resolve("ec8.key")).contains("BEGIN PRIVATE KEY"));
    assertTrue(PemFiles.readKey(dir.resolve("ec8.key"), KeyPassphrase.NONE).publicKey() != null);
  }

  @Test
  void reloaderSwitchesNewConnectionsOfARunningListener() throws Exception {
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    java.util.concurrent.BlockingQueue<SSLContext> swapped =
        new java.util.concurrent.LinkedBlockingQueue<>();
    List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (CertificateReloader r =
        new CertificateReloader(
            cert,
            key,
            KeyPassphrase.NONE,
            ctx -> {
              server.getListenerInfo().get(0).setSslContext(ctx);
              swapped.add(ctx);
            },
            errors::add,
            java.time.Duration.ofMillis(200))) {
      java.math.BigInteger before = servedSerial();
      assertEquals(r.certificate().getSerialNumber(), before);
      javax.net.ssl.SSLSocket open = connect();
      assertEquals(0, initLocalCerts());
      assertTrue(swapped.poll(10, TimeUnit.SECONDS) != null, "no reload: " + errors);
      java.math.BigInteger after = servedSerial();
      assertNotEquals(before, after);
      assertEquals(PemFiles.readCertificates(cert).get(0).getSerialNumber(), after);
      // the connection opened before the swap still works with its old session
      open.getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String reply = new String(open.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
      assertEquals(
          before,
          ((java.security.cert.X509Certificate) open.getSession().getPeerCertificates()[0])
              .getSerialNumber());
      open.close();
    }
  }

  javax.net.ssl.SSLSocket connect() throws Exception {
    SSLContext client =
        dev.nexusrouter.router.testing.TrustingClient.trusting(dir.resolve("ca.crt"));
    javax.net.ssl.SSLSocket s =
        (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port);
    s.startHandshake();
    return s;
  }

  java.math.BigInteger servedSerial() throws Exception {
    try (javax.net.ssl.SSLSocket s = connect()) {
      return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
          .getSerialNumber();
    }
  }
}
