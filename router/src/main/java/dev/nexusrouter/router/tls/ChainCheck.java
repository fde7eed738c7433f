package dev.nexusrouter.router.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * Checks the order and completeness of a certificate bundle the way nginx users build it: server
 * certificate first, then each issuer; the root may be left out (RFC 8446 section 4.4.2).
 *
 * <p>"Missing intermediate" is decided like this. A bundle with intermediates whose last issuer is
 * absent is normal (the root is left out). A bundle with the server certificate alone, not
 * self-signed, is fine when its issuer is in a {@code ca.crt} next to the bundle. Otherwise, if the
 * certificate carries an Authority Information Access "CA Issuers" URL, it comes from a CA that
 * signs through intermediates (every public CA does, e.g. Let's Encrypt's {@code cert.pem} instead
 * of {@code fullchain.pem}): unless its issuer is a root in the JDK trust store, that is refused,
 * because browsers may fetch the intermediate but docker, containerd and skopeo do not. Without AIA
 * it is most likely issued straight from a private root the clients trust directly (the seed's
 * wildcard CA): a warning only.
 */
final class ChainCheck {
  private ChainCheck() {}

  static List<String> check(List<X509Certificate> chain, Path file, List<X509Certificate> extra) {
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      if (selfSigned(c)) {
        if (i < chain.size() - 1) {
          warnings.add(
              (chain.size() - 1 - i)
                  + " certificate(s) after the self-signed "
                  + ServerTls.describe(i, c)
                  + " in "
                  + file
                  + " are not part of the chain");
        }
        return warnings;
      }
      if (i + 1 < chain.size()) {
        X509Certificate next = chain.get(i + 1);
        if (!issuedBy(c, next)) {
          throw new TlsException(
              "certificate chain in "
                  + file
                  + " is out of order: "
                  + ServerTls.describe(i + 1, next)
                  + " is not the issuer of "
                  + ServerTls.describe(i, c)
                  + "; put the server certificate first, then each intermediate in order");
        }
        continue;
      }
      if (i == 0) {
        leafIssuerMissing(c, file, extra, warnings);
      }
    }
    return warnings;
  }

  private static void leafIssuerMissing(
      X509Certificate c, Path file, List<X509Certificate> extra, List<String> warnings) {
    if (extra.stream().anyMatch(a -> issuedBy(c, a))) {
      return;
    }
    String issuer = c.getIssuerX500Principal().getName();
    // Only a certificate with a CA Issuers URL can be refused, so only then is the JDK trust store
    // (some 150 certificates to parse) worth loading: its issuer could be a public root itself.
    // Without the URL the outcome is a warning either way (docs/operations.md#start-up).
    if (hasCaIssuersUrl(c) && !trustedByJdk(c)) {
      throw new TlsException(
          "certificate chain in "
              + file
              + " is incomplete: the intermediate '"
              + issuer
              + "' that issued "
              + ServerTls.describe(0, c)
              + " is missing; use the full chain (server certificate first, then intermediates,"
              + " e.g. fullchain.pem; append '"
              + issuer
              + "' too if it is a root)");
    }
    warnings.add(
        "the issuer '"
            + issuer
            + "' of "
            + ServerTls.describe(0, c)
            + " is not in "
            + file
            + "; clients must trust it as a root (fine for a private CA, otherwise append the"
            + " intermediate)");
  }

  static boolean selfSigned(X509Certificate c) {
    return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && issuedBy(c, c);
  }

  /**
   * Whether {@code parent} issued {@code child}: the names agree, then the child's authority key
   * identifier and the parent's subject key identifier when both carry one (a CA made again under
   * the same name has a new key, so a new identifier), else the signature. The identifiers spare a
   * signature check per link at start-up; clients still verify every signature themselves.
   */
  static boolean issuedBy(X509Certificate child, X509Certificate parent) {
    if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
      return false;
    }
    byte[] authorityKey = keyIdentifier(child, Extension.authorityKeyIdentifier);
    byte[] subjectKey = keyIdentifier(parent, Extension.subjectKeyIdentifier);
    if (authorityKey != null && subjectKey != null) {
      return Arrays.equals(authorityKey, subjectKey);
    }
    try {
      child.verify(parent.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The key identifier of that extension, or null when absent or unreadable. */
  private static byte[] keyIdentifier(X509Certificate c, ASN1ObjectIdentifier extension) {
    byte[] ext = c.getExtensionValue(extension.getId());
    if (ext == null) {
      return null;
    }
    try {
      byte[] octets = ASN1OctetString.getInstance(ext).getOctets();
      if (extension.equals(Extension.subjectKeyIdentifier)) {
        return SubjectKeyIdentifier.getInstance(octets).getKeyIdentifier();
      }
      ASN1OctetString id = AuthorityKeyIdentifier.getInstance(octets).getKeyIdentifierObject();
      return id == null ? null : id.getOctets();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean hasCaIssuersUrl(X509Certificate c) {
    byte[] ext = c.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (ext == null) {
      return false;
    }
    try {
      var octets = ASN1OctetString.getInstance(ext).getOctets();
      return Arrays.stream(AuthorityInformationAccess.getInstance(octets).getAccessDescriptions())
          .anyMatch(d -> d.getAccessMethod().equals(AccessDescription.id_ad_caIssuers));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean trustedByJdk(X509Certificate c) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x
            && Arrays.stream(x.getAcceptedIssuers()).anyMatch(a -> issuedBy(c, a))) {
          return true;
        }
      }
    } catch (GeneralSecurityException e) {
      return false;
    }
    return false;
  }
}
