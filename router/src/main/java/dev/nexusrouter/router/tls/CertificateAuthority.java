package dev.nexusrouter.router.tls;

import dev.nexusrouter.common.AtomicFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private root CA that signs server certificates, replacing the seed's external shell project.
 *
 * <p>Keys are ECDSA P-256 by default: as strong as RSA 3072, generated in milliseconds rather than
 * seconds, accepted by every registry client (Go, containerd, curl, Java), and a full TLS handshake
 * signs with it for a fraction of an RSA 2048 signature's CPU (BENCHMARKS.md). Server keys can be
 * RSA 2048 ({@link KeyType#RSA}, {@code certs init --key-type rsa}) for clients or TLS stacks that
 * need one; the CA's signature on them stays ECDSA.
 */
final class CertificateAuthority {
  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /**
   * Apple platforms refuse server certificates valid longer than 825 days even from private roots;
   * rotate by re-running {@code certs init}.
   */
  static final Duration SERVER_VALIDITY = Duration.ofDays(825);

  /** Start validity a little in the past so clients with a slow clock accept a new certificate. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  private final X509Certificate cert;
  private final PrivateKey key;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private CertificateAuthority(X509Certificate cert, PrivateKey key, Clock clock) {
    this.cert = cert;
    this.key = key;
    this.clock = clock;
  }

  /** The kind of key a server certificate gets. */
  enum KeyType {
    ECDSA,
    RSA;

    /** {@code ecdsa} or {@code rsa}, any case; empty for anything else. */
    static Optional<KeyType> parse(String name) {
      for (KeyType t : values()) {
        if (t.name().equalsIgnoreCase(name)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /** A server certificate and its key. */
  record Issued(X509Certificate cert, PrivateKey key) {
    @Override
    public String toString() {
      return "Issued[" + cert.getSubjectX500Principal().getName() + ", key=<redacted>]";
    }
  }

  /** A new self-signed root, basicConstraints CA:true pathlen:0, keyCertSign + cRLSign. */
  static CertificateAuthority create(String commonName, Clock clock) {
    KeyPair kp = ec();
    Instant now = clock.instant();
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "nexus-router")
            .addRDN(BCStyle.CN, commonName)
            .build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(new SecureRandom()),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(CA_VALIDITY)),
              name,
              kp.getPublic());
      // pathlen 0: this CA signs server certificates only, never another CA
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new CertificateAuthority(sign(b, kp.getPrivate()), kp.getPrivate(), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new TlsException("cannot create the CA certificate: " + e.getMessage());
    }
  }

  /** The CA in {@code caCert}/{@code caKey}, after checking they are a CA and belong together. */
  static CertificateAuthority load(Path caCert, Path caKey, Clock clock) {
    X509Certificate c = PemFiles.readCertificates(caCert).get(0);
    PemFiles.KeyFile file = PemFiles.readKey(caKey, KeyPassphrase.NONE);
    PrivateKey k = file.key();
    if (c.getBasicConstraints() < 0) {
      throw new TlsException(caCert + " is not a CA certificate (no basicConstraints CA:true)");
    }
    if (!KeyMatch.matches(file, c.getPublicKey())) {
      throw new TlsException("CA key " + caKey + " does not match the CA certificate " + caCert);
    }
    if (c.getNotAfter().toInstant().isBefore(clock.instant())) {
      throw new TlsException(
          "CA certificate "
              + caCert
              + " expired on "
              + c.getNotAfter().toInstant()
              + "; create a new one with --force-new-ca");
    }
    return new CertificateAuthority(c, k, clock);
  }

  X509Certificate certificate() {
    return cert;
  }

  PrivateKey key() {
    return key;
  }

  /**
   * A server certificate with an ECDSA P-256 key; see {@link #issueServer(List, List, Duration,
   * KeyType)}.
   */
  Issued issueServer(List<String> dnsNames, List<InetAddress> ips, Duration validity) {
    return issueServer(dnsNames, ips, validity, KeyType.ECDSA);
  }

  /**
   * A server certificate for {@code dnsNames} (wildcards allowed) and {@code ips}: CA:false,
   * digitalSignature (+ keyEncipherment for RSA keys, RFC 5280 section 4.2.1.3: an EC key encrypts
   * nothing), EKU serverAuth, a fresh random serial, never outliving the CA. The subject CN is the
   * first name (only for humans; clients match on the SANs).
   */
  Issued issueServer(
      List<String> dnsNames, List<InetAddress> ips, Duration validity, KeyType keyType) {
    if (dnsNames.isEmpty() && ips.isEmpty()) {
      throw new TlsException("a server certificate needs at least one name or IP address");
    }
    KeyPair kp = keyType == KeyType.RSA ? rsa(2048) : ec();
    int usage =
        keyType == KeyType.RSA
            ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
            : KeyUsage.digitalSignature;
    Instant now = clock.instant();
    Instant end = now.plus(validity);
    if (end.isAfter(cert.getNotAfter().toInstant())) {
      end = cert.getNotAfter().toInstant();
    }
    String cn = dnsNames.isEmpty() ? ips.get(0).getHostAddress() : dnsNames.get(0);
    List<GeneralName> sans = new ArrayList<>();
    dnsNames.forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
    ips.forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              cert,
              serial(random),
              Date.from(now.minus(BACKDATE)),
              Date.from(end),
              new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build(),
              kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(sans.toArray(new GeneralName[0])));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
      return new Issued(sign(b, key), kp.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new TlsException("cannot issue the server certificate: " + e.getMessage());
    }
  }

  /** Writes {@code ca.key} (0600) before {@code ca.crt}, so a certificate never lacks its key. */
  void write(Path caCert, Path caKey) throws IOException {
    AtomicFiles.createDirectories(caKey.toAbsolutePath().getParent(), AtomicFiles.OWNER_ONLY_DIR);
    AtomicFiles.write(
        caKey, ascii(PemFiles.keyPem(key, cert.getPublicKey())), AtomicFiles.OWNER_ONLY);
    AtomicFiles.write(caCert, ascii(PemFiles.toPem(cert)), AtomicFiles.PUBLIC);
  }

  /**
   * Writes the server key (0600), then the certificate: the leaf alone, since our chain has no
   * intermediate and the root is left out, as nginx users do with a public CA (RFC 8446 section
   * 4.4.2: clients already have the root; sending it only costs bytes). A reloader that sees the
   * new key before the new certificate rejects the mismatch and keeps the old pair until the
   * certificate lands a moment later.
   */
  static void writeServer(Issued issued, Path serverCert, Path serverKey) throws IOException {
    AtomicFiles.createDirectories(
        serverKey.toAbsolutePath().getParent(), AtomicFiles.OWNER_ONLY_DIR);
    AtomicFiles.write(
        serverKey,
        ascii(PemFiles.keyPem(issued.key(), issued.cert().getPublicKey())),
        AtomicFiles.OWNER_ONLY);
    AtomicFiles.write(serverCert, ascii(PemFiles.toPem(issued.cert())), AtomicFiles.PUBLIC);
  }

  private static byte[] ascii(String pem) {
    return pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  /** 159 random bits, positive: unique without bookkeeping (CA/B Forum asks for 64+). */
  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(159, random).setBit(150);
  }

  private static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot generate an EC key: " + e.getMessage());
    }
  }

  private static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot generate an RSA key: " + e.getMessage());
    }
  }

  /**
   * The address if {@code raw} is an IP literal; empty for anything else, without the DNS lookup
   * {@link InetAddress#getByName} would do for a host name.
   */
  static Optional<InetAddress> ipLiteral(String raw) {
    if (IPV4.matcher(raw).matches() || IPV6.matcher(raw).matches() && raw.contains(":")) {
      try {
        return Optional.of(InetAddress.getByName(raw));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** ECDSA for CAs made here; whatever a user's own CA key loaded from disk needs. */
  private static String signatureAlgorithm(PrivateKey signer) {
    return switch (signer.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519" -> "Ed25519";
      default -> "SHA256withRSA";
    };
  }
}
