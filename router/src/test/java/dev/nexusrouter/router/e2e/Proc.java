package dev.nexusrouter.router.e2e;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A subprocess whose stdout and stderr go to one log file; every wait is bounded, and {@link
 * #close()} kills the process (and its descendants) if it still runs.
 */
final class Proc implements AutoCloseable {
  final String name;
  final Process process;
  final Path log;

  private Proc(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static Proc start(String name, Path log, List<String> command) throws IOException {
    return start(name, log, command, null);
  }

  static Proc start(String name, Path log, List<String> command, Path workDir) throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    Files.writeString(
        log,
        "$ " + String.join(" ", command) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    return new Proc(name, pb.start(), log);
  }

  /** Runs a command to completion (bounded); returns its exit code. Output goes to {@code log}. */
  static Proc run(String name, Path log, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Proc p = start(name, log, List.of(command));
    if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.close();
      throw new AssertionError(name + " did not finish within " + timeout + "\n" + tail(log, 40));
    }
    return p;
  }

  /** Runs a command and fails with its output tail unless it exits 0. */
  static void runOk(String name, Path log, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Proc p = run(name, log, timeout, command);
    int rc = p.process.exitValue();
    if (rc != 0) {
      throw new AssertionError(
          name + " exited " + rc + ": " + String.join(" ", command) + "\n" + tail(log, 40));
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  String tail(int lines) {
    return tail(log, lines);
  }

  /** The last {@code lines} lines of a (possibly large) log file, never more than 64 KiB. */
  static String tail(Path file, int lines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - 65536);
      byte[] b = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(b);
      String[] all = new String(b, StandardCharsets.UTF_8).split("\n", -1);
      List<String> out = new ArrayList<>();
      for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
        out.add(all[i]);
      }
      return "---- last " + lines + " lines of " + file + " ----\n" + String.join("\n", out);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
