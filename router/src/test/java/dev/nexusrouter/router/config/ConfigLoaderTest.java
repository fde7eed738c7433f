package dev.nexusrouter.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.tls.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path fixture(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream(name)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Path p = dir.resolve(name);
      Files.writeString(p, text.replace("@DIR@", dir.toString()));
      return p;
    }
  }

  @Test
  void builtInDefaultsReproduceTheSeedLayout() {
    RouterConfig c = ConfigLoader.builtIn();
    assertEquals("127.0.0.1", c.listeners().get(0).address());
    assertEquals(8443, c.listeners().get(0).port());
    assertTrue(c.listeners().get(0).tls().embedded(), "HTTPS out of the box: embedded CA");
    assertEquals(8080, c.listeners().get(1).port());
    assertNull(c.listeners().get(1).tls());
    assertTrue(c.admin().enabled());
    assertEquals("http://127.0.0.1:8082", c.upstreams().get("group").servers().get(0).toString());
    assertEquals("http://127.0.0.1:8086", c.upstreams().get("hosted").servers().get(0).toString());
    assertEquals("http://127.0.0.1:8081", c.upstreams().get("ui").servers().get(0).toString());
    assertEquals(Duration.ofSeconds(3600), c.upstreams().get("hosted").readTimeout());
    assertEquals(Duration.ofSeconds(3600), c.upstreams().get("group").connectTimeout());
    assertEquals(Duration.ofSeconds(300), c.upstreams().get("ui").readTimeout());
    assertEquals(Duration.ofSeconds(120), c.upstreams().get("ui").writeTimeout());
    assertEquals(0, c.hosts().get(0).maxBodySize(), "no body limit by default");
    assertEquals("R12", c.hosts().get(0).routes().rows().get(0).id());
  }

  @Test
  void theSeedTranslationLoads() throws IOException {
    RouterConfig c = ConfigLoader.load(fixture("valid-seed.yaml"));
    assertEquals(2, c.hosts().size());
    assertEquals(VirtualHostConfig.Kind.UI, c.hosts().get(1).kind());
    assertEquals(Path.of("/data/wwwroot/download"), c.hosts().get(1).downloadDir());
    assertEquals(Duration.ofSeconds(120), c.upstreams().get("nexus_web").writeTimeout());
    assertEquals(Duration.ofSeconds(3600), c.upstreams().get("nexus_docker_push").writeTimeout());
  }

  @Test
  void everyKeyOfTheFullExampleIsRead() throws IOException {
    RouterConfig c = ConfigLoader.load(fixture("valid-full.yaml"));
    UpstreamConfig g = c.upstreams().get("group");
    assertEquals(Duration.ofSeconds(5), g.connectTimeout());
    assertEquals(Duration.ofHours(1), g.readTimeout());
    assertEquals(Duration.ofMinutes(30), g.writeTimeout());
    assertEquals(Duration.ofHours(12), g.maxRequestTime());
    assertEquals(32, g.connectionsPerThread());
    assertEquals(100, g.maxQueue());
    assertEquals(Duration.ofSeconds(15), g.idleTimeout());
    assertEquals(List.of("nexus.internal:8082"), g.aliases());
    assertEquals("/repository/mirror-hosted", c.upstreams().get("mirror").pathPrefix());
    assertEquals("mirror-hosted", c.upstreams().get("mirror").repository());
    VirtualHostConfig h = c.hosts().get(0);
    assertEquals("mirror-pull", h.routes().rows().get(0).id());
    assertEquals("group", h.v1());
    assertEquals(0, h.maxBodySize());
    assertEquals(2L << 30, c.hosts().get(1).maxBodySize());
    assertEquals(null, h.accessLog(), "no host log: the top-level one");
    assertEquals(
        new RouterConfig.AccessLog("/var/log/nexus-router/nexus.log", "json", 10L << 20, 3, null),
        c.hosts().get(1).accessLog());
    assertEquals("json", c.accessLog().format());
    assertEquals(Duration.ofSeconds(30), c.client().header());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "invalid-everything.yaml",
        "invalid-tls.yaml",
        "invalid-yaml.yaml",
        "invalid-duplicates.yaml",
        "invalid-overflow.yaml",
        "invalid-removed-keys.yaml"
      })
  void invalidFilesReportEveryExpectedProblemWithItsPath(String name) throws Exception {
    if (name.equals("invalid-tls.yaml")) {
      KeyPair a = TestCerts.rsa();
      KeyPair b = TestCerts.ec();
      TestCerts.writePem(
          dir.resolve("a.crt"), TestCerts.selfSigned(a, "a", Instant.now().plusSeconds(86400)));
      TestCerts.writePem(dir.resolve("a.key"), a.getPrivate());
      TestCerts.writePem(dir.resolve("b.key"), b.getPrivate());
    }
    Path file = fixture(name);
    List<String> expected =
        Files.readAllLines(file).stream()
            .filter(l -> l.startsWith("# expect: "))
            .map(l -> l.substring("# expect: ".length()))
            .toList();
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    String report = e.report();
    for (String want : expected) {
      assertTrue(report.contains(want), "missing '" + want + "' in:\n" + report);
    }
    assertTrue(report.startsWith(file.toString()), report);
  }

  @Test
  void aMissingFileIsOneClearProblem() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
    assertEquals(1, e.problems().size());
    assertTrue(e.problems().get(0).contains("file not found"), e.problems().get(0));
  }

  @Test
  void matchingPemPairsLoadInEveryKeyFormat() throws Exception {
    for (KeyPair kp : new KeyPair[] {TestCerts.rsa(), TestCerts.ec()}) {
      Path crt = dir.resolve(kp.getPublic().getAlgorithm() + ".crt");
      Path key = dir.resolve(kp.getPublic().getAlgorithm() + ".key");
      TestCerts.writePem(crt, TestCerts.selfSigned(kp, "x", Instant.now().plusSeconds(86400)));
      TestCerts.writePem(key, kp.getPrivate());
      Path cfg = dir.resolve("tls.yaml");
      Files.writeString(
          cfg,
          "listeners: [{port: 8443, tls: {cert-file: '"
              + crt
              + "', key-file: '"
              + key
              + "'}}]\n"
              + "upstreams: {g: {servers: [http://a:1]}, h: {servers: [http://a:2]}}\n"
              + "hosts: [{server-names: [x], group: g, hosted: h}]\n");
      assertEquals(crt, ConfigLoader.load(cfg).listeners().get(0).tls().certFile());
    }
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    KeyPair kp = TestCerts.rsa();
    TestCerts.writePem(
        dir.resolve("old.crt"), TestCerts.selfSigned(kp, "old", Instant.now().minusSeconds(60)));
    TestCerts.writePem(dir.resolve("old.key"), kp.getPrivate());
    Path cfg = dir.resolve("old.yaml");
    Files.writeString(
        cfg,
        "listeners: [{port: 8443, tls: {cert-file: '"
            + dir.resolve("old.crt")
            + "', key-file: '"
            + dir.resolve("old.key")
            + "'}}]\n"
            + "upstreams: {g: {servers: [http://a:1]}, h: {servers: [http://a:2]}}\n"
            + "hosts: [{server-names: [x], group: g, hosted: h}]\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(cfg));
    assertTrue(e.report().contains("expired"), e.report());
  }
}
