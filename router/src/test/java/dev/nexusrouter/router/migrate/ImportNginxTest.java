package dev.nexusrouter.router.migrate;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * import-nginx on the seed-equivalent configuration and on variants modelled on published
 * Nexus-behind-nginx setups; every output goes through the real config loader (what {@code check}
 * runs), and the report is checked for the lines a user must read.
 */
class ImportNginxTest {
  @TempDir Path dir;

  private record Imported(RouterConfig config, String report) {}

  private Imported imported(String fixture, String input) throws Exception {
    Path src = Fixtures.copy(fixture, dir);
    Path out = dir.resolve(fixture + ".yaml");
    Fixtures.Run r = Fixtures.importNginx(src.resolve(input).toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    return new Imported(ConfigLoader.load(out), r.out());
  }

  private static VirtualHostConfig host(RouterConfig c, String name) {
    return c.hosts().stream().filter(h -> h.serverNames().contains(name)).findFirst().orElseThrow();
  }

  private static List<String> servers(RouterConfig c, String upstream) {
    return c.upstreams().get(upstream).servers().stream().map(URI::toString).toList();
  }

  private static String section(String report, String title) {
    int i = report.indexOf("\n" + title + ":");
    if (i < 0) {
      return "";
    }
    int end = report.indexOf("\n\n", i + 2);
    return end < 0 ? report.substring(i) : report.substring(i, end);
  }

  @Test
  void seedBecomesRegistryAndUiHostsWithLogsTimeoutsAndAdmin() throws Exception {
    Imported i = imported("seed", "nginx.conf");
    RouterConfig c = i.config();
    assertEquals(1, c.listeners().size(), "both server blocks share 443");
    assertEquals(443, c.listeners().get(0).port());
    assertTrue(c.listeners().get(0).tls().certFile().endsWith("ssl/acqua.com.bundle.crt"));
    VirtualHostConfig reg = host(c, "registry.acqua.com");
    assertEquals(VirtualHostConfig.Kind.REGISTRY, reg.kind());
    assertEquals("nexus_docker_pull", reg.group());
    assertEquals("nexus_docker_push", reg.hosted());
    assertEquals("nexus_docker_push", reg.v1(), "/v1/search stays on hosted");
    assertEquals(0, reg.maxBodySize(), "the 1G cap is lifted on the registry host");
    assertTrue(reg.accessLog().path().endsWith("wwwlogs/registry.acqua.com.log"));
    VirtualHostConfig ui = host(c, "nexus.cs.acqua.com");
    assertEquals(VirtualHostConfig.Kind.UI, ui.kind());
    assertEquals("nexus_web", ui.upstream());
    assertEquals(1L << 30, ui.maxBodySize());
    assertTrue(ui.downloadDir().endsWith("wwwroot/download"));
    assertTrue(ui.accessLog().path().endsWith("wwwlogs/nexus.cs.acqua.com.log"));
    assertEquals(List.of("http://172.31.16.10:8082"), servers(c, "nexus_docker_pull"));
    UpstreamConfig push = c.upstreams().get("nexus_docker_push");
    assertEquals(Duration.ofSeconds(3600), push.connectTimeout());
    assertEquals(Duration.ofSeconds(3600), push.readTimeout());
    assertEquals(Duration.ofSeconds(3600), push.writeTimeout());
    UpstreamConfig web = c.upstreams().get("nexus_web");
    assertEquals(Duration.ofSeconds(300), web.readTimeout());
    assertEquals(Duration.ofSeconds(120), web.writeTimeout());
    assertTrue(c.admin().enabled());
    assertEquals("127.0.0.1", c.admin().address());
    assertEquals(9090, c.admin().port());

    String changed = section(i.report(), "changed on purpose");
    assertTrue(changed.contains("nginx.conf:41  if"), "the GET rule is named\n" + changed);
    assertContains(
        changed,
        "`~* GET` misses HEAD",
        "'/search' matched anywhere",
        "Host $host drops the port",
        "proxy_buffering off;\n      -> buffering",
        "the 1G cap is lifted",
        "error_log",
        "(added)  admin listener on 127.0.0.1:9090");
    assertEquals("", section(i.report(), "not understood (left out of the output: check by hand)"));
    assertTrue(i.report().contains(" 0 not understood"), i.report());
  }

  @Test
  void everyDirectiveOfTheSeedHasAReportLine() throws Exception {
    Imported i = imported("seed", "nginx.conf");
    String text = Files.readString(dir.resolve("seed/nginx.conf"));
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String l = lines[n].strip();
      if (l.isEmpty() || l.startsWith("#") || l.equals("}") || l.startsWith("include")) {
        continue;
      }
      assertTrue(
          i.report().contains("nginx.conf:" + (n + 1) + "  "),
          "line " + (n + 1) + " (" + l + ") has no report line\n" + i.report());
    }
  }

