package dev.nexusrouter.router.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.testing.Configs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code check} finds that only the machine can say. Every fixed port here is one this test
 * holds itself (an ephemeral port bound on loopback), so nothing else on the machine is touched.
 */
class PreflightTest {
  @TempDir Path dir;
  ServerSocket held;
  int port;

  @BeforeEach
  void hold() throws IOException {
    held = new ServerSocket();
    held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    port = held.getLocalPort();
  }

  @AfterEach
  void release() throws IOException {
    held.close();
  }

  RouterConfig load(String listenerAddress, int listenerPort, String top) throws IOException {
    return loadYaml(
        Configs.registry("http://127.0.0.1:1", "http://127.0.0.1:2", top, "")
            .replace(
                "{address: 127.0.0.1, port: 0}",
                "{address: \"" + listenerAddress + "\", port: " + listenerPort + "}"));
  }

  RouterConfig loadYaml(String yaml) throws IOException {
    Path f = Files.createTempFile(dir, "c", ".yaml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return ConfigLoader.load(f);
  }

  @Test
  void aValidConfigOnFreePortsHasNoProblems() throws IOException {
    assertEquals(List.of(), Preflight.all(load("127.0.0.1", 0, "")));
  }

  @Test
  void aPortInUseIsNamedWithItsSocket() throws IOException {
    List<String> p = Preflight.all(load("127.0.0.1", port, ""));
    assertEquals(1, p.size(), p.toString());
    assertTrue(
        p.get(0).startsWith("listeners[0] (listener-0) 127.0.0.1:" + port + ": cannot bind"),
        p.get(0));
  }

  @Test
  void theSameSocketForAListenerAndTheAdminIsOneProblem() throws IOException {
    List<String> p =
        Preflight.all(load("127.0.0.1", port, "admin: {address: 127.0.0.1, port: " + port + "}\n"));
    assertTrue(
        p.contains(
            "admin 127.0.0.1:"
                + port
                + ": the same socket as listeners[0] (listener-0) 127.0.0.1:"
                + port),
        p.toString());
  }

  @Test
  void aWildcardAndASpecificAddressCannotShareAPort() throws IOException {
    List<String> p =
        Preflight.all(load("0.0.0.0", port, "admin: {address: 127.0.0.1, port: " + port + "}\n"));
    assertTrue(
        p.stream().anyMatch(s -> s.contains("a wildcard and another address cannot share")),
        p.toString());
  }

  @Test
  void anAddressThatIsNotThisMachinesIsRefused() throws IOException {
    // 203.0.113.0/24 is reserved for documentation (RFC 5737): never a local address
    assertEquals(
        List.of(
            "listeners[0] (listener-0) 203.0.113.7:0: 203.0.113.7 is not an address of this"
                + " machine"),
        Preflight.all(load("203.0.113.7", 0, "")));
  }

  @Test
  void aMissingDownloadFolderIsAProblemForCheckAndForAReload() throws IOException {
    Path missing = dir.resolve("no-such-folder");
    RouterConfig c = load("127.0.0.1", 0, "");
    RouterConfig ui =
        loadYaml(
            Configs.registry("http://127.0.0.1:1", "http://127.0.0.1:2", "", "")
                + "  - {server-names: [ui.local], kind: ui, upstream: hosted, download-dir: \""
                + missing
                + "\"}\n");
    assertEquals(
        List.of("hosts[1].download-dir: folder does not exist: " + missing.toAbsolutePath()),
        Preflight.all(ui));
    ConfigException e = assertThrows(ConfigException.class, () -> Preflight.check(ui, "x.yaml"));
    assertTrue(e.report().startsWith("x.yaml: 1 problem"), e.report());
    try (RouterServer r = RouterServer.start(c, Clock.systemUTC())) {
      ConfigException refused = assertThrows(ConfigException.class, () -> r.reload(ui));
      assertTrue(refused.report().contains("download-dir: folder does not exist"));
      assertEquals(c, r.config(), "the running configuration stays");
    }
  }

  @Test
  void aBindFailureAtStartNamesTheSocket() throws IOException {
    RouterConfig c = load("127.0.0.1", port, "");
    IOException e = assertThrows(IOException.class, () -> RouterServer.start(c, Clock.systemUTC()));
    assertTrue(
        e.getMessage().contains("listeners[0] (listener-0) 127.0.0.1:" + port), e.getMessage());
  }
}
