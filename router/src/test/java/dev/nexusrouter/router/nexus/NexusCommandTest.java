package dev.nexusrouter.router.nexus;

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
      assertTrue(r.err().contains("is not accepted"), r.err());
      assertTrue(r.err().contains("--password-file"), r.err());
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
    assertTrue(r.out().contains("nexus-router nexus provision"), r.out());
  }

  @Test
  void anInvalidLayoutListsItsProblemsAndExitsWithOne() throws IOException {
    Path layout =
        Files.writeString(tmp.resolve("layout.yaml"), "repositories: [{name: x}]\nfoo: 1\n");
    Cli r = Cli.run(Map.of("NEXUS_PASSWORD", "p"), "provision", "--layout", layout.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("repositories[0].type: required"), r.err());
    assertTrue(r.err().contains("foo: unknown key"), r.err());
  }

  @Test
  void thePasswordFileWinsOverTheEnvironmentAndLosesItsLineBreak() throws IOException {
    Path f = Files.writeString(tmp.resolve("pw"), "from-file\n");
    Credentials c =
        NexusCommand.credentials(
            Map.of("--password-file", f.toString()),
            Map.of("NEXUS_USER", "deployer", "NEXUS_PASSWORD", "from-env"));
    assertEquals(new Credentials("deployer", "from-file"), c);
    assertFalse(c.toString().contains("from-file"), c.toString());
  }
}
