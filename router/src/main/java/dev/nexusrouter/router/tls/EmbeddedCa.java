package dev.nexusrouter.router.tls;

import dev.nexusrouter.common.AtomicFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The certificate a TLS listener uses when none is configured: a CA and a server certificate kept
 * in {@code DATA_DIR/tls/}, created on first start and reused afterwards, so the CA that clients
 * were told to trust stays the same across restarts. The server certificate is re-issued from that
 * CA when the server names change or it is within 30 days of expiry.
 */
public final class EmbeddedCa {
  private EmbeddedCa() {}

  /**
   * Where the files are, and what {@link #ensure} did ("created CA and server certificate",
   * "reused", "re-issued server certificate: …"), for the log line that tells users where the CA
   * is.
   */
  public record Paths(Path cert, Path key, Path ca, String action) {}

  /**
   * Makes sure {@code dataDir/tls/} holds a CA and a server certificate for {@code serverNames}
   * plus {@code localhost}, {@code 127.0.0.1} and {@code ::1}. Server names may be DNS names,
   * wildcards ({@code *.example.com}) or IP literals. Safe against a concurrent call from another
   * process (file lock).
   */
  public static Paths ensure(Path dataDir, List<String> serverNames) throws IOException {
    return ensure(dataDir, serverNames, Clock.systemUTC());
  }

  static Paths ensure(Path dataDir, List<String> serverNames, Clock clock) throws IOException {
    Path dir = dataDir.resolve("tls");
    AtomicFiles.createDirectories(dir, AtomicFiles.OWNER_ONLY_DIR); // data/ and data/tls/: 0700
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve(".lock"),
            java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            AtomicFiles.ownerOnlyFile())) {
      FileLock lock = ch.lock();
      try {
        return ensureLocked(dir, names(serverNames), clock);
      } finally {
        lock.release();
      }
    }
  }

  private static Paths ensureLocked(Path dir, Names names, Clock clock) throws IOException {
    Paths paths =
        new Paths(dir.resolve("server.crt"), dir.resolve("server.key"), dir.resolve("ca.crt"), "");
    Path caKey = dir.resolve("ca.key");
    boolean haveCa = Files.exists(paths.ca());
    if (haveCa != Files.exists(caKey)) {
      throw new TlsException(
          "the embedded CA in "
              + dir
              + " is incomplete (ca.crt or ca.key missing); restore it or delete both, after"
              + " which clients must trust the new CA");
    }
    CertificateAuthority ca;
    if (haveCa) {
      ca = CertificateAuthority.load(paths.ca(), caKey, clock);
    } else {
      ca = CertificateAuthority.create("nexus-router embedded CA", clock);
      ca.write(paths.ca(), caKey);
    }
    Optional<String> reason = haveCa ? reissueReason(paths, ca, names, clock) : Optional.of("");
    if (reason.isEmpty()) {
      return new Paths(paths.cert(), paths.key(), paths.ca(), "reused");
    }
    CertificateAuthority.writeServer(
        ca.issueServer(names.dns(), names.ips(), CertificateAuthority.SERVER_VALIDITY),
        paths.cert(),
        paths.key());
    String action =
        haveCa
            ? "re-issued server certificate: " + reason.get()
            : "created CA and server certificate";
    return new Paths(paths.cert(), paths.key(), paths.ca(), action);
  }

  record Names(List<String> dns, List<InetAddress> ips) {}

  static Names names(List<String> serverNames) {
    Set<String> dns = new LinkedHashSet<>();
    Set<InetAddress> ips = new LinkedHashSet<>();
    List<String> all = new ArrayList<>(serverNames);
    all.addAll(List.of("localhost", "127.0.0.1", "::1"));
    for (String n : all) {
      Optional<InetAddress> ip = CertificateAuthority.ipLiteral(n);
      if (ip.isPresent()) {
        ips.add(ip.get());
      } else if (!n.isBlank()) {
        dns.add(n.trim().toLowerCase(Locale.ROOT));
      }
    }
    return new Names(List.copyOf(dns), List.copyOf(ips));
  }

  /** Empty when the existing server certificate can stay; otherwise why it cannot. */
  private static Optional<String> reissueReason(
      Paths paths, CertificateAuthority ca, Names names, Clock clock) {
    if (!Files.exists(paths.cert()) || !Files.exists(paths.key())) {
      return Optional.of("missing");
    }
    ServerTls.Material m;
    try {
      m = ServerTls.load(paths.cert(), paths.key(), KeyPassphrase.NONE, clock.instant());
    } catch (TlsException e) {
      return Optional.of(e.getMessage());
    }
    X509Certificate leaf = m.chain().get(0);
    if (!ChainCheck.issuedBy(leaf, ca.certificate())) {
      return Optional.of("not issued by the embedded CA");
    }
    if (leaf.getNotAfter().toInstant().isBefore(clock.instant().plus(ServerTls.EXPIRY_WARNING))) {
      return Optional.of("expires on " + leaf.getNotAfter().toInstant());
    }
    List<String> have = CertificateInfo.subjectAltNames(leaf);
    List<String> missing = new ArrayList<>();
    names.dns().stream().map(d -> "DNS:" + d).filter(s -> !have.contains(s)).forEach(missing::add);
    names.ips().stream()
        .map(ip -> "IP:" + ip.getHostAddress())
        .filter(s -> !have.contains(s))
        .forEach(missing::add);
    return missing.isEmpty()
        ? Optional.empty()
        : Optional.of("names added: " + String.join(", ", missing));
  }
}
