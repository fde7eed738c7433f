package dev.nexusrouter.router.ops;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.TrustingClient;
import dev.nexusrouter.router.testing.Wire;
import dev.nexusrouter.router.tls.TestCerts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener: {@code /healthz}, {@code /readyz}, {@code /routes}, {@code /metrics}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminEndpointsIT {
  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
  static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  HttpResponse<String> admin(RouterServer r, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.adminPort() + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String adminYaml(String group, String hosted, String extra) {
    return Configs.registry(
        group, hosted, "admin: {port: 0}\naccess-log: {path: \"off\"}\n" + extra, "");
  }

  @Test
  void healthzReadyzAndRoutes() throws Exception {
    try (RawUpstream g = new RawUpstream("group");
        RawUpstream h = new RawUpstream("hosted");
        RouterServer r = Configs.inProcess(dir, adminYaml(g.url(), h.url(), ""))) {
      assertTrue(r.adminPort() > 0);
      HttpResponse<String> health = admin(r, "/healthz");
      assertEquals(200, health.statusCode());
      assertEquals("ok\n", health.body());

      RouterJvm.await("readyz 200", Duration.ofSeconds(20), () -> status(r, "/readyz") == 200);
      String ready = admin(r, "/readyz").body();
      assertContains(ready, "\"ready\":true", "\"group\":{\"up\":true", "\"hosted\":{\"up\":true");
      assertTrue(g.seen().stream().anyMatch(s -> s.target.equals("/v2/")), "group probed /v2/");

      String routes = admin(r, "/routes").body();
      assertTrue(routes.contains("host localhost (group=group, hosted=hosted, v1=hosted)"), routes);
      for (String row : new String[] {"R1", "R2", "R5", "R8r", "R9p", "R9h", "R10", "R12", "R13"}) {
        assertTrue(
            routes.contains("  " + row + " ") || routes.contains("  " + row + ":"),
            row + " in\n" + routes);
      }
      assertEquals(404, status(r, "/nope"));
      // the admin port is not a registry: no route there, and the registry port has no admin paths
      Wire.Outcome o =
          Wire.send(
              r.port(0),
              "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
              10_000);
      assertFalse(o.first().text().contains("nexus_router_"), "metrics leaked on the main port");
    }
  }

  @Test
  void readyz503NamesTheUpstreamThatIsDown() throws Exception {
    try (RawUpstream g = new RawUpstream("group");
        RouterServer r =
            Configs.inProcess(dir, adminYaml(g.url(), "http://127.0.0.1:" + closedPort(), ""))) {
      RouterJvm.await(
          "readyz results",
          Duration.ofSeconds(20),
          () -> body(r, "/readyz").contains("\"hosted\""));
      HttpResponse<String> ready = admin(r, "/readyz");
      assertEquals(503, ready.statusCode(), ready.body());
      assertContains(
          ready.body(), "\"ready\":false", "\"hosted\":{\"up\":false", "\"group\":{\"up\":true");
    }
  }

  @Test
  void metricsCountTrafficWithBoundedLabels() throws Exception {
    KeyPair kp = TestCerts.rsa();
    X509Certificate cert =
        TestCerts.selfSigned(kp, "localhost", Instant.now().plus(Duration.ofDays(30)));
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    TestCerts.writePem(certFile, cert);
    TestCerts.writePem(keyFile, kp.getPrivate());
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      fakes.hosted.script(s -> RawUpstream.Action.ok(202));
      fakes.group.script(s -> RawUpstream.Action.body(200, 100));
      String yaml =
          adminYaml(fakes.group.url(), fakes.hosted.url(), "")
              .replace(
                  "  - {address: 127.0.0.1, port: 0}\n",
                  "  - {address: 127.0.0.1, port: 0}\n  - "
                      + Configs.tlsListener("tls", 0, certFile, keyFile)
                      + "\n");
      try (RouterServer r = Configs.inProcess(dir, yaml)) {
        Map<String, Double> before = samples(admin(r, "/metrics").body());
        String secretRepo = "secretteam/secretapp";
        for (int i = 0; i < 3; i++) {
          send(r, "GET /v2/" + secretRepo + "/manifests/v" + i + "?access_token=SECRET-abc");
        }
        send(r, "PATCH /v2/" + secretRepo + "/blobs/uploads/u1", "Content-Length: 5\r\n", "hello");
        send(r, "GET /v2/" + secretRepo + "/%2e%2e/manifests/1");
        send(r, "OPTIONS /v2/" + secretRepo + "/strange/thing");
        // one TLS connection
        SSLSocketFactory f = TrustingClient.trusting(certFile).getSocketFactory();
        try (SSLSocket s = (SSLSocket) f.createSocket("127.0.0.1", r.port(1))) {
          s.getOutputStream()
              .write(
                  "GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
          s.getInputStream().readAllBytes();
        }
        String text = admin(r, "/metrics").body();
        Map<String, Double> after = samples(text);
        String r10 =
            "nexus_router_requests_seconds_count{method=\"GET\",route=\"R10\",status=\"2xx\",upstream=\"group\"}";
        assertEquals(3.0, after.getOrDefault(r10, 0.0) - before.getOrDefault(r10, 0.0), text);
        String r5 =
            "nexus_router_requests_seconds_count{method=\"PATCH\",route=\"R5\",status=\"2xx\",upstream=\"hosted\"}";
        assertEquals(1.0, after.getOrDefault(r5, 0.0) - before.getOrDefault(r5, 0.0), text);
        assertTrue(
            after.keySet().stream()
                .anyMatch(
                    k ->
                        k.startsWith("nexus_router_requests_seconds_count{")
                            && k.contains("status=\"4xx\"")),
            text);
        for (String name :
            new String[] {
              "nexus_router_requests_seconds_bucket",
              "nexus_router_request_bytes",
              "nexus_router_response_bytes",
              "nexus_router_active_requests",
              "nexus_router_active_uploads",
              "nexus_router_open_connections",
              "nexus_router_tls_connections_total",
              "nexus_router_unclassified_requests_total",
              "nexus_router_certificate_expiry_seconds",
            }) {
          assertTrue(
              after.keySet().stream().anyMatch(k -> k.startsWith(name)),
              name + " missing in\n" + text);
        }
        double expiry =
            after.entrySet().stream()
                .filter(
                    e ->
                        e.getKey()
                            .startsWith(
                                "nexus_router_certificate_expiry_seconds{listener=\"tls\"}"))
                .findFirst()
                .orElseThrow()
                .getValue();
        assertTrue(expiry > 29 * 86400 && expiry <= 30 * 86400, "expiry " + expiry);
        assertTrue(
            after.entrySet().stream()
                .anyMatch(
                    e ->
                        e.getKey().startsWith("nexus_router_tls_connections_total")
                            && e.getValue() >= 1),
            text);
        assertBoundedLabels(after, secretRepo);
      }
    }
  }

  @Test
  void upstreamErrorsAreCountedByKind() throws Exception {
    try (RawUpstream g = new RawUpstream("group");
        RouterServer r =
            Configs.inProcess(dir, adminYaml(g.url(), "http://127.0.0.1:" + closedPort(), ""))) {
      g.script(s -> RawUpstream.Action.resetMidBody(1 << 20, 1000));
      send(r, "PATCH /v2/a/b/blobs/uploads/u1", "Content-Length: 5\r\n", "hello");
      String text = admin(r, "/metrics").body();
      assertTrue(
          text.contains(
              "nexus_router_upstream_errors_total{kind=\"refused\",upstream=\"hosted\"} 1.0"),
          text);
      assertBoundedLabels(samples(text), "a/b");
    }
  }

  /** Every label value comes from a small fixed set: never a repository name, path or token. */
  static void assertBoundedLabels(Map<String, Double> samples, String repository) {
    for (String key : samples.keySet()) {
      Matcher m = LABEL.matcher(key);
      while (m.find()) {
        String name = m.group(1);
        String value = m.group(2);
        assertFalse(value.contains("/"), "path-like label " + key);
        assertFalse(value.contains(repository.split("/")[0]), "repository in label " + key);
        assertFalse(value.contains("SECRET"), "secret in label " + key);
        assertFalse(value.contains("sha256"), "digest in label " + key);
        assertTrue(value.length() <= 40, "long label " + key);
        if (name.equals("status")) {
          assertTrue(value.matches("[1-5]xx"), key);
        }
        if (name.equals("method")) {
          assertTrue(value.matches("GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|OTHER"), key);
        }
      }
    }
  }

  static Map<String, Double> samples(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.trim());
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(4)));
    }
    return out;
  }

  int status(RouterServer r, String path) {
    try {
      return admin(r, path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  String body(RouterServer r, String path) {
    try {
      return admin(r, path).body();
    } catch (Exception e) {
      return "";
    }
  }

  static Wire.Outcome send(RouterServer r, String requestLine) throws Exception {
    return send(r, requestLine, "", "");
  }

  static Wire.Outcome send(RouterServer r, String requestLine, String headers, String body)
      throws Exception {
    return Wire.send(
        r.port(0),
        requestLine
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer SECRET-xyz\r\n"
            + headers
            + "Connection: close\r\n\r\n"
            + body,
        20_000);
  }
}
