package dev.nexusrouter.router;

import dev.nexusrouter.common.BuildInfo;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.nexus.NexusCommand;
import dev.nexusrouter.router.observe.StderrFormat;
import dev.nexusrouter.router.route.RouteLint;
import dev.nexusrouter.router.route.RouteRow;
import dev.nexusrouter.router.server.Preflight;
import dev.nexusrouter.router.server.ReloadControl;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.server.Signals;
import dev.nexusrouter.router.tls.CertsCommand;
import dev.nexusrouter.router.tls.TlsException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code nexus-router} command line. The only place that calls {@link System#exit}. */
public final class Main {
  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;
  static final int CANNOT_START = 3;

  /** serve ended by a signal after a graceful drain: the process exits 0. */
  static final int STOPPED = 0;

  private static final Logger LOG = Logger.getLogger("nexus-router");

  private static final String USAGE_TEXT =
      """
      Usage: nexus-router [serve] [--config FILE]
             nexus-router check CONFIG
             nexus-router routes [--config FILE]
             nexus-router nexus provision|status|router-config ...   (nexus --help)
             nexus-router certs init|show|check|client-setup ...        (certs --help)
             nexus-router --help | --version

      Commands:
        serve    run the router (default). Without --config it uses the built-in defaults:
                 https://127.0.0.1:8443 (embedded CA) and http://127.0.0.1:8080, group 127.0.0.1:8082,
                 hosted 127.0.0.1:8086, UI 127.0.0.1:8081, admin http://127.0.0.1:9090.
        check    validate CONFIG (keys, upstreams, ports, patterns, TLS files) and print every problem.
        routes   print the effective route table of every registry host.
        nexus    provision and check the Nexus Docker layout over its REST API.
        certs    create a CA and wildcard certificates, inspect them, set up client trust.

      Signals (serve): HUP reloads the config file and certificates (the file is also watched),
      USR1 reopens the access log, TERM/INT drain requests in flight (shutdown-timeout) and exit 0.

      Environment:
        NEXUS_ROUTER_CONFIG   config file used by serve/routes when --config is not given.
      """;

  /** JUL keeps loggers weakly; these hold the levels set below. */
  private static final List<Logger> CONFIGURED = new ArrayList<>();

  private Main() {}

  public static void main(String[] args) {
    configureLogging();
    int code = run(args, System.out, System.err);
    System.exit(code);
  }

  private static boolean isServe(String[] args) {
    return args.length == 0
        || args[0].equals("serve")
        || args[0].startsWith("--config")
        || args[0].equals("-c");
  }

  /** Runs a command; {@code serve} blocks until the JVM is asked to stop. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> a = List.of(args);
    if (a.contains("--help") || a.contains("-h")) {
      out.print(USAGE_TEXT);
      return OK;
    }
    if (a.contains("--version")) {
      out.println("nexus-router " + BuildInfo.version());
      return OK;
    }
    String command = a.isEmpty() || a.get(0).startsWith("-") ? "serve" : a.get(0);
    List<String> rest = a.isEmpty() || a.get(0).startsWith("-") ? a : a.subList(1, a.size());
    return switch (command) {
      case "serve" -> serve(rest, out, err);
      case "check" -> check(rest, out, err);
      case "routes" -> routes(rest, out, err);
      case "nexus" -> NexusCommand.run(rest, out, err, System.getenv());
      case "certs" -> CertsCommand.run(rest, out, err, System.getenv());
      default -> {
        err.println("nexus-router: unknown command '" + command + "'");
        err.print(USAGE_TEXT);
        yield USAGE;
      }
    };
  }

  private static int check(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() != 1 || args.get(0).startsWith("-")) {
      err.println("nexus-router: check needs exactly one CONFIG file");
      return USAGE;
    }
    try {
      RouterConfig c = ConfigLoader.load(Path.of(args.get(0)));
      Preflight.check(c, args.get(0)); // folders and sockets, as serve needs them
      for (int i = 0; i < c.hosts().size(); i++) {
        VirtualHostConfig h = c.hosts().get(i);
        if (h.kind() == VirtualHostConfig.Kind.REGISTRY) {
          for (String w : RouteLint.check(h.routes())) {
            err.println("warning: hosts[" + i + "].routes: " + w);
          }
        }
      }
      out.println(
          args.get(0)
              + ": OK ("
              + c.listeners().size()
              + " listener(s), "
              + c.hosts().size()
              + " host(s), "
              + c.upstreams().size()
              + " upstream(s))");
      return OK;
    } catch (ConfigException e) {
      err.print(e.report());
      return INVALID;
    }
  }

  private static int routes(List<String> args, PrintStream out, PrintStream err) {
    RouterConfig c;
    try {
      c = load(args);
    } catch (ConfigException e) {
      err.print(e.report());
      return INVALID;
    } catch (IllegalArgumentException e) {
      err.println("nexus-router: " + e.getMessage());
      return USAGE;
    }
    for (VirtualHostConfig h : c.hosts()) {
      if (h.kind() != VirtualHostConfig.Kind.REGISTRY) {
        continue;
      }
      out.println(
          "host "
              + String.join(", ", h.serverNames())
              + " (group="
              + h.group()
              + ", hosted="
              + h.hosted()
              + ", v1="
              + h.v1()
              + ")");
      for (RouteRow r : h.routes().rows()) {
        out.println("  " + r.describe());
      }
    }
    return OK;
  }

  private static int serve(List<String> args, PrintStream out, PrintStream err) {
    RouterConfig config;
    Path file;
    try {
      file = configFile(args);
      config = file == null ? ConfigLoader.builtIn() : ConfigLoader.load(file);
    } catch (ConfigException e) {
      err.print("nexus-router: refusing to start\n" + e.report());
      return INVALID;
    } catch (IllegalArgumentException e) {
      err.println("nexus-router: " + e.getMessage());
      return USAGE;
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

  /** --config FILE, -c FILE, --config=FILE, $NEXUS_ROUTER_CONFIG, else the built-in defaults. */
  static RouterConfig load(List<String> args) {
    Path file = configFile(args);
    return file == null ? ConfigLoader.builtIn() : ConfigLoader.load(file);
  }

  /** The config file named by the arguments or the environment, or null for the defaults. */
  static Path configFile(List<String> args) {
    String file = null;
    for (int i = 0; i < args.size(); i++) {
      String s = args.get(i);
      if (s.equals("--config") || s.equals("-c")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(s + " needs a file name");
        }
        file = args.get(++i);
      } else if (s.startsWith("--config=")) {
        file = s.substring("--config=".length());
      } else {
        throw new IllegalArgumentException("unexpected argument '" + s + "' (see --help)");
      }
    }
    if (file == null) {
      file = System.getenv("NEXUS_ROUTER_CONFIG");
    }
    return file == null || file.isEmpty() ? null : Path.of(file);
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
