package dev.nexusrouter.router.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken nginx input: one clear message naming the file and line, exit 1, no stack trace. */
class ImportNginxErrorsTest {
  @TempDir Path dir;

  private Fixtures.Run run(String text) throws Exception {
    Path f = dir.resolve("nginx.conf");
    Files.writeString(f, text);
    return Fixtures.importNginx(f.toString());
  }

  private static void fails(Fixtures.Run r, String expected) {
    assertEquals(1, r.code(), r.err());
    assertEquals("", r.out());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in:\n" + r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void unclosedBlockNamesWhereItOpened() throws Exception {
    fails(
        run("http {\n  server {\n    listen 80;\n\n"),
        "nginx.conf:5: unexpected end of file: the block opened at line 2 has no closing '}'");
  }

  @Test
  void extraClosingBraceNamesItsLine() throws Exception {
    fails(run("events {}\n}\nhttp {}\n"), "nginx.conf:2: unexpected '}' (no block is open)");
  }

  @Test
  void missingSemicolonBeforeBrace() throws Exception {
    fails(
        run("http {\n  server {\n    listen 80\n  }\n}\n"),
        "nginx.conf:4: unexpected '}': 'listen' is missing its ';'");
  }

  @Test
  void missingIncludeNamesTheFileAndLine() throws Exception {
    fails(
        run("events {}\nhttp {\n  include snippets/nope.conf;\n}\n"),
        "nginx.conf:3: include 'snippets/nope.conf': no such file");
  }

  @Test
  void globIncludeWithoutMatchesIsFineAsInNginx() throws Exception {
    Fixtures.Run r =
        run(
            "http {\n include conf.d/*.conf;\n server { listen 80; server_name a.test;\n"
                + " location / { proxy_pass http://127.0.0.1:8081; } }\n}\n");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("kind: ui"), r.out());
  }

  @Test
  void unterminatedQuote() throws Exception {
    fails(
        run("http {\n  server_name \"a.test;\n}\n"),
        "nginx.conf:2: unterminated \"quoted string\"");
  }

  @Test
  void includeLoopIsStopped() throws Exception {
    Files.writeString(dir.resolve("a.conf"), "include nginx.conf;\n");
    fails(run("include a.conf;\n"), "nested more than");
  }

  @Test
  void quotingEscapesAndCommentsFollowNginx() throws Exception {
    Fixtures.Run r =
        run(
            "http { # comment { not a block\n"
                + "  server { listen 80; server_name 'a.test' \"b.test\";  # names\n"
                + "    location / { proxy_pass http://127.0.0.1:8081; proxy_set_header X-A \"x\\\"y;z\"; }\n"
                + "  }\n}\n");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("server-names: [\"a.test\", \"b.test\"]"), r.out());
    assertTrue(r.err().contains("proxy_set_header X-A 'x\"y;z';"), r.err());
  }

  @Test
  void usageErrors() {
    assertEquals(2, Fixtures.importNginx().code());
    assertEquals(2, Fixtures.importNginx("a", "b").code());
    assertEquals(2, Fixtures.importNginx("a", "--admin-port", "x").code());
    assertEquals(2, Fixtures.importNginx("a", "--admin-port", "70000").code());
    Fixtures.Run usage = Fixtures.importNginx("a", "--bogus");
    assertEquals(2, usage.code());
    assertTrue(
        usage.err().endsWith("Run 'import-nginx --help' for usage.\n"),
        "one hint line:\n" + usage.err());
    Fixtures.Run r = Fixtures.importNginx(dir.resolve("none.conf").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("none.conf: no such file or directory"), r.err());
  }
}
