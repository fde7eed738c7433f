package dev.nexusrouter.router.nexus;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code nexus-router nexus provision|status|router-config}: the Nexus layout as code. Returns an
 * exit code (0 ok or nothing to do, 1 failure, 2 usage); never exits the JVM.
 */
public final class NexusCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  static final String DEFAULT_URL = "http://127.0.0.1:8081";
  static final String DEFAULT_ADMIN_PASSWORD_FILE = "/nexus-data/admin.password";

  static final String USAGE_TEXT =
      """
      Usage: nexus-router nexus provision [--url URL] [--layout FILE] [--dry-run] [--wait DURATION]
                                          [--password-file FILE]
                                          [--new-password-file FILE [--admin-password-file FILE]]
             nexus-router nexus status [--url URL] [--config ROUTER_CONFIG] [--password-file FILE]
             nexus-router nexus router-config [--layout FILE] [--router-host NAME] [--ui-host NAME]
                                          [--nexus-host HOST] [--listen ADDRESS:PORT]
                                          [--group NAME] [--hosted NAME]

      Commands:
        provision      create or update the blob stores, docker repositories, Docker Bearer Token
                       realm and (optionally) anonymous access of the layout. Prints the plan first;
                       a second run reports nothing to do. --dry-run only prints the plan.
        status         Nexus health, version, and whether the router config's group/hosted
                       upstreams match the docker repositories' connector ports.
        router-config  print the router configuration matching the layout.

      Options:
        --url URL                  Nexus base URL (default $NEXUS_URL, else http://127.0.0.1:8081)
        --layout FILE              layout YAML (default: the built-in seed layout)
        --wait DURATION            wait up to DURATION (e.g. 5m) for Nexus to become writable
        --password-file FILE       file holding the password of $NEXUS_USER (default admin)
        --new-password-file FILE   first start: change the admin password to the one in FILE,
                                   logging in with --admin-password-file
                                   (default /nexus-data/admin.password); then use the new one
        --config FILE              router config to compare (default $NEXUS_ROUTER_CONFIG, else the
                                   router's built-in defaults)
        --router-host NAME         registry name of the generated config (default registry.localhost)
        --ui-host NAME             Nexus UI name (default: registry.* -> nexus.*)
        --nexus-host HOST          where the router reaches Nexus (default 127.0.0.1)
        --listen ADDRESS:PORT      the router's listener (default 127.0.0.1:8080)

      Credentials come from files or the environment, never from arguments:
        NEXUS_USER (default admin), NEXUS_PASSWORD_FILE or NEXUS_PASSWORD.

      Exit codes: 0 ok or nothing to do, 1 failure or conflict, 2 usage error.
      """;

  private static final Set<String> FLAGS = Set.of("--dry-run");
  private static final Set<String> VALUED =
      Set.of(
          "--url",
          "--layout",
          "--wait",
          "--password-file",
          "--new-password-file",
          "--admin-password-file",
          "--config",
          "--router-host",
          "--ui-host",
          "--nexus-host",
          "--listen",
          "--group",
          "--hosted");
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "provision",
          Set.of(
              "--url",
              "--layout",
              "--dry-run",
              "--wait",
              "--password-file",
              "--new-password-file",
              "--admin-password-file"),
          "status",
          Set.of("--url", "--config", "--password-file"),
          "router-config",
          Set.of(
              "--layout",
              "--router-host",
              "--ui-host",
              "--nexus-host",
              "--listen",
              "--group",
              "--hosted"));

  private NexusCommand() {}

  public static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, d -> Thread.sleep(d.toMillis()));
  }

  static int run(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Readiness.Sleeper sleeper) {
    if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
      (args.isEmpty() ? err : out).print(USAGE_TEXT);
      return args.isEmpty() ? USAGE : OK;
    }
    String command = args.get(0);
    Map<String, String> opts;
    try {
      opts = parse(command, args.subList(1, args.size()));
    } catch (IllegalArgumentException e) {
      err.println("nexus-router nexus: " + e.getMessage());
      err.println("Run `nexus-router nexus --help` for usage.");
      return USAGE;
    }
    try {
      return switch (command) {
        case "provision" -> provision(opts, out, err, env, sleeper);
        case "status" -> status(opts, out, err, env);
        default -> routerConfig(opts, out, err);
      };
    } catch (UsageException e) {
      err.println("nexus-router nexus " + command + ": " + e.getMessage());
      return USAGE;
    } catch (ConfigException e) {
      err.print(e.report());
      return FAILED;
    } catch (NexusException e) {
      err.println("nexus-router nexus " + command + ": " + e.getMessage());
      return FAILED;
    }
  }

  /** A usage mistake found after parsing (exit 2). */
  private static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  static Map<String, String> parse(String command, List<String> args) {
    Set<String> allowed = ALLOWED.get(command);
    if (allowed == null) {
      throw new IllegalArgumentException(
          "unknown command '" + command + "' (provision, status or router-config)");
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (name.matches("--(.*-)?password")) {
        // never echo the value: it is a secret typed where it does not belong
        throw new IllegalArgumentException(
            name
                + " is not accepted: passwords on the command line end up in shell history and"
                + " ps. Use --password-file FILE, NEXUS_PASSWORD_FILE or NEXUS_PASSWORD");
      }
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(
            (a.startsWith("-") ? "unknown option " : "unexpected argument ")
                + "'"
                + name
                + "' for "
                + command);
      }
      if (FLAGS.contains(name)) {
        opts.put(name, "true");
        continue;
      }
      String value;
      if (a.contains("=")) {
        value = a.substring(a.indexOf('=') + 1);
      } else if (VALUED.contains(name) && i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException(name + " needs a value");
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      opts.put(name, value);
    }
    return opts;
  }

  // ---- provision

  private static int provision(
      Map<String, String> opts,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Readiness.Sleeper sleeper) {
    boolean dryRun = opts.containsKey("--dry-run");
    Layout layout = layout(opts);
    String layoutSource = opts.getOrDefault("--layout", "built-in layout");
    LayoutLoader.warnings(layout).forEach(w -> err.println("warning: " + w));
    URI url = url(opts, env);
    Duration wait = duration(opts.get("--wait"));
    String newPasswordFile = opts.get("--new-password-file");
    if (opts.containsKey("--admin-password-file") && newPasswordFile == null) {
      throw new UsageException("--admin-password-file needs --new-password-file");
    }
    String newPassword =
        newPasswordFile == null
            ? null
            : Credentials.readPasswordFile(Path.of(newPasswordFile), "new password file");
    Credentials credentials = credentials(opts, env);
    if (credentials == null && newPassword == null) {
      throw new UsageException(
          "no Nexus password: set NEXUS_PASSWORD_FILE or NEXUS_PASSWORD, use --password-file,"
              + " or --new-password-file on first start");
    }
    try (NexusClient nexus = new NexusClient(url, credentials)) {
      Readiness readiness = new Readiness(nexus, sleeper, System::nanoTime);
      String server = readiness.awaitWritable(wait);
      NexusVersion headerVersion = NexusVersion.parse(server);
      if (headerVersion != null && !headerVersion.atLeast(NexusVersion.MINIMUM)) {
        throw new NexusException(NexusVersion.tooOld(headerVersion.text()));
      }
      out.println("Nexus " + nexus.baseUrl() + " is ready.");
      if (newPassword != null) {
        Path initial =
            Path.of(opts.getOrDefault("--admin-password-file", DEFAULT_ADMIN_PASSWORD_FILE));
        AdminPassword.ensure(nexus, initial, newPassword, dryRun, out);
      }
      String version = readiness.requireRestApi(server);
      out.println("Nexus version " + version + "; layout: " + layoutSource);
      Provisioner provisioner = new Provisioner(nexus, layout);
      Plan plan = provisioner.plan();
      out.println("Plan:");
      plan.print(out);
      if (plan.nothingToDo()) {
        out.println("Nothing to do: Nexus matches the layout.");
        return OK;
      }
      int conflicts = plan.conflicts().size();
      if (dryRun) {
        out.println("Dry run: nothing was changed.");
        return conflicts == 0 ? OK : FAILED;
      }
      if (!plan.pending().isEmpty()) {
        out.println("Applying " + plan.pending().size() + " change(s):");
        if (!provisioner.apply(plan, out)) {
          return FAILED;
        }
        out.println("Applied " + plan.pending().size() + " change(s).");
      }
      if (conflicts > 0) {
        out.println(
            conflicts
                + " conflict(s) need a decision (marked ! above): Nexus cannot change them over"
                + " the API.");
        return FAILED;
      }
      return OK;
    }
  }

  private static Layout layout(Map<String, String> opts) {
    String file = opts.get("--layout");
    return file == null ? LayoutLoader.builtIn() : LayoutLoader.load(Path.of(file));
  }

  private static URI url(Map<String, String> opts, Map<String, String> env) {
    String text = opts.getOrDefault("--url", env.getOrDefault("NEXUS_URL", DEFAULT_URL));
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

  /** Null when no password is configured. */
  static Credentials credentials(Map<String, String> opts, Map<String, String> env) {
    String user = env.getOrDefault("NEXUS_USER", "admin");
    if (opts.containsKey("--password-file")) {
      return new Credentials(
          user,
          Credentials.readPasswordFile(Path.of(opts.get("--password-file")), "password file"));
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

  static Duration duration(String text) {
    if (text == null) {
      return Duration.ZERO;
    }
    if (!text.matches("[0-9]{1,6}[smh]?")) {
      throw new UsageException("--wait: expected a duration like 300s, 5m or 1h");
    }
    char unit = text.charAt(text.length() - 1);
    long n = Long.parseLong(Character.isDigit(unit) ? text : text.substring(0, text.length() - 1));
    return switch (unit) {
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  // ---- status

  private static int status(
      Map<String, String> opts, PrintStream out, PrintStream err, Map<String, String> env) {
    String file = opts.getOrDefault("--config", env.get("NEXUS_ROUTER_CONFIG"));
    RouterConfig config = file == null ? ConfigLoader.builtIn() : ConfigLoader.load(Path.of(file));
    String source = file == null ? "(built-in defaults)" : file;
    try (NexusClient nexus = new NexusClient(url(opts, env), credentials(opts, env))) {
      return new NexusStatus(nexus, out).run(config, source) ? OK : FAILED;
    }
  }

  // ---- router-config

  private static int routerConfig(Map<String, String> opts, PrintStream out, PrintStream err) {
    Layout layout = layout(opts);
    String listen = opts.getOrDefault("--listen", "127.0.0.1:8080");
    int colon = listen.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new UsageException("--listen: expected ADDRESS:PORT, like 0.0.0.0:443");
    }
    if (colon <= 0 || port < 1 || port > 65535) {
      throw new UsageException("--listen: expected ADDRESS:PORT, like 0.0.0.0:443");
    }
    RouterConfigWriter.Options o =
        new RouterConfigWriter.Options(
            opts.getOrDefault("--router-host", "registry.localhost"),
            opts.get("--ui-host"),
            opts.getOrDefault("--nexus-host", "127.0.0.1"),
            listen.substring(0, colon),
            port,
            opts.get("--group"),
            opts.get("--hosted"));
    try {
      out.print(
          RouterConfigWriter.write(
              layout, o, opts.getOrDefault("--layout", "the built-in layout")));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return OK;
  }
}
