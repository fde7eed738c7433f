package dev.nexusrouter.router.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;

/** Builds a server {@link SSLContext} from PEM files, after checking that they belong together. */
public final class ServerTls {
  /** TLS 1.2 and 1.3 only. */
  public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /**
   * TLS 1.3 suites, then forward-secret AEAD suites for TLS 1.2 (Mozilla "intermediate" minus the
   * DHE ones): no CBC, no RSA key exchange, no SHA-1 MACs. All of them are allowed by HTTP/2 (RFC
   * 7540 appendix A), so ALPN never picks h2 on a suite the client must then refuse.
   */
  public static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** A certificate that expires sooner than this is loaded with a warning. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private ServerTls() {}

  /** Loads and checks the pair; the returned material is ready for {@link #context}. */
  public static Material load(Path certFile, Path keyFile) {
    return load(certFile, keyFile, KeyPassphrase.NONE);
  }

  /**
   * Loads and checks the pair, decrypting the key with {@code pass} if it is encrypted. Refuses
   * (with a one-line {@link TlsException}) a key that does not match, an expired certificate, a
   * chain out of order or a missing intermediate; {@link Material#warnings()} lists what is merely
   * suspicious (expiring soon, an issuer the router cannot see).
   */
  public static Material load(Path certFile, Path keyFile, KeyPassphrase pass) {
    return load(certFile, keyFile, pass, Instant.now());
  }

  static Material load(Path certFile, Path keyFile, KeyPassphrase pass, Instant now) {
    List<X509Certificate> chain = PemFiles.readCertificates(certFile);
    PemFiles.KeyFile file = PemFiles.readKey(keyFile, pass);
    PrivateKey key = file.key();
    X509Certificate leaf = chain.get(0);
    if (!KeyMatch.matches(file, leaf.getPublicKey())) {
      throw new TlsException(
          "private key " + keyFile + " does not match the first certificate in " + certFile);
    }
    List<String> warnings = new ArrayList<>(validity(chain, certFile, now));
    warnings.addAll(ChainCheck.check(chain, certFile, siblingCa(certFile)));
    return new Material(chain, key, warnings);
  }

  /**
   * A context limited to {@link #PROTOCOLS} and {@link #CIPHER_SUITES} in every engine it creates,
   * whatever the listener options say. ALPN ({@code h2}, {@code http/1.1}) is added per engine by
   * Undertow when HTTP/2 is enabled.
   */
  public static SSLContext context(Material m) {
    return context(m, TlsEngine.JDK);
  }

  /**
   * Like {@link #context(Material)}, on {@code engine}: OpenSSL for an RSA key when it is loaded,
   * else JSSE (docs/tls.md#tls-engine). Throws {@link TlsException} when {@code tls-engine:
   * openssl} meets a key OpenSSL cannot serve.
   */
  public static SSLContext context(Material m, TlsEngine engine) {
    try {
      SSLContext ctx = engine.context(m, new SingleKeyManager(m.chain(), m.key()));
      return HardenedContext.wrap(ctx, PROTOCOLS, CIPHER_SUITES);
    } catch (TlsException e) {
      throw e;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new TlsException("cannot build the TLS context: " + e.getMessage());
    }
  }

  /** Expired certificates are refused, ones expiring within {@link #EXPIRY_WARNING} warned. */
  private static List<String> validity(List<X509Certificate> chain, Path certFile, Instant now) {
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      String which = i == 0 ? "certificate " + certFile : describe(i, c) + " in " + certFile;
      Instant notAfter = c.getNotAfter().toInstant();
      if (notAfter.isBefore(now)) {
        throw new TlsException(which + " expired on " + notAfter);
      }
      if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
        long days = Duration.between(now, notAfter).toDays();
        warnings.add(which + " expires in " + days + " days, on " + notAfter);
      }
      if (c.getNotBefore().toInstant().isAfter(now)) {
        warnings.add(which + " is not valid before " + c.getNotBefore().toInstant());
      }
    }
    return warnings;
  }

  static String describe(int index, X509Certificate c) {
    return "certificate " + (index + 1) + " ('" + c.getSubjectX500Principal().getName() + "')";
  }

  /** {@code ca.crt} next to the certificate, as {@code certs init} and the embedded CA write it. */
  private static List<X509Certificate> siblingCa(Path certFile) {
    Path dir = certFile.toAbsolutePath().getParent();
    Path ca = dir == null ? null : dir.resolve("ca.crt");
    if (ca == null || !Files.isRegularFile(ca) || ca.equals(certFile.toAbsolutePath())) {
      return List.of();
    }
    try {
      return PemFiles.readCertificates(ca);
    } catch (TlsException e) {
      return List.of();
    }
  }

  /** A checked certificate chain, its private key, and what looked wrong but not fatal. */
  public record Material(List<X509Certificate> chain, PrivateKey key, List<String> warnings) {
    public Material {
      chain = List.copyOf(chain);
      warnings = List.copyOf(warnings);
    }

    public Material(List<X509Certificate> chain, PrivateKey key) {
      this(chain, key, List.of());
    }

    @Override
    public String toString() {
      return "Material"
          + Arrays.toString(
              new String[] {chain.get(0).getSubjectX500Principal().getName(), "key=<redacted>"});
    }
  }
}
