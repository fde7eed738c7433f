package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NexusCommandTest {
  @TempDir Path tmp;

  @Test
  void passwordsOnTheCommandLineAreRefusedWithoutEchoingThem() {
    for (String arg : new String[] {"--password=hunter2", "--password", "--new-password=hunter2"}) {
      Cli r = Cli.run(Map.of(), "provision", arg, "hunter2");
      assertEquals(2, r.exit(), r.toString());
      assertContains(r.err(), "is not accepted", "--password-file");
      assertFalse(r.all().contains("hunter2"), r.all());
    }
  }

  @Test
  void usageMistakesExitWithTwo() {
    assertEquals(2, Cli.run(Map.of(), "frobnicate").exit());
    assertEquals(2, Cli.run(Map.of(), "provision", "--bogus").exit());
    assertEquals(2, Cli.run(Map.of(), "provision", "--url").exit());
    assertEquals(2, Cli.run(Map.of(), "status", "--layout", "x.yaml").exit());
    assertEquals(
        2, Cli.run(Map.of(), "provision", "--url", "http://nexus:8081").exit(), "no password");
    Cli userinfo =
        Cli.run(Map.of("NEXUS_PASSWORD", "p"), "provision", "--url", "http://admin:pw@nexus:8081");
    assertEquals(2, userinfo.exit());
    assertFalse(userinfo.all().contains("pw@"), userinfo.all());
    assertEquals(2, Cli.run(Map.of(), "router-config", "--listen", "8080").exit());
  }

  @Test
  void helpPrintsUsage() {
    Cli r = Cli.run(Map.of(), "--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().startsWith("Usage: nexus-router nexus "), r.out());
    assertTrue(r.out().contains("provision") && r.out().contains("router-config"), r.out());
    Cli provision = Cli.run(Map.of(), "provision", "--help");
    assertEquals(0, provision.exit());
    assertTrue(provision.out().startsWith("Usage: nexus-router nexus provision "), provision.out());
    assertTrue(provision.out().contains("--new-password-file"), provision.out());
    Cli none = Cli.run(Map.of(), "provision", "--wait", "forever", "--help");
    assertEquals(0, none.exit(), "help wins over option values");
  }

  @Test
  void waitTakesTheConfigDurationForms() {
    assertEquals(java.time.Duration.ofMinutes(5), NexusCommand.duration("5m"));
    assertEquals(java.time.Duration.ofSeconds(90), NexusCommand.duration("90"));
    assertEquals(java.time.Duration.ofMillis(1500), NexusCommand.duration("1500ms"));
    assertEquals(2, Cli.run(Map.of("NEXUS_PASSWORD", "p"), "provision", "--wait", "soon").exit());
    assertEquals(
        2,
        Cli.run(Map.of("NEXUS_PASSWORD", "p"), "provision", "--wait", "999999999999d").exit(),
        "an overflowing duration is a usage error, not a stack trace");
  }

  @Test
  void routerConfigTakesTheNexusBaseUrlAndHostPort() {
    assertEquals(
        java.net.URI.create("http://127.0.0.1:28081"),
        NexusCommand.nexusBase(java.net.URI.create("http://127.0.0.1:8081"), "127.0.0.1:28081"));
    assertEquals(
        java.net.URI.create("https://[::1]:8443"),
        NexusCommand.nexusBase(java.net.URI.create("https://nexus:8443"), "::1"));
    assertEquals(
        java.net.URI.create("http://[::1]:9000"),
        NexusCommand.nexusBase(java.net.URI.create("http://nexus:8081"), "[::1]:9000"));
    Cli r = Cli.run(Map.of(), "router-config", "--nexus-host", "127.0.0.1:28081");
    assertEquals(0, r.exit(), r.toString());
    assertContains(
        r.out(), "servers: [\"http://127.0.0.1:28081\"]", "servers: [\"http://127.0.0.1:8082\"]");
    assertFalse(r.out().contains("[127.0.0.1"), r.out());
    Cli url = Cli.run(Map.of("NEXUS_URL", "https://nexus.example:9443"), "router-config");
    assertEquals(0, url.exit(), url.toString());
    assertTrue(url.out().contains("servers: [\"https://nexus.example:9443\"]"), url.out());
    assertEquals(2, Cli.run(Map.of(), "router-config", "--nexus-host", "a:b:c]").exit());
    assertEquals(2, Cli.run(Map.of(), "router-config", "--nexus-host", "h:0").exit());
  }

  @Test
  void anInvalidLayoutListsItsProblemsAndExitsWithOne() throws IOException {
    Path layout =
        Files.writeString(tmp.resolve("layout.yaml"), "repositories: [{name: x}]\nfoo: 1\n");
    Cli r = Cli.run(Map.of("NEXUS_PASSWORD", "p"), "provision", "--layout", layout.toString());
    assertEquals(1, r.exit(), r.toString());
    assertContains(r.err(), "repositories[0].type: required", "foo: unknown key");
  }

  @Test
  void thePasswordFileWinsOverTheEnvironmentAndLosesItsLineBreak() throws IOException {
    Path f = Files.writeString(tmp.resolve("pw"), "from-file\n");
    Credentials c =
        NexusCommand.credentials(f, Map.of("NEXUS_USER", "deployer", "NEXUS_PASSWORD", "from-env"));
    assertEquals(new Credentials("deployer", "from-file"), c);
    assertFalse(c.toString().contains("from-file"), c.toString());
  }
}
