package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nexus status} against a fake Nexus provisioned with the seed layout. */
class NexusStatusIT {
  private static final Map<String, String> ENV = Map.of("NEXUS_PASSWORD", "admin-secret");

  private FakeNexus nexus;
  @TempDir Path tmp;

  @BeforeEach
  void start() throws IOException {
    nexus = new FakeNexus();
    Layout seed = LayoutLoader.builtIn();
    seed.blobStores().forEach(b -> nexus.blobStores.put(b.name(), b.path()));
    for (Layout.Repository r : seed.repositories()) {
      nexus.store(RepositoryBodies.desired(r), r.type().wireName());
    }
  }

  @AfterEach
  void stop() {
    nexus.close();
  }

  private Cli status(String routerConfig) throws IOException {
    if (routerConfig == null) {
      return Cli.run(ENV, "status", "--url", nexus.url());
    }
    Path file = Files.writeString(tmp.resolve("router.yaml"), routerConfig);
    return Cli.run(ENV, "status", "--url", nexus.url(), "--config", file.toString());
  }

  private static String config(String group, String hosted) {
    return """
        listeners: [{name: main, port: 8080}]
        upstreams:
          group: {servers: ["%s"]}
          hosted: {servers: ["%s"]}
        hosts:
          - {server-names: [registry.example.com], group: group, hosted: hosted}
        """
        .formatted(group, hosted);
  }

  @Test
  void theBuiltInRouterConfigMatchesTheSeedLayout() throws IOException {
    Cli r = status(null);

    assertEquals(0, r.exit(), r.toString());
    assertContains(
        r.out(),
        "status    available",
        "writable  writable",
        "version   3.77.1-01 (OSS)",
        "ok        host registry.localhost: group upstream 'group' http://127.0.0.1:8082 -> docker group 'hub-group' HTTP 8082",
        "-> docker hosted 'ybcard' HTTP 8086");
  }

  @Test
  void aWrongGroupPortIsReportedExactly() throws IOException {
    Cli r = status(config("http://127.0.0.1:8092", "http://127.0.0.1:8086"));

    assertEquals(1, r.exit(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "MISMATCH  host registry.example.com: group upstream 'group' http://127.0.0.1:8092: no docker repository has HTTP connector port 8092 (docker group repositories: docker group 'hub-group' HTTP 8082)"),
        r.out());
  }

  @Test
  void aHostedUpstreamOnTheGroupPortIsReported() throws IOException {
    Cli r = status(config("http://127.0.0.1:8082", "http://127.0.0.1:8082"));

    assertEquals(1, r.exit(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "hosted upstream 'hosted' http://127.0.0.1:8082: it reaches docker group 'hub-group' HTTP 8082, expected a docker hosted (docker hosted repositories: docker hosted 'ybcard' HTTP 8086)"),
        r.out());
  }

  @Test
  void pathModeUpstreamsAreMatchedByRepositoryName() throws IOException {
    Cli ok =
        status(
            config(
                "http://127.0.0.1:8081/repository/hub-group",
                "http://127.0.0.1:8081/repository/ybcard"));
    assertEquals(0, ok.exit(), ok.toString());

    Cli wrong =
        status(
            config(
                "http://127.0.0.1:8081/repository/hub", "http://127.0.0.1:8081/repository/ybcard"));
    assertEquals(1, wrong.exit(), wrong.toString());
    assertTrue(wrong.out().contains("Nexus has no docker repository 'hub'"), wrong.out());
  }

  @Test
  void aPortChangedInNexusIsNoticed() throws IOException {
    ObjectNode hosted = nexus.repositories.get("ybcard");
    ((ObjectNode) hosted.get("docker")).put("httpPort", 8096);

    Cli r = status(null);

    assertEquals(1, r.exit(), r.toString());
    assertTrue(
        r.out().contains("(docker hosted repositories: docker hosted 'ybcard' HTTP 8096)"),
        r.out());
  }

  @Test
  void aNexusThatIsNotReadyIsShown() throws IOException {
    nexus.statusCode = 503;
    Cli r = status(null);
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().contains("status    NOT READY (503"), r.out());
  }

  @Test
  void anOldNexusIsNamedWithTheMinimum() throws IOException {
    nexus.version = "3.18.1-01";
    Cli r = status(null);
    assertContains(r.out(), "version   3.18.1-01 (OSS)", "older than 3.26.0");
  }

  @Test
  void withoutCredentialsThePortsCannotBeCompared() throws IOException {
    Cli r = Cli.run(Map.of(), "status", "--url", nexus.url());
    assertEquals(1, r.exit(), r.toString());
    assertContains(r.out(), "cannot compare", "401");
  }
}
