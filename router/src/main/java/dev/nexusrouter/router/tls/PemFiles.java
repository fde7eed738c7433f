package dev.nexusrouter.router.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads the PEM files nginx users already have: a certificate chain bundle (leaf first) and a
 * private key in PKCS#1 ({@code RSA PRIVATE KEY}), PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC
 * PRIVATE KEY}), encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}, e.g. {@code openssl pkcs8 -topk8
 * -v2 aes-256-cbc}) or legacy encrypted PKCS#1 ({@code Proc-Type: 4,ENCRYPTED}) form. Errors are
 * {@link TlsException}s with a one-line reason and the file name.
 */
public final class PemFiles {
  /**
   * A private instance, never registered in {@link java.security.Security}: the JDK providers do
   * not resolve every PBES2 parameter set openssl writes (e.g. scrypt), Bouncy Castle does. Made
   * only when an encrypted key is read: building the provider registers its whole algorithm table,
   * a third of the router's start-up CPU when it was a plain static field (BENCHMARKS.md).
   */
  private static final class Bc {
    static final Provider INSTANCE = new BouncyCastleProvider();

    private Bc() {}
  }

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

  /** Reads an unencrypted key; an encrypted one is refused with a hint. */
  public static PrivateKey readPrivateKey(Path file) {
    return readPrivateKey(file, KeyPassphrase.NONE);
  }

  /** Reads a key, decrypting it with {@code pass} when it is encrypted. */
  public static PrivateKey readPrivateKey(Path file, KeyPassphrase pass) {
    return readKey(file, pass).key();
  }

  /**
   * A private key as its file holds it, with the public key the file carries too, or null: EC keys
   * written by openssl and by {@code certs init} hold their public point, so that checking the key
   * against a certificate needs no arithmetic (see {@link KeyMatch}).
   */
  public record KeyFile(PrivateKey key, byte[] publicKey) {
    @Override
    public String toString() {
      return "KeyFile[" + key.getAlgorithm() + ", key=<redacted>]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyFile k
          && key.equals(k.key)
          && java.util.Arrays.equals(publicKey, k.publicKey);
    }

    @Override
    public int hashCode() {
      return key.hashCode();
    }
  }

  /** Like {@link #readPrivateKey(Path, KeyPassphrase)}, with the public key the file carries. */
  public static KeyFile readKey(Path file, KeyPassphrase pass) {
    JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser p = new PEMParser(r)) {
      Object o;
      while ((o = p.readObject()) != null) {
        PrivateKeyInfo info = null;
        if (o instanceof PEMKeyPair kp) {
          info = kp.getPrivateKeyInfo();
        } else if (o instanceof PrivateKeyInfo plain) {
          info = plain;
        } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
          info = decrypt(enc, file, pass);
        } else if (o instanceof PEMEncryptedKeyPair enc) {
          info = decrypt(enc, file, pass);
        }
        if (info != null) {
          return new KeyFile(conv.getPrivateKey(info), publicKeyIn(info));
        }
      }
    } catch (PEMException e) {
      throw new TlsException("cannot parse private key " + file + ": " + reason(e));
    } catch (IOException e) {
      throw new TlsException("cannot read private key file " + file + ": " + reason(e));
    }
    throw new TlsException("no PEM private key found in " + file);
  }

  /** The public key inside a private key's structure (PKCS#8 v2, or SEC1's EC point), or null. */
  private static byte[] publicKeyIn(PrivateKeyInfo info) {
    try {
      if (info.getPublicKeyData() != null) {
        return info.getPublicKeyData().getBytes();
      }
      if (info.getPrivateKeyAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        ASN1BitString point = ECPrivateKey.getInstance(info.parsePrivateKey()).getPublicKey();
        return point == null ? null : point.getBytes();
      }
    } catch (IOException | RuntimeException e) {
      return null; // unusual structure: the key is still checked, by arithmetic
    }
    return null;
  }

  private static PrivateKeyInfo decrypt(
      PKCS8EncryptedPrivateKeyInfo enc, Path file, KeyPassphrase pass) {
    char[] chars = passphrase(file, pass);
    try {
      return enc.decryptPrivateKeyInfo(
          new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.INSTANCE).build(chars));
    } catch (PKCSException | OperatorCreationException | RuntimeException e) {
      // a wrong key shows as bad padding, or (1 in 256) as garbage that is not DER
      throw wrongPassphrase(file, pass);
    } finally {
      java.util.Arrays.fill(chars, '\0');
    }
  }

  private static PrivateKeyInfo decrypt(PEMEncryptedKeyPair enc, Path file, KeyPassphrase pass) {
    char[] chars = passphrase(file, pass);
    try {
      return enc.decryptKeyPair(
              new JcePEMDecryptorProviderBuilder().setProvider(Bc.INSTANCE).build(chars))
          .getPrivateKeyInfo();
    } catch (IOException | RuntimeException e) {
      throw wrongPassphrase(file, pass);
    } finally {
      java.util.Arrays.fill(chars, '\0');
    }
  }

  private static char[] passphrase(Path file, KeyPassphrase pass) {
    return pass.chars()
        .orElseThrow(
            () ->
                new TlsException(
                    "private key "
                        + file
                        + " is encrypted and no passphrase was given (use a passphrase file or"
                        + " environment variable)"));
  }

  private static TlsException wrongPassphrase(Path file, KeyPassphrase pass) {
    return new TlsException(
        "wrong passphrase for private key " + file + " (passphrase from " + pass.source() + ")");
  }

  /**
   * PEM text of a private key as unencrypted PKCS#8 ("PRIVATE KEY"); an EC key carries its public
   * point ({@code pub}), as openssl writes it, which spares the key check at every start an EC
   * multiplication (see {@link #readKey}).
   */
  static String keyPem(PrivateKey key, PublicKey pub) {
    if (!(key instanceof java.security.interfaces.ECPrivateKey ec)) {
      return toPem(key);
    }
    try {
      PrivateKeyInfo in = PrivateKeyInfo.getInstance(key.getEncoded());
      ECPrivateKey inner = ECPrivateKey.getInstance(in.parsePrivateKey());
      byte[] point = KeyMatch.encodedPoint(pub);
      ECPrivateKey withPoint =
          new ECPrivateKey(
              ec.getParams().getOrder().bitLength(), inner.getKey(), new DERBitString(point), null);
      PrivateKeyInfo out = new PrivateKeyInfo(in.getPrivateKeyAlgorithm(), withPoint);
      StringWriter sw = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
        w.writeObject(new PemObject("PRIVATE KEY", out.getEncoded()));
      }
      return sw.toString();
    } catch (IOException e) {
      throw new TlsException("cannot encode PEM: " + e.getMessage());
    }
  }

  /** PEM text of certificates and keys; private keys as unencrypted PKCS#8 ("PRIVATE KEY"). */
  static String toPem(Object... objects) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      for (Object o : objects) {
        if (o instanceof PrivateKey k) {
          w.writeObject(new JcaPKCS8Generator(k, null));
        } else {
          w.writeObject(o);
        }
      }
    } catch (IOException e) {
      throw new TlsException("cannot encode PEM: " + e.getMessage());
    }
    return sw.toString();
  }

  static String reason(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "file not found";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
