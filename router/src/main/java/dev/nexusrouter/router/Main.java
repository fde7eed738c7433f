package dev.nexusrouter.router;

import dev.nexusrouter.common.BuildInfo;
import dev.nexusrouter.router.cli.Commands;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.RoutesText;
import dev.nexusrouter.router.migrate.ImportNginxCommand;
import dev.nexusrouter.router.nexus.NexusCommand;
import dev.nexusrouter.router.observe.StderrFormat;
import dev.nexusrouter.router.server.ReloadControl;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.server.Signals;
import dev.nexusrouter.router.server.StartupPrefetch;
import dev.nexusrouter.router.tls.CertsCommand;
import dev.nexusrouter.router.tls.TlsException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The {@code nexus-router} command line: the command tree (picocli) and {@code serve}. The only
 * place that calls {@link System#exit}. See docs/cli.md.
 */
@Command(
    name = "nexus-router",
    mixinStandardHelpOptions = true,
    versionProvider = Commands.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {Main.Serve.class, Main.Check.class, Main.Routes.class},
    description = {
      "Registry-aware reverse proxy in front of Nexus docker(group) and docker(hosted).",
      "Without a command it runs serve (nexus-router [--config FILE] = nexus-router serve ...)."
    },
    footer = {
      "",
      "Every command has its own --help.",
      "",
      "Signals (serve): HUP reloads the config file and certificates (the file is also watched),"
          + " USR1 reopens the access log, TERM/INT drain requests in flight (shutdown-timeout)"
          + " and exit 0.",
      "",
      "Environment: NEXUS_ROUTER_CONFIG is the config file used by serve and routes when"
          + " --config is not given."
    })
public final class Main extends Commands.Group<Main.Io> {
  static final int CANNOT_START = 3;

  /** serve ended by a signal after a graceful drain: the process exits 0. */
  static final int STOPPED = 0;

  private static final Logger LOG = Logger.getLogger("nexus-router");

  /** JUL keeps loggers weakly; these hold the levels set below. */
  private static final List<Logger> CONFIGURED = new ArrayList<>();

  /** What serve, check and routes print to and read from. */
  record Io(PrintStream out, PrintStream err, Map<String, String> env) {}

  private Main(Io io) {
    super(io);
  }

  public static void main(String[] args) {
    configureLogging();
    int code = run(args, System.out, System.err);
    System.exit(code);
  }

  /**
   * The command tree: serve, check and routes (listed on this class; they reach the streams and
   * environment through {@code @ParentCommand}), then the command groups that carry their own.
   */
  static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main(new Io(out, err, env)));
    cl.addSubcommand(NexusCommand.command(out, err, env));
    cl.addSubcommand(CertsCommand.command(out, err, env));
    cl.addSubcommand(ImportNginxCommand.command(out, err));
    return Commands.configure(cl, out, err);
  }

  /** Runs a command; {@code serve} blocks until the JVM is asked to stop. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, System.getenv());
  }

  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    String[] a = isServe(args) ? prepend("serve", args) : args;
    QuickServe quick = QuickServe.of(a);
    if (quick != null) {
      try {
        return serve(ConfigOption.file(quick.config(), env), err);
      } catch (RuntimeException e) { // what picocli's handler would otherwise have caught
        err.println("nexus-router: cannot start: " + e);
        return CANNOT_START;
      }
    }
    return commandLine(out, err, env).execute(a);
  }

  /**
   * {@code serve} as services and images run it ({@code serve}, {@code serve -c FILE}, {@code serve
   * --config FILE}, {@code serve --config=FILE}), read without building the command tree: picocli's
   * classes cannot go into the JDK's AOT cache, and building the tree took about a quarter of the
   * router's start-up CPU (docs/operations.md#start-up). Any other form, help and usage errors
   * included, goes through picocli as before.
   */
  record QuickServe(String config) {
    static QuickServe of(String[] a) {
      if (a.length == 0 || !a[0].equals("serve")) {
        return null;
      }
      if (a.length == 1) {
        return new QuickServe(null);
      }
      if (a.length == 2 && a[1].startsWith("--config=")) {
        return new QuickServe(a[1].substring("--config=".length()));
      }
      boolean option = a[1].equals("-c") || a[1].equals("--config");
      // picocli reads "@FILE" as arguments stored in FILE: that form stays with picocli
      if (a.length == 3 && option && !a[2].startsWith("-") && !a[2].startsWith("@")) {
        return new QuickServe(a[2]);
      }
      return null;
    }
  }

  /** No command, or the serve options alone: {@code nexus-router [--config FILE]}. */
  private static boolean isServe(String[] args) {
    return args.length == 0
        || args[0].equals("-c")
        || args[0].equals("--config")
        || args[0].startsWith("--config=");
  }

  private static String[] prepend(String first, String[] rest) {
    String[] a = new String[rest.length + 1];
    a[0] = first;
    System.arraycopy(rest, 0, a, 1, rest.length);
    return a;
  }

  /** {@code -c/--config FILE}, shared by serve and routes. */
  abstract static class ConfigOption {
    @ParentCommand Main main;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "config file (default $NEXUS_ROUTER_CONFIG, else the built-in defaults)")
    String config;

    /** The config file named by the option or the environment, or null for the defaults. */
    Path file() {
      return file(config, main.context().env());
    }

    static Path file(String option, Map<String, String> env) {
      String f = option != null ? option : env.get("NEXUS_ROUTER_CONFIG");
      return f == null || f.isEmpty() ? null : Path.of(f);
    }
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Run the router (the default command).",
        "Without a config it uses the built-in defaults:"
            + " https://127.0.0.1:8443 (embedded CA) and http://127.0.0.1:8080, group"
            + " 127.0.0.1:8082, hosted 127.0.0.1:8086, UI 127.0.0.1:8081, admin"
            + " http://127.0.0.1:9090.",
        "Exit codes: 0 stopped by TERM/INT, 1 invalid config, 2 usage error, 3 cannot start."
      })
  static final class Serve extends ConfigOption implements Callable<Integer> {
    @Override
    public Integer call() {
      return serve(file(), main.context().err());
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Validate a config file and print every problem.",
        "Checks keys, upstreams, ports, patterns and TLS files.",
        "Exit codes: 0 valid, 1 invalid, 2 usage error."
      })
  static final class Check implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(paramLabel = "CONFIG", arity = "1", description = "the config file")
    Path file;

    @Override
    public Integer call() {
      return ConfigCheck.run(file, main.context().out(), main.context().err());
    }
  }

  @Command(
      name = "routes",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Print the effective route table of every host.",
        "The same text as the admin /routes page."
      })
  static final class Routes extends ConfigOption implements Callable<Integer> {
    @Override
    public Integer call() {
      try {
        main.context().out().print(RoutesText.of(ConfigLoader.loadOrBuiltIn(file())));
        return Commands.OK;
      } catch (ConfigException e) {
        main.context().err().print(e.report());
        return Commands.FAILED;
      }
    }
  }

  private static int serve(Path file, PrintStream err) {
    StartupPrefetch.start();
    RouterConfig config;
    try {
      config = ConfigLoader.loadOrBuiltIn(file);
    } catch (ConfigException e) {
      err.print("nexus-router: refusing to start\n" + e.report());
      return Commands.FAILED;
    }
    RouterServer server;
    try {
      server = RouterServer.start(config, Clock.systemDefaultZone());
    } catch (IOException | TlsException e) {
      err.println("nexus-router: " + e.getMessage());
      return CANNOT_START;
    }
    ReloadControl watcher = ReloadControl.start(server, file); // HUP, USR1 and the file watcher
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          Duration deadline = server.config().shutdownTimeout();
          LOG.info(
              () ->
                  "stopping: draining requests in flight for up to " + deadline.toSeconds() + " s");
          boolean drained = server.shutdown(deadline);
          LOG.info(
              drained ? "stopped" : "stopped; transfers still running at the deadline were cut");
          if (watcher != null) {
            watcher.close();
          }
          stopped.countDown();
        };
    // TERM and INT end with exit code 0 after the drain; without signal support the shutdown
    // hook still drains, but the JVM then reports the signal's exit code
    boolean handled = Signals.on("TERM", () -> new Thread(stop, "shutdown").start());
    handled &= Signals.on("INT", () -> new Thread(stop, "shutdown").start());
    if (!handled) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop, "shutdown"));
    }
    err.println(
        "nexus-router "
            + BuildInfo.version()
            + " listening on "
            + String.join(", ", server.addresses())
            + describeUpstreams(config));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return STOPPED;
  }

  private static String describeUpstreams(RouterConfig c) {
    List<String> parts = new ArrayList<>();
    for (var u : c.upstreams().values()) {
      parts.add(u.name() + "=" + u.servers());
    }
    return " (upstreams: " + String.join(", ", parts) + ")";
  }

  /**
   * One line per record on stderr. Undertow's proxy logs every failed upstream request with a stack
   * trace (and the raw URI, which may carry tokens): the router reports those itself, as registry
   * JSON to the client and in the access log, so that logger is silenced.
   */
  static void configureLogging() {
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new StderrFormat(Clock.systemUTC())); // timestamp, level, causes
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    level("io.undertow", Level.WARNING);
    level("io.undertow.proxy", Level.OFF);
    level("io.undertow.request", Level.OFF);
    level("io.undertow.request.io", Level.OFF);
    level("org.xnio", Level.WARNING);
    level("org.jboss", Level.WARNING);
  }

  private static void level(String name, Level level) {
    Logger l = Logger.getLogger(name);
    l.setLevel(level);
    CONFIGURED.add(l);
  }
}
