package dev.nexusrouter.router.nexus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterConfigWriterTest {
  @TempDir Path tmp;

  private RouterConfig load(String yaml) throws IOException {
    try {
      return ConfigLoader.load(Files.writeString(tmp.resolve("router.yaml"), yaml));
    } catch (ConfigException e) {
      throw new AssertionError(e.report() + yaml, e);
    }
  }

  @Test
  void theSeedLayoutGivesAConfigTheRouterLoads() throws IOException {
    Cli r =
        Cli.run(
            Map.of(),
            "router-config",
            "--router-host",
            "registry.example.com",
            "--nexus-host",
            "172.31.16.10",
            "--listen",
            "0.0.0.0:8080");
    assertEquals(0, r.exit(), r.toString());

    RouterConfig c = load(r.out());

    assertEquals(
        List.of(URI.create("http://172.31.16.10:8082")), c.upstreams().get("group").servers());
    assertEquals(
        List.of(URI.create("http://172.31.16.10:8086")), c.upstreams().get("hosted").servers());
    assertEquals(
        List.of(URI.create("http://172.31.16.10:8081")), c.upstreams().get("ui").servers());
    VirtualHostConfig registry = c.hosts().get(0);
    assertEquals(List.of("registry.example.com"), registry.serverNames());
    assertEquals("group", registry.group());
    assertEquals("hosted", registry.hosted());
    assertEquals(List.of("nexus.example.com"), c.hosts().get(1).serverNames());
    assertEquals(VirtualHostConfig.Kind.UI, c.hosts().get(1).kind());
    assertEquals(8080, c.listeners().get(0).port());
  }

  @Test
  void aNexusHostWithAPortMovesTheUiAndKeepsTheConnectorPorts() throws IOException {
    Cli r = Cli.run(Map.of(), "router-config", "--nexus-host", "127.0.0.1:28081");
    assertEquals(0, r.exit(), r.toString());

    RouterConfig c = load(r.out());

    assertEquals(List.of(URI.create("http://127.0.0.1:28081")), c.upstreams().get("ui").servers());
    assertEquals(
        List.of(URI.create("http://127.0.0.1:8082")), c.upstreams().get("group").servers());
    assertEquals(
        List.of(URI.create("http://127.0.0.1:8086")), c.upstreams().get("hosted").servers());
  }

  @Test
  void repositoriesWithoutAConnectorAreReachedInPathMode() throws IOException {
    Layout l =
        LayoutLoader.parse(
            """
            blob-stores: [{name: default}]
            repositories:
              - {name: team, type: hosted, blob-store: default, https-port: 8443}
              - {name: other, type: hosted, blob-store: default}
              - {name: all, type: group, blob-store: default, members: [team, other], path-enabled: true}
            """,
            "t");
    var o =
        new RouterConfigWriter.Options(
            "*", "ui.local", URI.create("http://[::1]:8081"), "127.0.0.1", 8080, null, "team");

    RouterConfig c = load(RouterConfigWriter.write(l, o, "t"));

    assertEquals("all", c.upstreams().get("group").repository());
    assertEquals(
        List.of(URI.create("http://[::1]:8081/repository/all")),
        c.upstreams().get("group").servers());
    assertEquals(List.of(URI.create("https://[::1]:8443")), c.upstreams().get("hosted").servers());
  }

  @Test
  void anAmbiguousLayoutAsksForAChoice() {
    Layout l =
        LayoutLoader.parse(
            """
            blob-stores: [{name: default}]
            repositories:
              - {name: a, type: hosted, blob-store: default}
              - {name: b, type: hosted, blob-store: default}
              - {name: g, type: group, blob-store: default, members: [a, b]}
            """,
            "t");
    var o =
        new RouterConfigWriter.Options(
            "r.local", null, URI.create("http://127.0.0.1:8081"), "127.0.0.1", 8080, null, null);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RouterConfigWriter.write(l, o, "t"));
    assertTrue(e.getMessage().contains("choose one with --hosted (a, b)"), e.getMessage());
  }
}
