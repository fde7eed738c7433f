package dev.nexusrouter.router.nexus;

import dev.nexusrouter.router.cli.Commands;
import dev.nexusrouter.router.cli.Commands.UsageException;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.Sizes;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-router nexus provision|status|router-config}: the Nexus layout as code. Each
 * sub-command returns an exit code (0 ok or nothing to do, 1 failure, 2 usage, 3 no docker format);
 * none exits the JVM.
 */
@Command(
    name = "nexus",
    mixinStandardHelpOptions = true,
    versionProvider = Commands.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "Provision and check the Nexus docker layout over its REST API.",
    subcommands = {
      NexusCommand.Provision.class,
      NexusCommand.Status.class,
      NexusCommand.RouterConfigCommand.class
    },
    footer = {
      "",
      "Credentials come from files or the environment, never from arguments: NEXUS_USER"
          + " (default admin), NEXUS_PASSWORD_FILE or NEXUS_PASSWORD.",
      "",
      "Exit codes: 0 ok or nothing to do, 1 failure or conflict, 2 usage error, 3 the docker"
          + " format is not available in this Nexus (provision did everything else)."
    })
public final class NexusCommand extends Commands.Group<NexusCommand.Context> {
  static final int NO_DOCKER_FORMAT = 3;

  static final String DEFAULT_URL = "http://127.0.0.1:8081";
  static final String DEFAULT_ADMIN_PASSWORD_FILE = "/nexus-data/admin.password";

  private NexusCommand(Context ctx) {
    super(ctx);
  }

  /** What the sub-commands print to and read from; the sleeper lets tests skip the waits. */
  record Context(
      PrintStream out, PrintStream err, Map<String, String> env, Readiness.Sleeper sleeper) {}

  /** The {@code nexus} command and its sub-commands, to be added to the router's command tree. */
  public static CommandLine command(PrintStream out, PrintStream err, Map<String, String> env) {
    return command(new Context(out, err, env, d -> Thread.sleep(d.toMillis())));
  }

  static CommandLine command(Context ctx) {
    return new CommandLine(new NexusCommand(ctx));
  }

  /** Runs {@code nexus ARGS} on its own (tests). */
  static int run(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Readiness.Sleeper sleeper) {
    return Commands.runAlone(
        command(new Context(out, err, env, sleeper)), "nexus-router nexus", args, out, err);
  }

  /**
   * A sub-command: its body runs with the {@code nexus} command's context, and its failures become
   * one-line messages and exit codes.
   */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand NexusCommand parent;
    @Spec CommandSpec spec;

    abstract int run(Context ctx);

    @Override
    public Integer call() {
      Context ctx = parent.context();
      try {
        requireValues();
        return run(ctx);
      } catch (UsageException e) {
        ctx.err().println("nexus-router nexus " + spec.name() + ": " + e.getMessage());
        return Commands.USAGE;
      } catch (ConfigException e) {
        ctx.err().print(e.report());
        return Commands.FAILED;
      } catch (NexusException e) {
        ctx.err().println("nexus-router nexus " + spec.name() + ": " + e.getMessage());
        return Commands.FAILED;
      }
    }