  @Test
  void hostMappingToRepositoryPathsBecomesPathModeUpstreams() throws Exception {
    Imported i = imported("host-mapping", "nginx.conf");
    RouterConfig c = i.config();
    VirtualHostConfig pull = host(c, "docker.example.com");
    assertEquals(VirtualHostConfig.Kind.REGISTRY, pull.kind());
    assertEquals(pull.group(), pull.hosted(), "one upstream for everything, as in nginx");
    assertEquals("/repository/docker-group", c.upstreams().get(pull.group()).pathPrefix());
    VirtualHostConfig push = host(c, "docker-push.example.com");
    assertEquals("/repository/docker-hosted", c.upstreams().get(push.hosted()).pathPrefix());
    assertEquals(Duration.ofSeconds(900), c.upstreams().get(push.hosted()).readTimeout());
    VirtualHostConfig ui = host(c, "nexus.example.com");
    assertEquals(VirtualHostConfig.Kind.UI, ui.kind());
    assertTrue(ui.isDefault(), "listen … default_server");
    assertFalse(pull.isDefault());
    assertTrue(section(i.report(), "changed on purpose").contains("ssl_protocols"), i.report());
    assertTrue(
        i.report().contains("tls.conf:1  ssl_certificate"), "included lines keep their file");
  }

  @Test
  void methodMapWithHttpsRedirectAndHttp2() throws Exception {
    Imported i = imported("map-method", "nginx.conf");
    RouterConfig c = i.config();
    VirtualHostConfig reg = host(c, "registry.example.org");
    assertEquals("group", reg.group());
    assertEquals("hosted", reg.hosted());
    assertEquals(443, reg.httpsRedirectPort());
    assertEquals(2, c.listeners().size(), "80 for the redirect, 443 with TLS");
    assertFalse(c.http2());
    assertEquals(Duration.ofSeconds(65), c.client().idle());
    assertEquals(Duration.ofSeconds(120), c.client().bodyRead());
    assertEquals(Duration.ofSeconds(900), c.upstreams().get("group").readTimeout());
    String changed = section(i.report(), "changed on purpose");
    assertFalse(changed.contains("misses HEAD"), "the map sends HEAD to group already");
    assertContains(
        changed,
        "HTTP/2 is left off",
        "log format 'registry'",
        "keepalive 16",
        "the 20g cap is lifted");
    assertTrue(i.report().contains("Docker-Distribution-Api-Version"), i.report());
  }

