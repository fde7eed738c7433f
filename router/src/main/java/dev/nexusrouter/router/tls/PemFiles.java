package dev.nexusrouter.router.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM files nginx users already have: a certificate chain bundle (leaf first) and a
 * private key in PKCS#1 ({@code RSA PRIVATE KEY}), PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code EC
 * PRIVATE KEY}) form. Errors are {@link TlsException}s with a one-line reason and the file name.
 */
public final class PemFiles {
  private PemFiles() {}

  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> certs = new ArrayList<>();
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser p = new PEMParser(r)) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          certs.add(conv.getCertificate(h));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new TlsException("cannot read certificate file " + file + ": " + reason(e));
    }
    if (certs.isEmpty()) {
      throw new TlsException("no PEM certificate found in " + file);
    }
    return certs;
  }

  public static PrivateKey readPrivateKey(Path file) {
    JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser p = new PEMParser(r)) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof PEMKeyPair kp) {
          return conv.getPrivateKey(kp.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return conv.getPrivateKey(info);
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new TlsException(
              "private key in "
                  + file
                  + " is encrypted; decrypt it (openssl pkey -in KEY -out PLAIN)");
        }
      }
    } catch (PEMException e) {
      throw new TlsException("cannot parse private key " + file + ": " + reason(e));
    } catch (IOException e) {
      throw new TlsException("cannot read private key file " + file + ": " + reason(e));
    }
    throw new TlsException("no PEM private key found in " + file);
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "file not found";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