    /** {@code --url=} and the like: an option given must have a value. */
    private void requireValues() {
      for (OptionSpec o : spec.options()) {
        if (o.originalStringValues().contains("")) {
          throw new UsageException(o.longestName() + " needs a value");
        }
      }
    }
  }

  /** Options shared by the sub-commands that talk to Nexus. */
  static final class Connection {
    @Option(
        names = "--url",
        paramLabel = "URL",
        description = "Nexus base URL (default $NEXUS_URL, else " + DEFAULT_URL + ")")
    String url;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "file holding the password of $NEXUS_USER (default admin)")
    Path passwordFile;

    NexusClient client(Map<String, String> env) {
      return new NexusClient(url(url, env), credentials(passwordFile, env));
    }
  }

  @Command(
      name = "provision",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Create or update what the layout describes in Nexus.",
        "Blob stores, docker repositories, the Docker Bearer Token realm and (optionally)"
            + " anonymous access. Prints the plan first; a second run"
            + " reports nothing to do. Without the docker format in Nexus, everything else is"
            + " done and the exit code is 3."
      })
  static final class Provision extends Sub {
    @Mixin Connection connection;

    @Option(
        names = "--layout",
        paramLabel = "FILE",
        description = "layout YAML (default: the built-in seed layout)")
    String layout;

    @Option(names = "--dry-run", description = "only print the plan")
    boolean dryRun;

    /** Text, not a Duration: converted in {@link #run} so that {@code --help} wins over it. */
    @Option(
        names = "--wait",
        paramLabel = "DURATION",
        description = "wait up to DURATION (e.g. 5m) for Nexus to accept connections and writes")
    String wait;

    @Option(
        names = "--new-password-file",
        paramLabel = "FILE",
        description =
            "first start: change the admin password to the one in FILE, logging in with"
                + " --admin-password-file; then use the new one")
    Path newPasswordFile;

    @Option(
        names = "--admin-password-file",
        paramLabel = "FILE",
        description = "the initial admin password (default " + DEFAULT_ADMIN_PASSWORD_FILE + ")")
    Path adminPasswordFile;

    @Override
    int run(Context ctx) {
      return provision(this, ctx);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Check Nexus and compare it with a router config.",
        "Nexus health, version, whether it has the docker format, and whether the router"
            + " config's group/hosted upstreams match the docker repositories' connector ports."
      })
  static final class Status extends Sub {
    @Mixin Connection connection;

    @Option(
        names = "--config",
        paramLabel = "ROUTER_CONFIG",
        description =
            "router config to compare (default $NEXUS_ROUTER_CONFIG, else the router's built-in"
                + " defaults)")
    String config;

    @Override
    int run(Context ctx) {
      String file = config != null ? config : ctx.env().get("NEXUS_ROUTER_CONFIG");
      RouterConfig routerConfig = ConfigLoader.loadOrBuiltIn(file == null ? null : Path.of(file));
      String source = file == null ? "(built-in defaults)" : file;
      try (NexusClient nexus = connection.client(ctx.env())) {
        return new NexusStatus(nexus, ctx.out()).run(routerConfig, source)
            ? Commands.OK
            : Commands.FAILED;
      }
    }
  }

  @Command(
      name = "router-config",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Print the router configuration matching the layout.",
        "The group's connector for pulls,"
            + " the hosted repository's for pushes, the Nexus UI at the Nexus base URL."
      })
  static final class RouterConfigCommand extends Sub {
    @Option(
        names = "--layout",
        paramLabel = "FILE",
        description = "layout YAML (default: the built-in seed layout)")
    String layout;

    @Option(
        names = "--url",
        paramLabel = "URL",
        description =
            "Nexus base URL as the router reaches it; connectors are on its host (default"
                + " $NEXUS_URL, else "
                + DEFAULT_URL
                + ")")
    String url;

    @Option(
        names = "--nexus-host",
        paramLabel = "HOST[:PORT]",
        description = "replaces the host (and port, if given) of the base URL")
    String nexusHost;

    @Option(
        names = "--router-host",
        paramLabel = "NAME",
        description = "registry name of the generated config (default registry.localhost)")
    String routerHost = "registry.localhost";

    @Option(
        names = "--ui-host",
        paramLabel = "NAME",
        description = "Nexus UI name (default: registry.* -> nexus.*)")
    String uiHost;

    @Option(
        names = "--listen",
        paramLabel = "ADDRESS:PORT",
        description = "the router's listener (default 127.0.0.1:8080)")
    String listen = "127.0.0.1:8080";

    @Option(
        names = "--group",
        paramLabel = "NAME",
        description = "the docker group for pulls (needed when the layout has several)")
    String group;

    @Option(
        names = "--hosted",
        paramLabel = "NAME",
        description =
            "the docker hosted repository for pushes (needed when the layout has several)")
    String hosted;

    @Override
    int run(Context ctx) {
      return routerConfig(this, ctx);
    }
  }

  // ---- provision

  private static int provision(Provision o, Context ctx) {
    PrintStream out = ctx.out();
    PrintStream err = ctx.err();
    Layout layout = layout(o.layout);
    String layoutSource = o.layout == null ? "built-in layout" : o.layout;
    LayoutLoader.warnings(layout).forEach(w -> err.println("warning: " + w));
    URI url = url(o.connection.url, ctx.env());
    Duration wait = duration(o.wait);
    if (o.adminPasswordFile != null && o.newPasswordFile == null) {
      throw new UsageException("--admin-password-file needs --new-password-file");
    }
    String newPassword =
        o.newPasswordFile == null
            ? null
            : Credentials.readPasswordFile(o.newPasswordFile, "new password file");
    Credentials credentials = credentials(o.connection.passwordFile, ctx.env());
    if (credentials == null && newPassword == null) {
      throw new UsageException(
          "no Nexus password: set NEXUS_PASSWORD_FILE or NEXUS_PASSWORD, use --password-file,"
              + " or --new-password-file on first start");
    }
    try (NexusClient nexus = new NexusClient(url, credentials)) {
      Readiness readiness = new Readiness(nexus, ctx.sleeper(), System::nanoTime);
      String server = readiness.awaitWritable(wait);
      NexusVersion headerVersion = NexusVersion.parse(server);
      if (headerVersion != null && !headerVersion.atLeast(NexusVersion.MINIMUM)) {
        throw new NexusException(NexusVersion.tooOld(headerVersion.text()));
      }
      out.println("Nexus " + nexus.baseUrl() + " is ready.");
      if (newPassword != null) {
        Path initial =
            o.adminPasswordFile != null
                ? o.adminPasswordFile
                : Path.of(DEFAULT_ADMIN_PASSWORD_FILE);
        AdminPassword.ensure(nexus, initial, newPassword, o.dryRun, out);
      }
      Readiness.Api api = readiness.requireRestApi(server);
      out.println("Nexus version " + api.version() + "; layout: " + layoutSource);
      Provisioner provisioner = new Provisioner(nexus, layout, api.dockerFormat());
      Plan plan = provisioner.plan();
      out.println("Plan:");
      plan.print(out);
      if (plan.nothingToDo()) {
        out.println("Nothing to do: Nexus matches the layout.");
        return Commands.OK;
      }
      int conflicts = plan.conflicts().size();
      if (o.dryRun) {
        out.println("Dry run: nothing was changed.");
        return conflicts > 0 ? Commands.FAILED : noDocker(plan, api, err);
      }
      if (!plan.pending().isEmpty()) {
        out.println("Applying " + plan.pending().size() + " change(s):");
        if (!provisioner.apply(plan, out)) {
          return Commands.FAILED;
        }
        out.println("Applied " + plan.pending().size() + " change(s).");
      }
      if (conflicts > 0) {
        out.println(
            conflicts
                + " conflict(s) need a decision (marked ! above): Nexus cannot change them over"
                + " the API.");
        return Commands.FAILED;
      }
      return noDocker(plan, api, err);
    }
  }

  /** OK, or the docker-format error when the plan had to skip the docker part. */
  private static int noDocker(Plan plan, Readiness.Api api, PrintStream err) {
    if (plan.skipped().isEmpty()) {
      return Commands.OK;
    }
    err.println(
        "nexus-router nexus provision: "
            + Readiness.noDockerFormat(api.version())
            + "; skipped "
            + plan.skipped().size()
            + " item(s) marked SKIPPED above, everything else is done");
    return NO_DOCKER_FORMAT;
  }

  private static Layout layout(String file) {
    return file == null ? LayoutLoader.builtIn() : LayoutLoader.load(Path.of(file));
  }

  /** {@code --url}, else {@code $NEXUS_URL}, else the default: a Nexus base URL. */
  private static URI url(String option, Map<String, String> env) {
    String text = option != null ? option : env.getOrDefault("NEXUS_URL", DEFAULT_URL);
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      throw new UsageException("--url: not a valid URL");
    }
    if (u.getUserInfo() != null) {
      throw new UsageException(
          "--url must not contain credentials; use NEXUS_USER and NEXUS_PASSWORD_FILE");
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new UsageException("--url: expected the Nexus base URL, like http://nexus:8081");
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new UsageException("--url: must not have a query or fragment");
    }
    return u;
  }

  /** From {@code --password-file}, else the environment; null when no password is configured. */
  static Credentials credentials(Path passwordFile, Map<String, String> env) {
    String user = env.getOrDefault("NEXUS_USER", "admin");
    if (passwordFile != null) {
      return new Credentials(user, Credentials.readPasswordFile(passwordFile, "password file"));
    }
    if (env.containsKey("NEXUS_PASSWORD_FILE")) {
      return new Credentials(
          user,
          Credentials.readPasswordFile(
              Path.of(env.get("NEXUS_PASSWORD_FILE")), "password file (NEXUS_PASSWORD_FILE)"));
    }
    String password = env.get("NEXUS_PASSWORD");
    return password == null || password.isEmpty() ? null : new Credentials(user, password);
  }

  /** {@code --wait}: the router config's duration forms ({@code 300s}, {@code 5m}, {@code 1h}). */
  static Duration duration(String text) {
    if (text == null) {
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = Sizes.parseDuration(text);
    } catch (ArithmeticException e) {
      d = null;
    }
    if (d == null || d.compareTo(MAX_WAIT) > 0) {
      throw new UsageException("--wait: expected a duration up to 24h, like 300s, 5m or 1h");
    }
    return d;
  }

  private static final Duration MAX_WAIT = Duration.ofHours(24);

  // ---- router-config

  private static int routerConfig(RouterConfigCommand o, Context ctx) {
    Layout layout = layout(o.layout);
    int colon = o.listen.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(o.listen.substring(colon + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new UsageException("--listen: expected ADDRESS:PORT, like 0.0.0.0:443");
    }
    if (colon <= 0 || port < 1 || port > 65535) {
      throw new UsageException("--listen: expected ADDRESS:PORT, like 0.0.0.0:443");
    }
    RouterConfigWriter.Options options =
        new RouterConfigWriter.Options(
            o.routerHost,
            o.uiHost,
            nexusBase(url(o.url, ctx.env()), o.nexusHost),
            o.listen.substring(0, colon),
            port,
            o.group,
            o.hosted);
    try {
      ctx.out()
          .print(
              RouterConfigWriter.write(
                  layout, options, o.layout == null ? "the built-in layout" : o.layout));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return Commands.OK;
  }

  /**
   * The base URL the router reaches Nexus at: {@code --url}, with {@code --nexus-host HOST[:PORT]}
   * (an IPv6 address in brackets when it has a port) replacing its host and port.
   */
  static URI nexusBase(URI url, String nexusHost) {
    if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
      throw new UsageException(
          "--url: the router reaches the Nexus UI at the server's root; a base URL with a path ("
              + url.getRawPath()
              + ") is not supported");
    }
    String host = url.getHost();
    int port = url.getPort();
    if (nexusHost != null) {
      String h = nexusHost;
      String p = null;
      if (h.startsWith("[")) {
        int close = h.indexOf(']');
        if (close < 0 || (close + 1 < h.length() && h.charAt(close + 1) != ':')) {
          throw new UsageException(
              "--nexus-host: expected HOST, HOST:PORT or [IPv6]:PORT, found '" + nexusHost + "'");
        }
        p = close + 1 < h.length() ? h.substring(close + 2) : null;
        h = h.substring(0, close + 1);
      } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
        p = h.substring(h.indexOf(':') + 1);
        h = h.substring(0, h.indexOf(':'));
      } else if (h.indexOf(':') >= 0) {
        h = "[" + h + "]"; // a bare IPv6 address
      }
      if (h.isEmpty() || h.contains("/") || h.contains("@")) {
        throw new UsageException(
            "--nexus-host: expected HOST, HOST:PORT or [IPv6]:PORT, found '" + nexusHost + "'");
      }
      host = h;
      if (p != null) {
        port = portNumber(p, "--nexus-host");
      }
    }
    String text = url.getScheme() + "://" + host + (port > 0 ? ":" + port : "");
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new UsageException("--nexus-host: not a host name or address: '" + nexusHost + "'");
    }
  }

  private static int portNumber(String text, String option) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(option + ": expected a port from 1 to 65535, found '" + text + "'");
  }
}
