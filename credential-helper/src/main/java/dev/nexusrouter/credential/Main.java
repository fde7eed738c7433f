package dev.nexusrouter.credential;

import dev.nexusrouter.common.BuildInfo;
import dev.nexusrouter.credential.dbus.BusConnection;
import dev.nexusrouter.credential.dbus.NativeOutput;
import dev.nexusrouter.credential.dockerconfig.ConfigureCommand;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Protocol;
import dev.nexusrouter.credential.protocol.StoreException;
import dev.nexusrouter.credential.store.BackendSelector;
import dev.nexusrouter.credential.store.Settings;
import dev.nexusrouter.credential.store.SystemBackends;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code docker-credential-java}: the protocol actions, plus {@code doctor} and {@code configure}.
 * The only place that ends the process, on every path ({@code Runtime.halt}): D-Bus threads would
 * otherwise keep the JVM, and the {@code docker pull} waiting for it, alive. A watchdog ends a
 * protocol call that a hung keyring never answers.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    OutputStream out = new BufferedOutputStream(protocolOutput(), 1 << 16);
    Map<String, String> env = System.getenv();
    String osName = System.getProperty("os.name", "");
    Path home = home();
    List<String> argList = Arrays.asList(args);
    int code;
    if (argList.equals(List.of(AotTraining.ACTION))) {
      code = AotTraining.run(System.in, env, osName, home);
    } else if (argList.equals(List.of(AotTraining.WRITE_ACTION))) {
      code = AotTraining.runWrites(System.in, env, osName, home);
    } else {
      code = invoke(argList, System.in, out, env, osName, home);
    }
    // Under the watchdog's lock: the client sees either the answer or the timeout line, not both.
    synchronized (EXIT_LOCK) {
      try {
        out.flush();
      } catch (IOException e) {
        code = code == 0 ? 1 : code;
      }
      System.err.flush();
      // halt, not exit: every store is closed and the answer flushed by now, the helper registers
      // no shutdown hooks, and System.exit would first set up the JDK's logging (it logs the exit
      // at debug level) by scanning the 13 MB jar for a LoggerFinder: ~8 ms of every pull.
      Runtime.getRuntime().halt(code);
    }
  }

  private static final Object EXIT_LOCK = new Object();

  /** Set by the launchers when they moved the protocol channel off fd 1 (see below). */
  static final String PROTOCOL_FD = "docker-credential-java.protocol-fd";

  /**
   * Where answers go. HotSpot prints its crash banner on fd 1 whatever the flags say, so the
   * launchers hand the client's stdout over as fd 3 and point fd 1 at stderr: a crash can then
   * never put anything but protocol output on the channel clients parse. Without them, plain
   * stdout. Once the channel has moved, fd 1 is stderr: an answer must never fall back to it.
   */
  private static OutputStream protocolOutput() {
    String property = System.getProperty(PROTOCOL_FD);
    if (property == null || property.isEmpty()) {
      return new FileOutputStream(FileDescriptor.out);
    }
    int fd;
    try {
      fd = Integer.parseInt(property);
    } catch (NumberFormatException e) {
      return new NoChannel(property, "not a descriptor number");
    }
    // The packaged library writes the inherited descriptor itself; the plain jar can only reopen
    // it, which the plain launcher checks first ([ -w /dev/stdout ]).
    OutputStream direct = NativeOutput.open(fd);
    if (direct != null) {
      return direct;
    }
    try {
      return new FileOutputStream("/dev/fd/" + fd, true);
    } catch (IOException e) {
      return new NoChannel(property, e.getMessage());
    }
  }

  /**
   * The protocol channel could not be opened: nothing is answered (exit 1), and stderr says why.
   * Writing the answer to fd 1 instead would put it on stderr.
   */
  private static final class NoChannel extends OutputStream {
    NoChannel(String fd, String reason) {
      System.err.println(
          "docker-credential-java: cannot write to the protocol channel (fd "
              + fd
              + ": "
              + reason
              + "); no answer is given");
      System.err.flush();
    }

    @Override
    public void write(int b) throws IOException {
      throw new IOException("no protocol channel");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throw new IOException("no protocol channel");
    }
  }

  /**
   * One invocation as the process runs it: the watchdog for protocol actions, then {@link #run};
   * never throws, never exits. {@link AotTraining} replays the hot paths through here.
   */
  static int invoke(
      List<String> args,
      InputStream in,
      OutputStream out,
      Map<String, String> env,
      String osName,
      Path home) {
    Watchdog watchdog = null;
    if (args.size() == 1 && WATCHED.contains(args.get(0))) {
      Duration deadline = deadline(env, osName, home);
      watchdog = Watchdog.start(deadline, () -> timedOut(deadline));
    }
    try {
      return run(args, in, out, System.err, env, osName, home);
    } catch (Throwable t) { // NOPMD: the last line of defence prints one line, never a trace
      return internalError(out, t);
    } finally {
      if (watchdog != null) {
        watchdog.cancel();
      }
    }
  }

  /** The protocol actions a client waits on with no timeout of its own. */
  private static final List<String> WATCHED = List.of("get", "store", "erase", "list");

  /** The configured call timeout; a broken config file is reported later, by run. */
  private static Duration deadline(Map<String, String> env, String osName, Path home) {
    try {
      return Settings.load(env, osName, home).callTimeout();
    } catch (StoreException e) {
      return Watchdog.FALLBACK;
    }
  }

  /** $HOME first, like the Go helpers and docker; the JVM's user.home ignores it. */
  private static Path home() {
    String home = System.getenv("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home", "."));
  }

  /** Runs one invocation and returns its exit code; never exits. */
  public static int run(
      List<String> args,
      InputStream in,
      OutputStream out,
      PrintStream err,
      Map<String, String> env,
      String osName,
      Path home)
      throws IOException {
    Settings[] settings = new Settings[1];
    CredentialStore[] opened = new CredentialStore[1];
    Protocol.StoreOpener opener =
        () -> opened[0] = selector(settings, env, osName, home, err).open();
    try {
      return dispatch(args, in, out, err, env, osName, home, opener);
    } finally {
      if (opened[0] != null) {
        opened[0].close(); // lets the JVM exit without waiting on a blocked D-Bus reader
      }
    }
  }

  private static int dispatch(
      List<String> args,
      InputStream in,
      OutputStream out,
      PrintStream err,
      Map<String, String> env,
      String osName,
      Path home,
      Protocol.StoreOpener opener)
      throws IOException {
    if (!args.isEmpty() && args.get(0).equals("doctor")) {
      return doctor(out, env, osName, home);
    }
    if (args.equals(List.of(CdsTraining.ACTION))) {
      return CdsTraining.run(env, osName, home);
    }
    if (!args.isEmpty() && args.get(0).equals("configure")) {
      return new ConfigureCommand(env, home, opener)
          .run(args.subList(1, args.size()), print(out), err);
    }
    try {
      return new Protocol(opener, BuildInfo::version).run(args, in, out);
    } catch (RuntimeException | LinkageError e) {
      // java-keyring and secret-service throw unchecked exceptions for a broken keyring.
      return internalError(out, e);
    }
  }

  /** The watchdog's way out: one line for the client, then exit without waiting for anything. */
  /**
   * Writes past the answer buffer, straight to fd 1: whatever the call buffered so far is dropped
   * with the process, so the client reads one error line and exit code 1.
   */
  private static void timedOut(Duration deadline) {
    synchronized (EXIT_LOCK) {
      try {
        protocolOutput()
            .write(
                ("docker-credential-java: the credential store did not answer within "
                        + deadline.toSeconds()
                        + " s; run `docker-credential-java doctor`\n")
                    .getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // Nothing left to tell the client; the exit code still does.
      }
      Runtime.getRuntime().halt(1);
    }
  }

  private static BackendSelector selector(
      Settings[] cache, Map<String, String> env, String osName, Path home, PrintStream err)
      throws StoreException {
    if (cache[0] == null) {
      cache[0] = Settings.load(env, osName, home);
    }
    return new BackendSelector(
        cache[0].backend(), osName, new SystemBackends(cache[0], env, osName), err);
  }

  private static int doctor(OutputStream out, Map<String, String> env, String osName, Path home) {
    PrintStream ps = print(out);
    ps.println("docker-credential-java " + BuildInfo.version() + " on " + osName);
    Settings settings;
    try {
      settings = Settings.load(env, osName, home);
    } catch (StoreException e) {
      ps.println(e.getMessage());
      ps.flush();
      return 1;
    }
    ps.println("config file: " + settings.configFile());
    ps.println("file store: " + settings.file() + " (key file " + settings.keyFile() + ")");
    if (!Settings.isWindows(osName) && !Settings.isMac(osName)) {
      ps.println("D-Bus transport: " + BusConnection.transportName());
    }
    BackendSelector selector =
        new BackendSelector(
            settings.backend(), osName, new SystemBackends(settings, env, osName), ps);
    List<String> report = selector.report();
    report.forEach(ps::println);
    ps.flush();
    return report.get(0).startsWith("active backend: none") ? 1 : 0;
  }

  private static PrintStream print(OutputStream out) {
    return new PrintStream(out, false, StandardCharsets.UTF_8);
  }

  private static int internalError(OutputStream out, Throwable t) {
    try {
      out.write(
          ("docker-credential-java: the credential store failed unexpectedly ("
                  + t.getClass().getSimpleName()
                  + "); run `docker-credential-java doctor` for details\n")
              .getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // stdout is gone; the exit code still tells the client.
    }
    return 1;
  }
}
