package dev.nexusrouter.router.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shaded router jar running {@code serve} in its own JVM (capped heap, raised fd limit through
 * {@code sh -c 'ulimit -n N; exec java ...'}, so the shell's pid becomes the JVM's pid). Gives the
 * tests what only a real process has: signals, exit codes, stderr, {@code /proc/<pid>} (fds, RSS).
 */
public final class RouterJvm implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (.*?) \\(upstreams:");
  private static final Pattern ADDRESS = Pattern.compile("https?://[^\\s,]+:(\\d+)( \\(admin\\))?");

  public final Process process;
  public final Path config;
  public final Path stdout;
  public final Path stderr;

  /** Main listener ports in order. */
  public final List<Integer> ports = new ArrayList<>();

  /** The admin port, or -1. */
  public int adminPort = -1;

  private RouterJvm(Process process, Path config, Path stdout, Path stderr) {
    this.process = process;
    this.config = config;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static Path jar() {
    String jar = System.getProperty("router.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new AssertionError("router jar '" + jar + "' missing (run through maven-failsafe)");
    }
    return Path.of(jar);
  }

  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** Writes {@code yaml} to {@code dir/name.yaml} and starts {@code serve --config} on it. */
  public static RouterJvm start(Path dir, String name, String yaml, String heap, int nofile)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    return start(dir, name, config, heap, nofile);
  }

  /** Starts {@code serve --config FILE} on an existing file. */
  public static RouterJvm start(Path dir, String name, Path config, String heap, int nofile)
      throws IOException, InterruptedException {
    return start(dir, name, config, heap, nofile, "");
  }

  /**
   * As {@link #start(Path, String, Path, String, int)}, with {@code shell} (e.g. {@code "umask 000;
   * "}) run before the JVM starts.
   */
  public static RouterJvm start(
      Path dir, String name, Path config, String heap, int nofile, String shell)
      throws IOException, InterruptedException {
    // SIGHUP at its default even when the build itself runs under nohup (which the JVM would
    // otherwise keep ignoring, and the reload tests would wait for a reload that never comes)
    return start(dir, name, config, heap, nofile, shell, "--default-signal=HUP");
  }

  /** As {@link #start(Path, String, Path, String, int)}, started with SIGHUP ignored (nohup). */
  public static RouterJvm startIgnoringHup(Path dir, String name, Path config)
      throws IOException, InterruptedException {
    return start(dir, name, config, "128m", 1024, "", "--ignore-signal=HUP");
  }

  private static RouterJvm start(
      Path dir, String name, Path config, String heap, int nofile, String shell, String signals)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name + ".stdout");
    Path err = dir.resolve(name + ".stderr");
    String cmd =
        shell
            + "ulimit -n "
            + nofile
            + " 2>/dev/null || ulimit -n $(ulimit -Hn); exec env "
            + signals
            + " '"
            + java()
            + "' -Xmx"
            + heap
            + " -XX:+ExitOnOutOfMemoryError -jar '"
            + jar()
            + "' serve --config '"
            + config
            + "'";
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd);
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    RouterJvm r = new RouterJvm(pb.start(), config, out, err);
    try {
      r.awaitListening(Duration.ofSeconds(60));
    } catch (AssertionError | InterruptedException e) {
      r.close();
      throw e;
    }
    return r;
  }

  private void awaitListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(stderrText());
      if (m.find()) {
        Matcher a = ADDRESS.matcher(m.group(1));
        while (a.find()) {
          int port = Integer.parseInt(a.group(1));
          if (a.group(2) != null) {
            adminPort = port;
          } else {
            ports.add(port);
          }
        }
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "router exited " + process.exitValue() + " before listening\n" + stderrText());
      }
      Thread.sleep(50);
    }
    throw new AssertionError("router did not print its listening line\n" + stderrText());
  }

  public int port() {
    return ports.get(0);
  }

  public long pid() {
    return process.pid();
  }

  public String stderrText() {
    return read(stderr);
  }

  public String stdoutText() {
    return read(stdout);
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Sends a signal by name (HUP, USR1, TERM) with the {@code kill} command. */
  public void signal(String name) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-s", name, Long.toString(pid())).start();
    if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
      throw new AssertionError("kill -s " + name + " " + pid() + " failed");
    }
  }

  /** Open file descriptors of the router JVM ({@code /proc/<pid>/fd}). */
  public int openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return (int) s.count();
    }
  }

  /** Resident set size in KiB ({@code VmRSS} of {@code /proc/<pid>/status}), or -1. */
  public long rssKib() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Waits for the process to exit; returns the exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("router still running after " + timeout + "\n" + tail());
    }
    return process.exitValue();
  }

  /** The last lines of stderr, for failure messages. */
  public String tail() {
    String s = stderrText();
    return "---- router stderr (last 4000 chars) ----\n"
        + (s.length() > 4000 ? s.substring(s.length() - 4000) : s);
  }

  /** Polls until the condition holds, failing with {@code what} after {@code timeout}. */
  /** {@link #await} on this router; a timeout also shows the end of its stderr. */
  public void awaitLogged(String what, Duration timeout, BooleanSupplier done)
      throws InterruptedException {
    try {
      await(what, timeout, done);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + tail(), e);
    }
  }

  public static void await(String what, Duration timeout, BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
