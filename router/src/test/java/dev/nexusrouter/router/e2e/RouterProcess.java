package dev.nexusrouter.router.e2e;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shaded router jar in its own JVM with a capped heap, so a router that buffered a body would
 * die ({@code -XX:+ExitOnOutOfMemoryError}) instead of passing. The port comes from the start-up
 * line on stderr ({@code nexus-router VERSION listening on http://127.0.0.1:PORT (upstreams:
 * ...)}).
 */
final class RouterProcess implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (https?)://([^\\s,:]+):(\\d+)");

  final Proc proc;
  final int port;

  private RouterProcess(Proc proc, int port) {
    this.proc = proc;
    this.port = port;
  }

  static Path jar() {
    String jar = System.getProperty("router.jar");
    assertNotNull(jar, "system property router.jar is not set (run through maven-failsafe)");
    Path p = Path.of(jar);
    if (!Files.isRegularFile(p)) {
      throw new AssertionError("router jar " + p + " does not exist (mvn package builds it)");
    }
    return p;
  }

  static RouterProcess start(Path dir, String name, String yaml, String heap)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Proc p =
        Proc.start(
            name,
            dir.resolve(name + ".log"),
            List.of(
                java.toString(),
                "-Xmx" + heap,
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                jar().toString(),
                "--config",
                config.toString()));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try {
      while (System.nanoTime() < deadline) {
        Matcher m = LISTENING.matcher(Proc.read(p.log));
        if (m.find()) {
          return new RouterProcess(p, Integer.parseInt(m.group(3)));
        }
        if (!p.alive()) {
          throw new AssertionError(
              "router exited " + p.process.exitValue() + " before listening\n" + p.tail(60));
        }
        Thread.sleep(50);
      }
      throw new AssertionError("router did not print its listening line in 60 s\n" + p.tail(60));
    } catch (AssertionError | InterruptedException e) {
      p.close();
      throw e;
    }
  }

  String tail() {
    return proc.tail(60);
  }

  @Override
  public void close() {
    proc.close();
  }
}
