package dev.nexusrouter.router;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void versionAndHelp() {
    assertEquals(0, run("--version"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("nexus-router "));
    assertEquals(0, run("--help"));
    String top = out.toString(StandardCharsets.UTF_8);
    for (String command :
        new String[] {"serve", "check", "routes", "nexus", "certs", "import-nginx"}) {
      assertTrue(top.contains("\n  " + command + " "), top);
    }
  }

  @Test
  void everyCommandHasItsOwnHelpAndVersion() {
    String[][] commands = {
      {"serve"},
      {"check"},
      {"routes"},
      {"nexus"},
      {"nexus", "provision"},
      {"nexus", "status"},
      {"nexus", "router-config"},
      {"certs"},
      {"certs", "init"},
      {"certs", "client-setup"},
      {"import-nginx"}
    };
    for (String[] c : commands) {
      for (String help : new String[] {"--help", "-h"}) {
        out.reset();
        String[] args = java.util.Arrays.copyOf(c, c.length + 1);
        args[c.length] = help;
        assertEquals(0, run(args), String.join(" ", args));
        String usage = out.toString(StandardCharsets.UTF_8);
        assertTrue(
            usage.startsWith("Usage: nexus-router " + String.join(" ", c) + " "),
            String.join(" ", args) + " printed:\n" + usage);
      }
      out.reset();
      String[] args = java.util.Arrays.copyOf(c, c.length + 1);
      args[c.length] = "--version";
      assertEquals(0, run(args), String.join(" ", args));
      assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("nexus-router "));
    }
  }

  @Test
  void importNginxIsAPicocliCommandWithVersionAndTheUsualUsageError() {
    assertEquals(0, run("import-nginx", "-V"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("nexus-router "));
    assertEquals(2, run("import-nginx", "nginx.conf", "--bogus"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.endsWith("Run 'nexus-router import-nginx --help' for usage.\n"), e);
    assertFalse(e.contains("Usage:"), e);
  }

  @Test
  void anExistingRunMethodIsOneLineInTheTree() {
    java.util.List<String> seen = new java.util.ArrayList<>();
    var tree = Main.commandLine(System.out, System.err, java.util.Map.of());
    tree.addSubcommand(
        dev.nexusrouter.router.cli.Commands.external(
            "echo-args",
            "test tool",
            (args, o, e) -> {
              seen.addAll(java.util.List.of(args));
              return 7;
            },
            System.out,
            System.err));
    assertEquals(7, tree.execute("echo-args", "--help", "-x", "file.conf"));
    assertEquals(java.util.List.of("--help", "-x", "file.conf"), seen);
  }

  @Test
  void checkListsEveryProblemAndFails() throws Exception {
    Path cfg = dir.resolve("bad.yaml");
    Files.writeString(
        cfg,
        "listeners: [{port: 99999}]\nupstreams: {g: {servers: [http://a:1]}}\n"
            + "hosts: [{server-names: [x], group: g, hosted: nope}]\nextra: 1\n");
    assertEquals(1, run("check", cfg.toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertContains(
        e, "listeners[0].port", "hosts[0].hosted: undefined upstream 'nope'", "extra: unknown key");
    assertFalse(e.contains("Exception") || e.contains("\tat "), "no stack trace: " + e);
  }

  @Test
  void serveRefusesAnInvalidConfigWithTheSameReport() throws Exception {
    Path cfg = dir.resolve("bad.yaml");
    Files.writeString(cfg, "listeners: []\n");
    assertEquals(1, run("serve", "--config", cfg.toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertContains(
        e,
        "refusing to start",
        "listeners: at least one listener is required",
        "hosts: at least one host is required");
  }

  /** The forms read without picocli, and look-alikes that must still reach it. */
  @Test
  void serveAsServicesRunItSkipsTheCommandTreeAndNothingElseDoes() {
    assertEquals(new Main.QuickServe(null), Main.QuickServe.of(new String[] {"serve"}));
    assertEquals(new Main.QuickServe("f"), Main.QuickServe.of(new String[] {"serve", "-c", "f"}));
    assertEquals(
        new Main.QuickServe("f"), Main.QuickServe.of(new String[] {"serve", "--config", "f"}));
    assertEquals(
        new Main.QuickServe("f"), Main.QuickServe.of(new String[] {"serve", "--config=f"}));
    for (String[] other :
        new String[][] {
          {},
          {"routes", "-c", "f"},
          {"serve", "--help"},
          {"serve", "-V"},
          {"serve", "--config"},
          {"serve", "-c", "--help"},
          {"serve", "-cf"},
          {"serve", "-c", "f", "extra"},
          {"serve", "--config", "a", "--config", "b"},
          {"serve", "--conf", "f"},
          {"serve", "-c", "@args"},
          {"serve", "@args"}
        }) {
      assertEquals(null, Main.QuickServe.of(other), String.join(" ", other));
    }
  }

  /** Both ways into serve read the same file and refuse it with the same report. */
  @Test
  void everyFormOfServeRefusesAnInvalidConfigAlike() throws Exception {
    Path cfg = dir.resolve("bad.yaml");
    Files.writeString(cfg, "listeners: []\n");
    String expected = null;
    for (String[] args :
        new String[][] {
          {"serve", "--config", cfg.toString()}, // without picocli
          {"serve", "--config=" + cfg},
          {"-c", cfg.toString()},
          {"serve", "-c" + cfg} // clustered: picocli
        }) {
      err.reset();
      assertEquals(1, run(args), String.join(" ", args));
      String e = err.toString(StandardCharsets.UTF_8);
      assertContains(e, "refusing to start", "listeners: at least one listener is required");
      if (expected == null) {
        expected = e;
      }
      assertEquals(expected, e, String.join(" ", args));
    }
  }

  @Test
  void checkAcceptsAValidConfig() throws Exception {
    Path cfg = dir.resolve("ok.yaml");
    Files.writeString(
        cfg,
        "listeners: [{address: 127.0.0.1, port: 0}]\n"
            + "upstreams: {g: {servers: [http://a:1]}, h: {servers: [http://a:2]}}\n"
            + "hosts: [{server-names: [x], group: g, hosted: h}]\n");
    assertEquals(0, run("check", cfg.toString()));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("OK"));
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run("check"));
    assertEquals(2, run("frobnicate"));
    assertEquals(2, run("serve", "--config"));
  }

  @Test
  void routesPrintsTheEffectiveTable() {
    assertEquals(0, run("routes"));
    String o = out.toString(StandardCharsets.UTF_8);
    assertContains(
        o,
        "R9p: HEAD manifest when accept-one -> hosted",
        "R9h: HEAD manifest -> hosted-then-group",
        "R13: any any -> legacy (unclassified)");
    // the same printer as the admin /routes page: UI hosts are listed too
    assertTrue(o.contains("(ui -> ui)"), o);
  }
}
