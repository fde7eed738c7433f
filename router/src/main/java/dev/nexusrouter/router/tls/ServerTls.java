package dev.nexusrouter.router.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Builds a server {@link SSLContext} from PEM files, after checking that they belong together. */
public final class ServerTls {
  /** TLS 1.2 and 1.3 only. */
  public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ServerTls() {}

  /** Loads and checks the pair; the returned material is ready for {@link #context}. */
  public static Material load(Path certFile, Path keyFile) {
    List<X509Certificate> chain = PemFiles.readCertificates(certFile);
    PrivateKey key = PemFiles.readPrivateKey(keyFile);
    X509Certificate leaf = chain.get(0);
    if (!matches(key, leaf.getPublicKey())) {
      throw new TlsException(
          "private key " + keyFile + " does not match the first certificate in " + certFile);
    }
    Date now = new Date();
    if (leaf.getNotAfter().before(now)) {
      throw new TlsException(
          "certificate " + certFile + " expired on " + leaf.getNotAfter().toInstant());
    }
    return new Material(chain, key);
  }

  public static SSLContext context(Material m) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] pw = new char[0];
      ks.setKeyEntry("server", m.key(), pw, m.chain().toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsException("cannot build the TLS context: " + e.getMessage());
    }
  }

  /** Signs a probe with the private key and verifies it with the certificate's public key. */
  static boolean matches(PrivateKey key, PublicKey pub) {
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519" -> "Ed25519";
          case "DSA" -> "SHA256withDSA";
          default -> null;
        };
    if (alg == null
        || !key.getAlgorithm().equals(pub.getAlgorithm())
            && !(key.getAlgorithm().startsWith("EC") && pub.getAlgorithm().startsWith("EC"))) {
      return false;
    }
    try {
      byte[] probe = "nexus-router key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A checked certificate chain and its private key. */
  public record Material(List<X509Certificate> chain, PrivateKey key) {
    public Material {
      chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
      return "Material"
          + Arrays.toString(
              new String[] {chain.get(0).getSubjectX500Principal().getName(), "key=<redacted>"});
    }
  }
}
