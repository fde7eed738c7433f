package dev.nexusrouter.router.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.Texts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-host access logs (nginx's server-level access_log): a host's own log replaces the top-level
 * one for its requests; other hosts still write the top-level log; SIGUSR1's reopen covers both.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostAccessLogIT {
  @TempDir Path dir;

  /** One request with the given Host header; returns the status code. */
  static int get(int port, String host, String path) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String status =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void aHostsOwnLogReplacesTheTopLevelOne() throws Exception {
    Path top = dir.resolve("top.log");
    Path reg = dir.resolve("registry.log");
    Path ui = dir.resolve("ui.log");
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      String yaml =
          "listeners:\n  - {address: 127.0.0.1, port: 0}\n"
              + "upstreams:\n"
              + "  group: {servers: [\""
              + fakes.group.url()
              + "\"]}\n"
              + "  hosted: {servers: [\""
              + fakes.hosted.url()
              + "\"]}\n"
              + "hosts:\n"
              + "  - {server-names: [registry.test], default: true, group: group, hosted: hosted,"
              + " access-log: {path: \""
              + reg
              + "\"}}\n"
              + "  - {server-names: [other.test], group: group, hosted: hosted}\n"
              + "  - {server-names: [quiet.test], group: group, hosted: hosted,"
              + " access-log: {path: \"off\"}}\n"
              + "access-log: {path: \""
              + top
              + "\"}\n";
      try (RouterServer r = Configs.inProcess(dir, yaml)) {
        int port = r.port(0);
        assertEquals(200, get(port, "registry.test", "/v2/team/reg/manifests/1"));
        assertEquals(200, get(port, "other.test", "/v2/team/other/manifests/1"));
        assertEquals(200, get(port, "quiet.test", "/v2/team/quiet/manifests/1"));
        String regLog = Texts.awaitInFile(reg, "team/reg");
        String topLog = Texts.awaitInFile(top, "team/other");
        assertTrue(regLog.contains("team/reg"), regLog);
        assertFalse(regLog.contains("team/other"), regLog);
        assertFalse(topLog.contains("team/reg"), "the host's own log replaces the top one");
        assertFalse(topLog.contains("team/quiet"), "access-log off on a host silences it");
        Files.move(reg, dir.resolve("registry.log.1"));
        r.reopenAccessLog();
        assertEquals(200, get(port, "registry.test", "/v2/team/after/manifests/1"));
        assertTrue(
            Texts.awaitInFile(reg, "team/after").contains("team/after"), "reopened after rotation");
        assertFalse(Files.exists(ui));
      }
    }
  }
}
