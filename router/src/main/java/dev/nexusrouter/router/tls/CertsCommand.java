package dev.nexusrouter.router.tls;

import dev.nexusrouter.router.cli.Commands;
import dev.nexusrouter.router.cli.Commands.UsageException;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code nexus-router certs …}: make a CA and server certificates, inspect them, trust them. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    versionProvider = Commands.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "Create a CA and wildcard certificates, inspect them, set up client trust.",
    subcommands = {
      CertsCommand.Init.class,
      CertsCommand.Show.class,
      CertsCommand.Check.class,
      CertsCommand.ClientSetupCommand.class
    },
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage error."})
public final class CertsCommand extends Commands.Group<CertsCommand.Context> {
  private static final Pattern DOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private CertsCommand(Context ctx) {
    super(ctx);
  }

  /** What the sub-commands print to and read from. */
  record Context(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {}

  /** The {@code certs} command and its sub-commands, to be added to the router's command tree. */
  public static CommandLine command(PrintStream out, PrintStream err, Map<String, String> env) {
    return command(new Context(out, err, env, Clock.systemUTC()));
  }

  static CommandLine command(Context ctx) {
    return new CommandLine(new CertsCommand(ctx));
  }

  /** Runs {@code certs ARGS} on its own; 0 ok, 1 failure, 2 usage. Never exits the JVM. */
  public static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, Clock.systemUTC());
  }

  static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
    return Commands.runAlone(
        command(new Context(out, err, env, clock)), "nexus-router certs", args, out, err);
  }

  /**
   * A sub-command: its body runs with the {@code certs} command's context, and its failures become
   * one-line messages and exit codes.
   */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand CertsCommand parent;

    abstract int run(Context ctx) throws IOException;

    @Override
    public Integer call() {
      PrintStream err = parent.context().err();
      try {
        return run(parent.context());
      } catch (UsageException e) {
        err.println("nexus-router certs: " + e.getMessage());
        err.println("run 'nexus-router certs --help' for usage");
        return Commands.USAGE;
      } catch (TlsException e) {
        err.println("nexus-router certs: " + e.getMessage());
        return Commands.FAILED;
      } catch (IOException e) {
        err.println("nexus-router certs: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        return Commands.FAILED;
      }
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
  static final class Init extends Sub {
    @Option(
        names = "--domain",
        paramLabel = "DOMAIN",
        description = "DNS domain of the certificate (repeatable; required)")
    List<String> domains = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDR", description = "IP address SAN (repeatable)")
    List<String> ips = new ArrayList<>();

    /** Text: a wrong number is reported as a usage error of this command, not picocli's. */
    @Option(
        names = "--days",
        paramLabel = "N",
        description = "server certificate validity in days (default 825)")
    String days;

    @Option(
        names = "--key-type",
        paramLabel = "TYPE",
        description = "server key: ecdsa (P-256, the default) or rsa (RSA 2048)")
    String keyType = "ecdsa";

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (required)")
    Path out;

    @Option(names = "--force-new-ca", description = "replace the CA (clients must trust it again)")
    boolean forceNewCa;

    @Override
    int run(Context ctx) throws IOException {
      return init(this, ctx.out(), ctx.clock());
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
  static final class Show extends Sub {
    @Parameters(paramLabel = "FILE", arity = "1", description = "PEM certificate file")
    Path file;

    @Override
    int run(Context ctx) {
      PrintStream out = ctx.out();
      List<X509Certificate> certs = PemFiles.readCertificates(file);
      Instant now = ctx.clock().instant();
      for (int i = 0; i < certs.size(); i++) {
        if (certs.size() > 1) {
          out.println((i == 0 ? "" : "\n") + "certificate " + (i + 1) + " of " + certs.size());
        }
        CertificateInfo.describe(certs.get(i), now, ServerTls.EXPIRY_WARNING).forEach(out::println);
      }
      return certs.get(0).getNotAfter().toInstant().isBefore(now) ? Commands.FAILED : Commands.OK;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      versionProvider = Commands.Version.class,
      description = "Load a certificate/key pair the way serve does and report problems.")
  static final class Check extends Sub {
    @Option(names = "--cert", paramLabel = "FILE", description = "certificate chain (required)")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "private key (required)")
    Path key;

    @Option(
        names = "--passphrase-file",
        paramLabel = "FILE",
        description = "file holding the key's passphrase")
    Path passphraseFile;

    @Option(
        names = "--passphrase-env",
        paramLabel = "VAR",
        description = "environment variable holding the key's passphrase")
    String passphraseEnv;

    @Override
    int run(Context ctx) {
      PrintStream out = ctx.out();
      ServerTls.Material m =
          ServerTls.load(
              Commands.required(cert, "--cert"),
              Commands.required(key, "--key"),
              passphrase(ctx.env()));
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
      return Commands.OK;
    }

    private KeyPassphrase passphrase(Map<String, String> env) {
      if (passphraseFile != null && passphraseEnv != null) {
        throw new UsageException("give --passphrase-file or --passphrase-env, not both");
      }
      return KeyPassphrase.of(passphraseFile, passphraseEnv, env);
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
  static final class ClientSetupCommand extends Sub {
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
    Path root = Path.of("/");

    @Override
    int run(Context ctx) throws IOException {
      return clientSetup(this, ctx.out());
    }
  }

  private static int init(Init o, PrintStream out, Clock clock) throws IOException {
    List<String> domains = new ArrayList<>();
    for (String d : o.domains) {
      domains.add(domain(d));
    }
    if (domains.isEmpty()) {
      throw new UsageException("--domain is required");
    }
    List<InetAddress> ips = new ArrayList<>();
    for (String ip : o.ips) {
      ips.add(ipLiteral(ip));
    }
    Duration days = Duration.ofDays(days(o.days));
    CertificateAuthority.KeyType keyType =
        CertificateAuthority.KeyType.parse(o.keyType)
            .orElseThrow(
                () ->
                    new UsageException("--key-type must be ecdsa or rsa, not '" + o.keyType + "'"));
    Path dir = Commands.required(o.out, "--out");
    Path caCert = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    CertificateAuthority ca;
    if (o.forceNewCa || !Files.exists(caCert) && !Files.exists(caKey)) {
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
    CertificateAuthority.Issued issued = ca.issueServer(names, ips, days, keyType);
    Path serverCert = dir.resolve("server.crt");
    Path serverKey = dir.resolve("server.key");
    CertificateAuthority.writeServer(issued, serverCert, serverKey);
    X509Certificate c = issued.cert();
    out.println("issued server   " + serverCert + " (key " + serverKey + ", mode 0600)");
    out.println("  names         " + String.join(", ", CertificateInfo.subjectAltNames(c)));
    out.println("  serial        " + c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT));
    out.println("  valid until   " + c.getNotAfter().toInstant());
    out.println("  key           " + describeKey(keyType));
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
    return Commands.OK;
  }

  private static String describeKey(CertificateAuthority.KeyType keyType) {
    return keyType == CertificateAuthority.KeyType.RSA ? "RSA 2048" : "ECDSA P-256";
  }

  private static int clientSetup(ClientSetupCommand o, PrintStream out) throws IOException {
    String host;
    try {
      host = ClientSetup.checkHost(o.host);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String caFile = o.ca;
    String url = o.download;
    String fingerprint = o.fingerprint;
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
    if (o.apply) {
      ClientSetup.apply(targets, o.root, out);
    }
    ClientSetup.print(targets, o.apply, out);
    return Commands.OK;
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

  /** {@code --days}: from 1 to 3650, 825 when not given. */
  private static int days(String text) {
    if (text == null) {
      return 825;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= 3650) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--days must be a number from 1 to 3650");
  }
}
