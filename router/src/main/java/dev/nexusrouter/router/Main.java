package dev.nexusrouter.router;

import dev.nexusrouter.common.BuildInfo;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.route.RouteRow;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.tls.TlsException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The {@code nexus-router} command line. The only place that calls {@link System#exit}. */
public final class Main {
  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;
  static final int CANNOT_START = 3;

  private static final String USAGE_TEXT =
      """
      Usage: nexus-router [serve] [--config FILE]
             nexus-router check CONFIG
             nexus-router routes [--config FILE]
             nexus-router --help | --version

      Commands:
        serve    run the router (default). Without --config it uses the built-in defaults:
                 http://127.0.0.1:8080, group 127.0.0.1:8082, hosted 127.0.0.1:8086, UI 127.0.0.1:8081.
        check    validate CONFIG (keys, upstreams, ports, patterns, TLS files) and print every problem.
        routes   print the effective route table of every registry host.

      Environment:
        NEXUS_ROUTER_CONFIG   config file used by serve/routes when --config is not given.
      """;

  /** JUL keeps loggers weakly; these hold the levels set below. */
  private static final List<Logger> CONFIGURED = new ArrayList<>();

  private Main() {}

  public static void main(String[] args) {
    configureLogging();
    int code = run(args, System.out, System.err);
    // a serve that returned OK was stopped by a signal: the JVM is already shutting down
    if (!(isServe(args) && code == OK)) {
      System.exit(code);
    }
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
    try {
      config = load(args);
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
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "shutdown"));
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
    return OK;
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
    return file == null || file.isEmpty()
        ? ConfigLoader.builtIn()
        : ConfigLoader.load(Path.of(file));
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
    handler.setFormatter(
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            return "nexus-router "
                + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT)
                + ": "
                + formatMessage(r)
                + System.lineSeparator();
          }
        });
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
