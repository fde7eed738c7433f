package dev.nexusrouter.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aWriteReplacesTheFileWholeWithItsExactModeAndLeavesNoTempFile() throws Exception {
    Path f = dir.resolve("key.pem");
    Files.writeString(f, "old");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxrwxrwx"));
    AtomicFiles.write(f, "new".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
    assertEquals("rw-------", mode(f));
    AtomicFiles.write(f, "pub".getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
    assertEquals("rw-r--r--", mode(f));
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temp file left behind");
    }
  }

  @Test
  void createdFoldersGetTheirExactModeAndExistingOnesKeepTheirs() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path deep = dir.resolve("a/b/c");
    AtomicFiles.createDirectories(deep, AtomicFiles.OWNER_ONLY_DIR);
    assertEquals("rwx------", mode(dir.resolve("a")));
    assertEquals("rwx------", mode(deep));
    assertEquals("rwxr-xr-x", mode(dir));
    AtomicFiles.createDirectories(dir.resolve("p/q"), AtomicFiles.PUBLIC_DIR);
    assertEquals("rwxr-xr-x", mode(dir.resolve("p/q")));
  }
}
