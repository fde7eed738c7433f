package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

  /** Router configurations the seed layout does not match, and the line status prints. */
  static Stream<Arguments> mismatches() {
    return Stream.of(
        Arguments.of(
            "a wrong group port",
            "http://127.0.0.1:8092",
            "http://127.0.0.1:8086",
            "MISMATCH  host registry.example.com: group upstream 'group' http://127.0.0.1:8092: no docker repository has HTTP connector port 8092 (docker group repositories: docker group 'hub-group' HTTP 8082)"),
        Arguments.of(
            "a hosted upstream on the group port",
            "http://127.0.0.1:8082",
            "http://127.0.0.1:8082",
            "hosted upstream 'hosted' http://127.0.0.1:8082: it reaches docker group 'hub-group' HTTP 8082, expected a docker hosted (docker hosted repositories: docker hosted 'ybcard' HTTP 8086)"),
        Arguments.of(
            "a path-mode repository Nexus does not have",
            "http://127.0.0.1:8081/repository/hub",
            "http://127.0.0.1:8081/repository/ybcard",
            "Nexus has no docker repository 'hub'"));
  }

  @ParameterizedTest(name = "{0} is reported exactly")
  @MethodSource("mismatches")
  void aMismatchIsReportedExactly(String what, String group, String hosted, String line)
      throws IOException {
    Cli r = status(config(group, hosted));

    assertEquals(1, r.exit(), r.toString());
    assertContains(r.out(), line);
  }

  @Test
  void pathModeUpstreamsAreMatchedByRepositoryName() throws IOException {
    Cli ok =
        status(
            config(
                "http://127.0.0.1:8081/repository/hub-group",
                "http://127.0.0.1:8081/repository/ybcard"));
    assertEquals(0, ok.exit(), ok.toString());
    // a path-mode name Nexus lacks: see mismatches()
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
