package dev.nexusrouter.router.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates and keys written as PEM, for tests. */
public final class TestCerts {
  private TestCerts() {}

  public static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  public static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  public static X509Certificate selfSigned(KeyPair kp, String cn, Instant notAfter)
      throws Exception {
    X500Name name = new X500Name("CN=" + cn);
    Instant now = Instant.now();
    var b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofDays(2))),
            Date.from(notAfter),
            name,
            kp.getPublic());
    String alg = kp.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())));
  }

  /**
   * Writes PEM objects; RSA private keys as PKCS#1 ("RSA PRIVATE KEY"), other private keys as
   * PKCS#8 ("PRIVATE KEY").
   */
  public static void writePem(Path file, Object... objects) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      for (Object o : objects) {
        if (o instanceof java.security.PrivateKey k && !k.getAlgorithm().equals("RSA")) {
          w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
        } else {
          w.writeObject(o);
        }
      }
    }
    Files.writeString(file, sw.toString());
  }
}
