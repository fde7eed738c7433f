package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real Nexus Repository 3 OSS (Maven Central's {@code nexus-base-template} assembly, unpacked by
 * the build into {@code target/nexus-oss}), started once per test run on 127.0.0.1 with an
 * ephemeral port and a fresh private data directory under {@code target/}, and stopped with SIGTERM
 * when the run ends. Test classes get it as a parameter through {@link Extension}; see
 * docs/nexus.md.
 *
 * <p>Every wait is bounded. A missing assembly follows the real-part rule: a failure under CI, a
 * skip elsewhere.
 */
public final class RealNexus implements AutoCloseable {
  /** Start-up on a busy 2-core machine takes 15-90 s; fail only well beyond that. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(300);

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(120);

  private final Path home;
  private final Path data;
  private final int port;
  private Process process;
  private final List<String> startLog = new ArrayList<>();

  /** Gives test methods and {@code @BeforeAll} methods the run's one {@link RealNexus}. */
  public static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
      return p.getParameter().getType() == RealNexus.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
      return c.getRoot()
          .getStore(ExtensionContext.Namespace.create(RealNexus.class))
          .getOrComputeIfAbsent(RealNexus.class, k -> startShared(), RealNexus.class);
    }
  }

  private RealNexus(Path home, Path data, int port) {
    this.home = home;
    this.data = data;
    this.port = port;
  }

  private static RealNexus startShared() {
    String homeProperty = System.getProperty("nexus.home");
    Path home = homeProperty == null ? null : Path.of(homeProperty);
    if (home == null || !Files.isExecutable(home.resolve("bin/nexus"))) {
      String msg =
          "no Nexus assembly at "
              + homeProperty
              + " (the build unpacks it in pre-integration-test; run through mvn verify)";
      if (RealParts.onCi()) {
        fail(msg + "; CI=true, so this is a failure, not a skip");
      }
      Assumptions.abort(msg + "; skipped because CI is not set");
    }
    Path data = home.getParent().getParent().resolve("nexus-oss-data");
    try {
      deleteTree(data);
      Files.createDirectories(data.resolve("etc"));
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      // application-host/-port are read from the data directory's nexus.properties
      Files.writeString(
          data.resolve("etc/nexus.properties"),
          "application-host=127.0.0.1\napplication-port=" + port + "\n",
          StandardCharsets.UTF_8);
      RealNexus n = new RealNexus(home, data, port);
      n.start();
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL, {@code http://127.0.0.1:PORT}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** The data directory ({@code KARAF_DATA}); {@code admin.password} appears here. */
  public Path data() {
    return data;
  }

  public String version() {
    return System.getProperty("nexus.version", "unknown");
  }

  /**
   * What the last start saw while polling {@code /v1/status}: {@code refused}, {@code timeout} or a
   * status code, in order, with repeats collapsed.
   */
  public List<String> startLog() {
    return List.copyOf(startLog);
  }

  /** Starts Nexus ({@code bin/nexus server}) and waits until {@code /v1/status} answers 200. */
  public void start() throws IOException {
    launch();
    awaitUp();
  }

  /** Starts Nexus without waiting for it. */
  public void launch() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/nexus").toString(), "server");
    pb.environment().put("KARAF_DATA", data.toString());
    // the test JVM's Java (17 in CI): Nexus 3.71 needs 17, and a JAVA_HOME set elsewhere may differ
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("JAVA_MIN_MEM", "1g");
    pb.environment().put("JAVA_MAX_MEM", "1g");
    pb.environment().put("DIRECT_MAX_MEM", "1g");
    // no Karaf shutdown socket: it would listen on a random port and accept a stop command
    pb.environment().put("EXTRA_JAVA_OPTS", "-Dkaraf.shutdown.port=-1");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("console.log").toFile()));
    process = pb.start();
    Process p = process;
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "nexus-kill"));
  }

  /** Waits (bounded) until {@code /v1/status} answers 200; fails if Nexus exits first. */
  public void awaitUp() {
    startLog.clear();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest status =
        HttpRequest.newBuilder(url().resolve("/service/rest/v1/status"))
            .timeout(Duration.ofSeconds(10))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("Nexus exited with " + process.exitValue() + " while starting\n" + consoleTail());
      }
      String seen;
      try {
        int code = http.send(status, HttpResponse.BodyHandlers.discarding()).statusCode();
        seen = Integer.toString(code);
        if (code == 200) {
          note(seen);
          return;
        }
      } catch (ConnectException e) {
        seen = "refused";
      } catch (java.net.http.HttpTimeoutException e) {
        seen = "timeout";
      } catch (IOException e) {
        seen = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for Nexus", e);
      }
      note(seen);
      sleep(Duration.ofMillis(500));
    }
    fail(
        "Nexus did not answer 200 within "
            + START_TIMEOUT
            + " (saw "
            + startLog
            + ")\n"
            + consoleTail());
  }

  private void note(String seen) {
    if (startLog.isEmpty() || !startLog.get(startLog.size() - 1).equals(seen)) {
      startLog.add(seen);
    }
  }

  /** The Nexus JVM (the start script {@code exec}s it), for signals. */
  public Process process() {
    return process;
  }

  /** SIGTERM, then a bounded wait for the JVM to exit (SIGKILL after the timeout). */
  public void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** The last lines of Nexus's own log, for failure messages. */
  public String consoleTail() {
    Path log = data.resolve("log/nexus.log");
    Path file = Files.exists(log) ? log : data.resolve("console.log");
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
