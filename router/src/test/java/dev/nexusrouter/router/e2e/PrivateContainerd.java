package dev.nexusrouter.router.e2e;

import dev.nexusrouter.router.testing.RealParts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A containerd daemon of the test's own: root, state, sockets and log in one temporary directory,
 * no CRI plugin, no debug or metrics listener. Started once {@code ctr version} answers on its
 * socket.
 */
final class PrivateContainerd implements AutoCloseable {
  private static final Duration STEP = Duration.ofSeconds(120);

  /** The daemon's directory: config, root, state, sockets, logs. */
  final Path dir;

  private final Path ctr;
  private final Path socket;
  private final Proc daemon;

  private PrivateContainerd(Path dir, Path ctr, Path socket, Proc daemon) {
    this.dir = dir;
    this.ctr = ctr;
    this.socket = socket;
    this.daemon = daemon;
  }

  static PrivateContainerd start(Path dir) throws Exception {
    Path binary = RealParts.require("containerd");
    Path ctr = RealParts.require("ctr");
    RealParts.requireRoot("containerd");
    Files.createDirectories(dir);
    Path socket = dir.resolve("containerd.sock");
    Path config = dir.resolve("config.toml");
    Files.writeString(
        config,
        "version = 2\n"
            + ("root = \"" + dir.resolve("root") + "\"\n")
            + ("state = \"" + dir.resolve("state") + "\"\n")
            + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
            + ("[grpc]\n  address = \"" + socket + "\"\n")
            + ("[ttrpc]\n  address = \"" + dir.resolve("ttrpc.sock") + "\"\n")
            + "[debug]\n  address = \"\"\n"
            + "[metrics]\n  address = \"\"\n");
    Proc daemon =
        Proc.start(
            "containerd",
            dir.resolve("containerd.log"),
            List.of(binary.toString(), "--config", config.toString()));
    PrivateContainerd d = new PrivateContainerd(dir, ctr, socket, daemon);
    try {
      d.awaitReady();
    } catch (Exception | AssertionError e) {
      d.close();
      throw e;
    }
    return d;
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Proc v = Proc.run("ctr version", dir.resolve("ctr-version.log"), STEP, ctr("version"));
      if (v.process.exitValue() == 0) {
        return;
      }
      if (!daemon.alive() || System.nanoTime() > deadline) {
        throw new AssertionError("containerd did not come up\n" + daemon.tail(40));
      }
      Thread.sleep(200);
    }
  }

  /** A {@code ctr} command line on this daemon, namespace e2e. */
  String[] ctr(String... args) {
    List<String> c =
        new ArrayList<>(
            List.of(ctr.toString(), "--address", socket.toString(), "--namespace", "e2e"));
    c.addAll(List.of(args));
    return c.toArray(String[]::new);
  }

  /** The last lines of the daemon's log. */
  String tail(int lines) {
    return daemon.tail(lines);
  }

  @Override
  public void close() {
    daemon.close();
  }
}