  @Test
  void confDirectoryWithDirectUrlsAndNegatedMethodRegex() throws Exception {
    Imported i = imported("conf-d", ".");
    RouterConfig c = i.config();
    VirtualHostConfig reg = host(c, "docker.lan");
    assertEquals(List.of("registry.lan", "docker.lan"), reg.serverNames());
    assertEquals(List.of("http://127.0.0.1:8082"), servers(c, reg.group()));
    assertEquals(List.of("http://127.0.0.1:8083"), servers(c, reg.hosted()));
    assertEquals(Duration.ofSeconds(10), c.upstreams().get(reg.group()).connectTimeout());
    assertNull(reg.accessLog(), "no access_log: the top-level log");
    assertEquals(5000, c.listeners().get(0).port());
    assertNull(c.listeners().get(0).tls());
    VirtualHostConfig ui = host(c, "nexus.lan");
    assertEquals(512L << 20, ui.maxBodySize());
    assertEquals("/var/log/nginx/nexus.lan.access.log", ui.accessLog().path());
    assertFalse(i.report().contains("misses HEAD"), "HEAD is in the negated regex");
    assertTrue(i.report().contains("Host $host:$server_port"), i.report());
  }

  @Test
  void sharedUiAndRegistryNameKeepsTheRegistryAndSaysWhatWasLeftOut() throws Exception {
    Imported i = imported("single-host", "nginx.conf");
    RouterConfig c = i.config();
    VirtualHostConfig reg = host(c, "*.corp.example");
    assertTrue(reg.serverNames().contains("corp.example"), ".corp.example covers the bare name");
    assertEquals(VirtualHostConfig.Kind.REGISTRY, reg.kind());
    assertEquals(List.of("http://nexus:8082"), servers(c, reg.group()));
    String missing = section(i.report(), "not understood (left out of the output: check by hand)");
    assertTrue(missing.contains("proxy_pass http://nexus:8081;"), i.report());
  }

  @Test
  void debianSitesLayoutWithSnippetsAndUpstreamOptions() throws Exception {
    Imported i = imported("sites", "nginx.conf");
    RouterConfig c = i.config();
    VirtualHostConfig reg = host(c, "registry.example.net");
    assertEquals("docker_pull", reg.group());
    assertEquals("docker_push", reg.hosted());
    assertEquals("off", reg.accessLog().path());
    assertEquals(List.of("http://nexus-a:8081", "http://nexus-b:8081"), servers(c, "nexus_ui"));
    assertEquals(Duration.ofSeconds(300), c.upstreams().get("nexus_ui").writeTimeout());
    String changed = section(i.report(), "changed on purpose");
    assertTrue(changed.contains("max_fails=3"), changed);
    String missing = section(i.report(), "not understood (left out of the output: check by hand)");
    assertContains(missing, "X-Team", "location = /healthz");
    assertTrue(i.report().contains("proxy.conf:3  proxy_buffering off;"), i.report());
    assertEquals(2, c.hosts().size(), "the stock default site is not a host");
    assertTrue(c.hosts().stream().noneMatch(VirtualHostConfig::isDefault));
    assertContains(
        missing, "default:2  server { … }", "not a host of the router", "default:9  try_files");
  }

  @Test
  void sameNamesOnTwoPortsKeepTheFirstBlockAndSaySo() throws Exception {
    Path f = dir.resolve("ports.conf");
    Files.writeString(
        f,
        "http {\n"
            + "  server { listen 8087; server_name project.example.com;\n"
            + "    location / { proxy_pass http://nexus:8081/repository/docker-group/; } }\n"
            + "  server { listen 8086; server_name project.example.com;\n"
            + "    location / { proxy_pass http://nexus:8081/repository/docker-hosted/; } }\n"
            + "}\n");
    Path out = dir.resolve("ports.yaml");
    Fixtures.Run r = Fixtures.importNginx(f.toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    RouterConfig c = ConfigLoader.load(out);
    assertEquals(1, c.hosts().size(), r.out());
    assertEquals(2, c.listeners().size(), "both ports are still listened on");
    assertEquals(
        "/repository/docker-group", c.upstreams().get(c.hosts().get(0).group()).pathPrefix());
    assertTrue(r.out().contains("hosts are chosen by name, not by port"), r.out());
    assertTrue(
        r.out().contains("ports.conf:5  proxy_pass"), "the dropped block is listed\n" + r.out());
  }
}
