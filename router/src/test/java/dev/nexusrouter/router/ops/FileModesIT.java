package dev.nexusrouter.router.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.testing.Configs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code umask 000} the files the router creates are still owner-only: data and TLS folders
 * 0700, keys 0600, the access log 0600 in a 0700 folder, or 0640 in a 0750 folder with its group
 * when {@code access-log.group} is set.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileModesIT {
  @TempDir Path dir;

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  static String primaryGroup() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("id", "-gn").start();
    String g = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "id -gn");
    return g;
  }

  void start(String name, String logTop, RawUpstream g, RawUpstream h, Path log) throws Exception {
    Path data = dir.resolve(name + "-data");
    String yaml =
        Configs.registry(g.url(), h.url(), logTop + "data-dir: \"" + data + "\"\n", "")
            .replace("port: 0}", "port: 0, tls: {}}");
    Path cfg = dir.resolve(name + ".yaml");
    Files.writeString(cfg, yaml);
    try (RouterJvm r = RouterJvm.start(dir, name, cfg, "96m", 1024, "umask 000; ")) {
      RouterJvm.await("the access log", Duration.ofSeconds(20), () -> Files.exists(log));
      assertEquals("rwx------", mode(data), "data-dir");
      assertEquals("rwx------", mode(data.resolve("tls")), "data-dir/tls");
      assertEquals("rw-------", mode(data.resolve("tls/ca.key")));
      assertEquals("rw-------", mode(data.resolve("tls/server.key")));
      assertEquals("rw-r--r--", mode(data.resolve("tls/ca.crt")));
      assertTrue(r.process.isAlive(), r::tail);
    }
  }

  @Test
  void underUmask000TheRoutersFilesAreOwnerOnly() throws Exception {
    try (RawUpstream g = new RawUpstream("g");
        RawUpstream h = new RawUpstream("h")) {
      Path log = dir.resolve("logs/access.log");
      start("private", "access-log: {path: \"" + log + "\"}\n", g, h, log);
      assertEquals("rw-------", mode(log));
      assertEquals("rwx------", mode(log.getParent()));
    }
  }

  @Test
  void aLogGroupGetsReadAccessAndNothingMore() throws Exception {
    String group = primaryGroup();
    try (RawUpstream g = new RawUpstream("g");
        RawUpstream h = new RawUpstream("h")) {
      Path log = dir.resolve("grouplogs/access.log");
      start("group", "access-log: {path: \"" + log + "\", group: \"" + group + "\"}\n", g, h, log);
      assertEquals("rw-r-----", mode(log));
      assertEquals("rwxr-x---", mode(log.getParent()));
      PosixFileAttributes a = Files.readAttributes(log, PosixFileAttributes.class);
      assertEquals(group, a.group().getName());
    }
  }
}
