package dev.nexusrouter.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.migrate.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented migration, as commands: {@code import-nginx}, then {@code check} accepts it. */
class ImportThenCheckTest {
  @TempDir Path dir;

  @Test
  void checkAcceptsWhatImportNginxWroteForTheSeed() throws Exception {
    Path seed = Fixtures.copy("seed", dir);
    Path out = dir.resolve("config.yaml");
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
    PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8);
    int rc =
        Main.run(
            new String[] {
              "import-nginx", seed.resolve("nginx.conf").toString(), "--out", out.toString()
            },
            po,
            pe);
    assertEquals(0, rc, e.toString(StandardCharsets.UTF_8));
    assertTrue(o.toString(StandardCharsets.UTF_8).contains("next: read the lines above"));
    o.reset();
    rc = Main.run(new String[] {"check", out.toString()}, po, pe);
    assertEquals(0, rc, e.toString(StandardCharsets.UTF_8));
    assertEquals(
        out + ": OK (1 listener(s), 2 host(s), 3 upstream(s))\n",
        o.toString(StandardCharsets.UTF_8));
  }
}
