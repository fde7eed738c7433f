package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real-part rule: a test that needs an external binary FAILS when it is missing and {@code
 * CI=true}, and is skipped (JUnit assumption) only on a developer machine where CI is unset.
 */
public final class RealParts {
  private RealParts() {}

  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Returns the absolute path of {@code binary} on PATH (or an absolute path as given). */
  public static Path require(String binary) {
    Path found = find(binary);
    if (found == null) {
      String msg = "required binary '" + binary + "' is not installed (PATH or absolute path)";
      if (onCi()) {
        fail(msg + "; CI=true, so this is a failure, not a skip");
      }
      Assumptions.abort(msg + "; skipped because CI is not set");
    }
    return found;
  }

  /** Root only (e.g. containerd): under CI a failure, on a developer machine a skip. */
  public static void requireRoot(String why) {
    Object uid;
    try {
      uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (java.io.IOException e) {
      uid = "unknown";
    }
    if (!Integer.valueOf(0).equals(uid)) {
      String msg = why + " needs root; running as uid " + uid;
      if (onCi()) {
        fail(msg + "; CI=true, so this is a failure, not a skip");
      }
      Assumptions.abort(msg + "; skipped because CI is not set");
    }
  }

  public static Path find(String binary) {
    if (binary.contains("/")) {
      Path p = Path.of(binary);
      return Files.isExecutable(p) ? p : null;
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, binary);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
