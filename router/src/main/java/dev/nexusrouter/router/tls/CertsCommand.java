package dev.nexusrouter.router.tls;

import dev.nexusrouter.router.cli.Commands;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nexus-router certs …}: make a CA and server certificates, inspect them, trust them. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    versionProvider = Commands.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "Create a CA and wildcard certificates, inspect them, set up client trust.",
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage error."})
public final class CertsCommand implements Callable<Integer> {
  private static final Pattern DOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  @Spec CommandSpec spec;

  private CertsCommand() {}

  @Override
  public Integer call() {
    return Commands.missingSubcommand(spec);
  }

  /** What the sub-commands print to and read from. */
  record Context(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {}

  /** The {@code certs} command and its sub-commands, to be added to the router's command tree. */
  public static CommandLine command(PrintStream out, PrintStream err, Map<String, String> env) {
    return command(new Context(out, err, env, Clock.systemUTC()));
  }

  static CommandLine command(Context ctx) {
    CommandLine cl = new CommandLine(new CertsCommand());
    cl.addSubcommand(new Init(ctx));
    cl.addSubcommand(new Show(ctx));
    cl.addSubcommand(new Check(ctx));
    cl.addSubcommand(new ClientSetupCommand(ctx));
    return cl;
  }

  /** Runs {@code certs ARGS} on its own; 0 ok, 1 failure, 2 usage. Never exits the JVM. */
  public static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, Clock.systemUTC());
  }

  static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
    CommandLine cl = command(new Context(out, err, env, clock));
    cl.setCommandName("nexus-router certs");
    return Commands.configure(cl, out, err).execute(args.toArray(String[]::new));
  }

  /** A sub-command body: reads its options, returns an exit code. */
  private interface Body {
    int run(Options o, Context ctx) throws IOException;
  }

  /** Runs a sub-command, turning its failures into one-line messages and exit codes. */
  private static int guard(Context ctx, Options o, Body body) {
    PrintStream err = ctx.err();
    try {
      return body.run(o, ctx);
    } catch (UsageException e) {
      err.println("nexus-router certs: " + e.getMessage());
      err.println("run 'nexus-router certs --help' for usage");
      return 2;
    } catch (TlsException e) {
      err.println("nexus-router certs: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("nexus-router certs: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Create a CA and a server certificate.",
        "Creates DIR/ca.crt + ca.key (once) and a new server.crt + server.key for *.DOMAIN and"
            + " DOMAIN (and each --ip), signed by that CA; re-running rotates the server"
            + " certificate and keeps the CA unless --force-new-ca."
      })
  static final class Init implements Callable<Integer> {
    private final Context ctx;

    @Option(
        names = "--domain",
        paramLabel = "DOMAIN",
        description = "DNS domain of the certificate (repeatable; required)")
    List<String> domains = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDR", description = "IP address SAN (repeatable)")
    List<String> ips = new ArrayList<>();

    @Option(
        names = "--days",
        paramLabel = "N",
        description = "server certificate validity in days (default 825)")
    String days;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (required)")
    String out;

    @Option(names = "--force-new-ca", description = "replace the CA (clients must trust it again)")
    boolean forceNewCa;

    Init(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      Options o = new Options();
      o.values.put("--domain", domains);
      o.values.put("--ip", ips);
      o.put("--days", days);
      o.put("--out", out);
      if (forceNewCa) {
        o.flags.add("--force-new-ca");
      }
      return guard(ctx, o, (opts, c) -> init(opts, c.out(), c.clock()));
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Describe the certificates of a PEM file.",
        "Subject, SANs, issuer, validity and SHA-256 fingerprint of each certificate in FILE;"
            + " warns when one expires within 30 days (exit 1 if the first has expired)."
      })
  static final class Show implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "FILE", arity = "1", description = "PEM certificate file")
    String file;

    Show(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      Options o = new Options();
      o.positional.add(file);
      return guard(ctx, o, (opts, c) -> show(opts, c.out(), c.clock()));
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = "Load a certificate/key pair the way serve does and report problems.")
  static final class Check implements Callable<Integer> {
    private final Context ctx;

    @Option(names = "--cert", paramLabel = "FILE", description = "certificate chain (required)")
    String cert;

    @Option(names = "--key", paramLabel = "FILE", description = "private key (required)")
    String key;

    @Option(
        names = "--passphrase-file",
        paramLabel = "FILE",
        description = "file holding the key's passphrase")
    String passphraseFile;

    @Option(
        names = "--passphrase-env",
        paramLabel = "VAR",
        description = "environment variable holding the key's passphrase")
    String passphraseEnv;

    Check(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      Options o = new Options();
      o.put("--cert", cert);
      o.put("--key", key);
      o.put("--passphrase-file", passphraseFile);
      o.put("--passphrase-env", passphraseEnv);
      return guard(ctx, o, (opts, c) -> check(opts, c.out(), c.env()));
    }
  }

  @Command(
      name = "client-setup",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = {
        "Set up docker, containerd and podman/skopeo to trust the router's CA.",
        "Prints (or with --apply writes, as root) the docker, containerd and podman/skopeo trust"
            + " files for HOST[:PORT]; --download fetches the CA from the running router (e.g."
            + " https://ui-host/download/ca.crt) and refuses it unless its SHA-256 fingerprint"
            + " (from certs show) matches."
      })
  static final class ClientSetupCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "HOST[:PORT]", arity = "1", description = "the registry name")
    String host;

    @Option(names = "--ca", paramLabel = "FILE", description = "the CA certificate to trust")
    String ca;

    @Option(names = "--download", paramLabel = "URL", description = "where to fetch the CA")
    String download;

    @Option(
        names = "--fingerprint",
        paramLabel = "SHA256",
        description = "the CA's SHA-256 fingerprint (needed with --download)")
    String fingerprint;

    @Option(names = "--apply", description = "write the files instead of printing them")
    boolean apply;

    @Option(names = "--root", paramLabel = "DIR", description = "file system root (default /)")
    String root;

    ClientSetupCommand(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      Options o = new Options();
      o.positional.add(host);
      o.put("--ca", ca);
      o.put("--download", download);
      o.put("--fingerprint", fingerprint);
      o.put("--root", root);
      if (apply) {
        o.flags.add("--apply");
      }
      return guard(ctx, o, (opts, c) -> clientSetup(opts, c.out()));
    }
  }

  private static int init(Options o, PrintStream out, Clock clock) throws IOException {
    o.positional(0);
    List<String> domains = new ArrayList<>();
    for (String d : o.all("--domain")) {
      domains.add(domain(d));
    }
    if (domains.isEmpty()) {
      throw new UsageException("--domain is required");
    }
    List<InetAddress> ips = new ArrayList<>();
    for (String ip : o.all("--ip")) {
      ips.add(ipLiteral(ip));
    }
    Duration days = Duration.ofDays(o.intValue("--days", 825, 1, 3650));
    Path dir = Path.of(o.required("--out"));
    Path caCert = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    CertificateAuthority ca;
    if (o.flag("--force-new-ca") || !Files.exists(caCert) && !Files.exists(caKey)) {
      ca = CertificateAuthority.create("nexus-router CA " + domains.get(0), clock);
      ca.write(caCert, caKey);
      out.println("created CA      " + caCert + " (key " + caKey + ", mode 0600)");
    } else if (Files.exists(caCert) && Files.exists(caKey)) {
      ca = CertificateAuthority.load(caCert, caKey, clock);
      out.println("using CA        " + caCert + " (kept; --force-new-ca replaces it)");
    } else {
      Path missing = Files.exists(caCert) ? caKey : caCert;
      throw new TlsException(
          "found only half of the CA in "
              + dir
              + ": "
              + missing
              + " is missing; restore it, or"
              + " replace the CA with --force-new-ca (every client must then trust the new one)");
    }
    List<String> names = new ArrayList<>();
    domains.forEach(
        d -> {
          names.add("*." + d);
          names.add(d);
        });
    CertificateAuthority.Issued issued = ca.issueServer(names, ips, days);
    Path serverCert = dir.resolve("server.crt");
    Path serverKey = dir.resolve("server.key");
    CertificateAuthority.writeServer(issued, serverCert, serverKey);
    X509Certificate c = issued.cert();
    out.println("issued server   " + serverCert + " (key " + serverKey + ", mode 0600)");
    out.println("  names         " + String.join(", ", CertificateInfo.subjectAltNames(c)));
    out.println("  serial        " + c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT));
    out.println("  valid until   " + c.getNotAfter().toInstant());
    out.println("CA SHA-256      " + CertificateInfo.fingerprint(ca.certificate()));
    out.println(
        "router config:  tls: {cert-file: " + serverCert + ", key-file: " + serverKey + "}");
    out.println(
        "nginx:          ssl_certificate "
            + serverCert
            + "; ssl_certificate_key "
            + serverKey
            + ";");
    out.println(
        "clients:        nexus-router certs client-setup registry."
            + domains.get(0)
            + " --ca "
            + caCert
            + " --apply");
    return 0;
  }

  private static int show(Options o, PrintStream out, Clock clock) {
    Path file = Path.of(o.positional(1).get(0));
    List<X509Certificate> certs = PemFiles.readCertificates(file);
    Instant now = clock.instant();
    for (int i = 0; i < certs.size(); i++) {
      if (certs.size() > 1) {
        out.println((i == 0 ? "" : "\n") + "certificate " + (i + 1) + " of " + certs.size());
      }
      CertificateInfo.describe(certs.get(i), now, ServerTls.EXPIRY_WARNING).forEach(out::println);
    }
    return certs.get(0).getNotAfter().toInstant().isBefore(now) ? 1 : 0;
  }

  private static int check(Options o, PrintStream out, Map<String, String> env) {
    o.positional(0);
    Path cert = Path.of(o.required("--cert"));
    Path key = Path.of(o.required("--key"));
    ServerTls.Material m = ServerTls.load(cert, key, passphrase(o, env));
    ServerTls.context(m);
    X509Certificate leaf = m.chain().get(0);
    out.println(
        "ok: "
            + leaf.getSubjectX500Principal().getName()
            + ", "
            + m.chain().size()
            + " certificate(s), valid until "
            + leaf.getNotAfter().toInstant());
    m.warnings().forEach(w -> out.println("WARNING: " + w));
    return 0;
  }

  static KeyPassphrase passphrase(Options o, Map<String, String> env) {
    String file = o.value("--passphrase-file");
    String var = o.value("--passphrase-env");
    if (file != null && var != null) {
      throw new UsageException("give --passphrase-file or --passphrase-env, not both");
    }
    if (file != null) {
      return KeyPassphrase.fromFile(Path.of(file));
    }
    return var != null ? KeyPassphrase.fromEnv(env, var) : KeyPassphrase.NONE;
  }

  private static int clientSetup(Options o, PrintStream out) throws IOException {
    String host;
    try {
      host = ClientSetup.checkHost(o.positional(1).get(0));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String caFile = o.value("--ca");
    String url = o.value("--download");
    String fingerprint = o.value("--fingerprint");
    if ((caFile == null) == (url == null)) {
      throw new UsageException("give exactly one of --ca FILE or --download URL");
    }
    ClientSetup.Ca ca;
    if (url != null) {
      if (fingerprint == null) {
        throw new UsageException(
            "--download needs --fingerprint SHA256 (from 'nexus-router certs show ca.crt' on the"
                + " router host): the download itself cannot be trusted yet");
      }
      ca = ClientSetup.download(uri(url), fingerprint);
      out.println("downloaded CA from " + url + " (fingerprint verified)");
    } else {
      ca = ClientSetup.fromFile(Path.of(caFile));
      if (fingerprint != null) {
        String want = CertificateInfo.normalizeFingerprint(fingerprint);
        String got = CertificateInfo.fingerprint(ca.certs().get(0));
        if (!got.replace(":", "").equalsIgnoreCase(want)) {
          throw new TlsException(
              "fingerprint mismatch: " + caFile + " has SHA-256 " + got + "; not trusting it");
        }
      }
    }
    X509Certificate first = ca.certs().get(0);
    out.println(
        "CA: "
            + first.getSubjectX500Principal().getName()
            + ", SHA-256 "
            + CertificateInfo.fingerprint(first));
    if (first.getBasicConstraints() < 0) {
      out.println("WARNING: this certificate is not a CA; trust the CA that issued it instead");
    }
    List<ClientSetup.Target> targets = ClientSetup.plan(host, ca);
    boolean apply = o.flag("--apply");
    if (apply) {
      ClientSetup.apply(targets, Path.of(o.valueOr("--root", "/")), out);
    }
    ClientSetup.print(targets, apply, out);
    return 0;
  }

  private static URI uri(String url) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new UsageException("--download: not a URL: " + url);
    }
  }

  private static String domain(String raw) {
    String d = raw.toLowerCase(Locale.ROOT);
    if (d.startsWith("*.")) {
      d = d.substring(2);
    }
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (!DOMAIN.matcher(d).matches() || d.length() > 253) {
      throw new UsageException("--domain: '" + raw + "' is not a DNS name (e.g. example.com)");
    }
    return d;
  }

  private static InetAddress ipLiteral(String raw) {
    return CertificateAuthority.ipLiteral(raw)
        .orElseThrow(
            () -> new UsageException("--ip: '" + raw + "' is not an IPv4 or IPv6 address"));
  }

  /** A wrong command line: exit code 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /** Option values as the sub-commands read them; picocli has rejected unknown options. */
  static final class Options {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();
    private final List<String> positional = new ArrayList<>();

    void put(String name, String value) {
      if (value != null) {
        values.put(name, List.of(value));
      }
    }

    List<String> positional(int count) {
      if (positional.size() != count) {
        throw new UsageException(
            count == 0
                ? "unexpected argument '" + positional.get(0) + "'"
                : "expected " + count + " argument(s), got " + positional.size());
      }
      return positional;
    }

    boolean flag(String name) {
      return flags.contains(name);
    }

    List<String> all(String name) {
      return values.getOrDefault(name, List.of());
    }

    String value(String name) {
      List<String> v = all(name);
      if (v.size() > 1) {
        throw new UsageException(name + " given more than once");
      }
      return v.isEmpty() ? null : v.get(0);
    }

    String valueOr(String name, String fallback) {
      String v = value(name);
      return v == null ? fallback : v;
    }

    String required(String name) {
      String v = value(name);
      if (v == null) {
        throw new UsageException(name + " is required");
      }
      return v;
    }

    int intValue(String name, int fallback, int min, int max) {
      String v = value(name);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new UsageException(name + " must be a number from " + min + " to " + max);
    }
  }
}
