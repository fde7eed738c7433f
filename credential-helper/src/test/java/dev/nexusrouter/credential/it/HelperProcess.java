package dev.nexusrouter.credential.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the launcher (or any binary) as a real subprocess: stdin → stdout, stderr, exit code. */
final class HelperProcess {
  static final Path LAUNCHER = Path.of("src/main/sh/docker-credential-java").toAbsolutePath();
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private HelperProcess() {}

  record Result(int exit, String stdout, String stderr, Duration elapsed) {
    String out() {
      return stdout.trim();
    }
  }

  /** A minimal environment: PATH, JAVA_HOME and the given variables; nothing from the desktop. */
  static Map<String, String> baseEnv(Path home) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    if (System.getenv("JAVA_HOME") != null) {
      env.put("JAVA_HOME", System.getenv("JAVA_HOME"));
    }
    env.put("HOME", home.toString());
    env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
    env.put("LANG", "C.UTF-8");
    return env;
  }

  static Result helper(Map<String, String> env, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(LAUNCHER.toString());
    command.addAll(List.of(args));
    return run(command, env, stdin.getBytes(StandardCharsets.UTF_8), TIMEOUT);
  }

  static Result run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    long start = System.nanoTime();
    try {
      Process p = pb.start();
      CompletableFuture<byte[]> out = drain(p.getInputStream());
      CompletableFuture<byte[]> err = drain(p.getErrorStream());
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      } catch (IOException e) {
        // The process may exit without reading stdin (version, list).
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        fail(command + " did not exit within " + timeout);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new Result(
          p.exitValue(),
          new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
          new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
          elapsed);
    } catch (Exception e) {
      throw new AssertionError("cannot run " + command, e);
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return in.readAllBytes();
          } catch (IOException e) {
            return new byte[0];
          }
        });
  }

  /**
   * A real binary the test needs: missing fails under CI=true, and is only skipped on a developer
   * machine without CI.
   */
  static Path requireBinary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String message = name + " is not installed (Debian package needed; see README, Tests)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    assumeTrue(false, message);
    return null;
  }

  /**
   * The command prefix that runs the rest as user nobody: a stdout pipe the test (root) created is
   * then another user's, as under {@code sudo -u}. Needs root (CI runs as root).
   */
  static List<String> asNobody() {
    Path setpriv = requireBinary("setpriv");
    String message = "switching to user nobody needs root";
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    assumeTrue(root, message);
    return List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", "--");
  }

  /**
   * Copies files into {@code dir} readable by every user (the checkout may sit in root's home), and
   * returns the copies in order.
   */
  static List<Path> worldReadableCopies(Path dir, Path... files) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<Path> copies = new ArrayList<>();
    for (Path file : files) {
      Path copy = dir.resolve(file.getFileName());
      Files.copy(file, copy);
      Files.setPosixFilePermissions(
          copy,
          PosixFilePermissions.fromString(Files.isExecutable(file) ? "rwxr-xr-x" : "rw-r--r--"));
      copies.add(copy);
    }
    return copies;
  }

  static void assertLauncherBuilt() {
    assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is not executable");
    assertTrue(
        Files.exists(Path.of("target/docker-credential-java.jar")),
        "target/docker-credential-java.jar missing: run mvn verify (package precedes integration-test)");
  }
}
