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
   * Issues a certificate for {@code cn} from {@code issuer}, optionally a CA, optionally with AIA.
   */
  public static X509Certificate issued(
      X509Certificate issuer,
      java.security.PrivateKey issuerKey,
      KeyPair subject,
      String cn,
      boolean ca,
      boolean aia)
      throws Exception {
    Instant now = Instant.now();
    var b =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(now.toEpochMilli() + cn.hashCode()),
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(90))),
            new X500Name("CN=" + cn),
            subject.getPublic());
    b.addExtension(
        org.bouncycastle.asn1.x509.Extension.basicConstraints,
        true,
        new org.bouncycastle.asn1.x509.BasicConstraints(ca));
    if (aia) {
      b.addExtension(
          org.bouncycastle.asn1.x509.Extension.authorityInfoAccess,
          false,
          new org.bouncycastle.asn1.x509.AuthorityInformationAccess(
              org.bouncycastle.asn1.x509.AccessDescription.id_ad_caIssuers,
              new org.bouncycastle.asn1.x509.GeneralName(
                  org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier,
                  "http://ca.example/intermediate.crt")));
    }
    String alg = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
  }

  /** Whether {@code parent}'s key verifies {@code child}'s signature (the test oracle). */
  public static boolean signedBy(X509Certificate child, X509Certificate parent) {
    try {
      child.verify(parent.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  /** The certificate a server using {@code ctx} presents, seen through a real TLS handshake. */
  public static X509Certificate served(javax.net.ssl.SSLContext ctx) throws Exception {
    javax.net.ssl.SSLEngine server = ctx.createSSLEngine();
    javax.net.ssl.SSLContext clientCtx = javax.net.ssl.SSLContext.getInstance("TLS");
    X509Certificate[] seen = new X509Certificate[1];
    clientCtx.init(
        null,
        new javax.net.ssl.TrustManager[] {
          new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
              seen[0] = chain[0];
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    javax.net.ssl.SSLEngine client = clientCtx.createSSLEngine("localhost", 443);
    client.setUseClientMode(true);
    InMemoryHandshake.run(client, server);
    return seen[0];
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
