package dev.nexusrouter.router.migrate;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy of another machine's /etc/nginx (fixture "copied-etc"): absolute includes are read under
 * --prefix, never from this machine, and the report names every file it read by its full path.
 */
class ImportNginxPrefixTest {
  @TempDir Path dir;

  @Test
  void prefixReadsAbsoluteIncludesFromTheCopiedTree() throws Exception {
    Path root = Fixtures.copy("copied-etc", dir);
    Path main = root.resolve("etc/nginx/nginx.conf");
    Fixtures.Run r = Fixtures.importNginx(main.toString(), "--prefix", root.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("server-names: [\"copied.example\"]"), r.out());
    String report = r.err();
    assertTrue(report.startsWith("import-nginx: "), report);
    assertTrue(report.contains("files read:\n  nginx.conf\n"), report);
    assertTrue(
        report.contains(
            "  /opt/fixture-shared/proxy.conf  ("
                + root.resolve("opt/fixture-shared/proxy.conf")
                + ")"),
        report);
    assertContains(
        report,
        "/opt/fixture-shared/proxy.conf:1  proxy_buffering off;",
        "\n  sites-enabled/registry\n",
        "sites-enabled/registry:2  server_name copied.example;");
  }

  @Test
  void withoutPrefixAnAbsoluteIncludeIsLookedUpOnThisMachineAndNamedInFull() throws Exception {
    Path root = Fixtures.copy("copied-etc", dir);
    Fixtures.Run r = Fixtures.importNginx(root.resolve("etc/nginx/nginx.conf").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(
        r.err().contains("include '/opt/fixture-shared/proxy.conf': no such file (looked in /)"),
        r.err());
  }

  @Test
  void aMissingPrefixDirectoryIsAnError() throws Exception {
    Path root = Fixtures.copy("copied-etc", dir);
    Fixtures.Run r =
        Fixtures.importNginx(
            root.resolve("etc/nginx/nginx.conf").toString(),
            "--prefix",
            dir.resolve("nope").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("nope: no such directory"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }
}
