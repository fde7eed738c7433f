package dev.nexusrouter.router.e2e;

import static dev.nexusrouter.router.testing.TrustingClient.trusting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.CertsInit;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RealParts;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's own certificates, end to end: the embedded CA (a TLS listener without files) trusted
 * by skopeo through a certs.d-style directory for a real push and pull, the CA served at {@code
 * /download/ca.crt}, and a certificate rotation with {@code certs init} while a large download is
 * running: the download completes on the old certificate, new connections see the new serial.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TlsRouterIT {
  @TempDir Path dir;

  private static String yaml(String tls, String group, String hosted, Path dataDir) {
    return Configs.registry(
            "{address: 127.0.0.1, port: 0, tls: " + tls + "}",
            group,
            hosted,
            "data-dir: " + dataDir + "\n",
            "")
        + "access-log: {path: \"off\"}\n";
  }

  @Test
  void skopeoTrustsTheEmbeddedCaThroughACertsDirectoryForPushAndPull() throws Exception {
    Path skopeo = RealParts.require("skopeo");
    RealParts.require("docker-registry");
    try (RegistryProcess hosted = RegistryProcess.start(dir, "hosted", null);
        RegistryProcess group = RegistryProcess.start(dir, "group", hosted.url())) {
      Path data = dir.resolve("data");
      Path cfg = dir.resolve("router.yaml");
      Files.writeString(cfg, yaml("{}", group.url(), hosted.url(), data));
      try (RouterServer router = RouterServer.start(ConfigLoader.load(cfg), Clock.systemUTC())) {
        int port = router.port(0);
        Path ca = data.resolve("tls/ca.crt");
        assertTrue(Files.isRegularFile(ca), "the embedded CA was created in the data directory");
        SSLContext trust = trusting(ca);
        HttpClient http = HttpClient.newBuilder().sslContext(trust).build();
        HttpResponse<byte[]> download =
            http.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/download/ca.crt"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertArrayEquals(Files.readAllBytes(ca), download.body(), "/download/ca.crt is the CA");

        // the layout users get from `certs client-setup`: certs.d/HOST:PORT/ca.crt
        Path certsD = dir.resolve("certs.d/localhost:" + port);
        Files.createDirectories(certsD);
        Files.copy(ca, certsD.resolve("ca.crt"));
        OciImage image = OciImage.build(dir.resolve("image"), "v1", 1 << 20);
        Path digestFile = dir.resolve("digest");
        String ref = "docker://localhost:" + port + "/team/tls:1.0";
        run(
            skopeo,
            "push",
            "copy",
            "--dest-cert-dir",
            certsD.toString(),
            "--dest-tls-verify=true",
            "--digestfile",
            digestFile.toString(),
            "oci:" + image.layout + ":v1",
            ref);
        assertEquals(image.manifestDigest, Files.readString(digestFile).trim());
        Path out = dir.resolve("pulled");
        run(
            skopeo,
            "pull",
            "copy",
            "--src-cert-dir",
            certsD.toString(),
            "--src-tls-verify=true",
            ref,
            "oci:" + out + ":x");
        assertTrue(
            Files.readString(out.resolve("index.json")).contains(image.manifestDigest),
            "the pulled image has the pushed manifest");
      }
    }
  }

  @Test
  void aDownloadInFlightSurvivesACertificateRotationAndNewConnectionsGetTheNewSerial()
      throws Exception {
    long size = 512L << 20;
    try (FakeRegistryUpstream upstream = new FakeRegistryUpstream("group", size)) {
      Path tls = dir.resolve("tls");
      CertsInit.localhost(tls);
      Path cfg = dir.resolve("router.yaml");
      Files.writeString(
          cfg,
          yaml(
              Configs.tls(tls.resolve("server.crt"), tls.resolve("server.key")),
              upstream.url(),
              upstream.url(),
              dir.resolve("data")));
      try (RouterServer router = RouterServer.start(ConfigLoader.load(cfg), Clock.systemUTC())) {
        int port = router.port(0);
        SSLContext trust = trusting(tls.resolve("ca.crt"));
        BigInteger before = serial(trust, port);
        HttpClient http = HttpClient.newBuilder().sslContext(trust).build();
        HttpResponse<InputStream> response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "https://localhost:"
                                + port
                                + "/v2/team/app/blobs/sha256:"
                                + "a".repeat(64)))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
          long read = body.readNBytes(4 << 20).length;
          CertsInit.localhost(tls); // rotation: a fresh server certificate from the same CA
          BigInteger after = before;
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (after.equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            after = serial(trust, port);
          }
          assertNotEquals(before, after, "a new connection sees the new certificate");
          byte[] buf = new byte[1 << 16];
          for (int n; (n = body.read(buf)) > 0; ) {
            read += n;
          }
          assertEquals(size, read, "the download that started before the swap completed");
        }
      }
    }
  }

  @Test
  void plainHttpToAUiHostWithARedirectPortGoesToHttps() throws Exception {
    Path cfg = dir.resolve("redirect.yaml");
    Files.writeString(
        cfg,
        "listeners: [{address: 127.0.0.1, port: 0}]\n"
            + "upstreams: {ui: {servers: [\"http://127.0.0.1:9\"]},"
            + " g: {servers: [\"http://127.0.0.1:9\"]}}\n"
            + "hosts:\n"
            + "  - {server-names: [registry.test], default: true, group: g, hosted: g}\n"
            + "  - {server-names: [nexus.test], kind: ui, upstream: ui, https-redirect-port: 8443}\n"
            + "access-log: {path: \"off\"}\n");
    try (RouterServer router = RouterServer.start(ConfigLoader.load(cfg), Clock.systemUTC())) {
      int port = router.port(0);
      String ui =
          head(port, "GET /ui/search?q=x HTTP/1.1\r\nHost: nexus.test:" + port + "\r\n\r\n");
      assertTrue(ui.startsWith("HTTP/1.1 301"), ui);
      assertTrue(ui.contains("Location: https://nexus.test:8443/ui/search?q=x"), ui);
      String registry = head(port, "GET /v2/ HTTP/1.1\r\nHost: registry.test\r\n\r\n");
      assertTrue(
          registry.startsWith("HTTP/1.1 503"), "the registry host is not redirected: " + registry);
    }
  }

  private static final Duration STEP = Duration.ofSeconds(30);

  /**
   * Runs a tool (log in the temp dir, named after the step), asserts exit 0, returns its output.
   */
  private String runOk(String step, String... command) throws Exception {
    Path log = dir.resolve(step.replaceAll("[^A-Za-z0-9.-]+", "-") + ".log");
    Proc p = Proc.run(step, log, STEP, command);
    assertEquals(0, p.process.exitValue(), () -> step + "\n" + Proc.tail(log, 20));
    return Files.readString(log);
  }

  @Test
  void curlAndOpensslAgainstTheRunningRouter() throws Exception {
    Path curl = RealParts.require("curl");
    Path openssl = RealParts.require("openssl");
    Path cfg = dir.resolve("h2.yaml");
    Path data = dir.resolve("data-h2");
    Files.writeString(
        cfg, yaml("{}", "http://127.0.0.1:9", "http://127.0.0.1:9", data) + "http2: true\n");
    try (RouterServer router = RouterServer.start(ConfigLoader.load(cfg), Clock.systemUTC())) {
      int port = router.port(0);
      String ca = data.resolve("tls/ca.crt").toString();
      String h2 =
          runOk(
              "curl",
              curl.toString(),
              "-sS",
              "--http2",
              "--cacert",
              ca,
              "-o",
              "/dev/null",
              "-w",
              "%{http_version} %{http_code}",
              "https://localhost:" + port + "/download/ca.crt");
      assertTrue(h2.contains("2 200"), "h2 negotiated: " + h2);
      runOk(
          "openssl verify",
          openssl.toString(),
          "verify",
          "-CAfile",
          ca,
          data.resolve("tls/server.crt").toString());
      for (String old : new String[] {"-tls1", "-tls1_1"}) {
        Path l = dir.resolve("sclient" + old + ".log");
        Proc c =
            Proc.run(
                "openssl s_client " + old,
                l,
                STEP,
                "sh",
                "-c",
                openssl
                    + " s_client "
                    + old
                    + " -cipher DEFAULT@SECLEVEL=0 -connect 127.0.0.1:"
                    + port
                    + " </dev/null");
        assertNotEquals(0, c.process.exitValue(), old + " must be refused: " + Proc.tail(l, 10));
      }
      runOk(
          "openssl s_client -tls1_3",
          "sh",
          "-c",
          openssl + " s_client -tls1_3 -connect 127.0.0.1:" + port + " </dev/null");
    }
  }

  /** Sends a raw request and returns the response head. */
  private static String head(int port, String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      while (!got.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        got.write(b);
      }
      return got.toString(StandardCharsets.US_ASCII);
    }
  }

  /** The serial of the certificate a fresh TLS connection to the router presents. */
  private static BigInteger serial(SSLContext trust, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port)) {
      var params = s.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(params);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private void run(Path skopeo, String step, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(skopeo.toString());
    cmd.add("--insecure-policy");
    cmd.addAll(List.of(args));
    Path log = dir.resolve("skopeo-" + step + ".log");
    Proc p = Proc.run("skopeo " + step, log, Duration.ofSeconds(120), cmd.toArray(String[]::new));
    assertEquals(0, p.process.exitValue(), () -> "skopeo " + step + "\n" + Proc.tail(log, 30));
  }
}
