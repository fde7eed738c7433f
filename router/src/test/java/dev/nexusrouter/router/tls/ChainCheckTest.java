package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;

/** Who issued whom: by key identifiers when both certificates carry them, else by signature. */
class ChainCheckTest {
  @Test
  void aCaMadeAgainUnderTheSameNameIsNotTheIssuerByKeyIdentifier() {
    CertificateAuthority first = CertificateAuthority.create("Same Name CA", Clock.systemUTC());
    CertificateAuthority again = CertificateAuthority.create("Same Name CA", Clock.systemUTC());
    X509Certificate server =
        first.issueServer(List.of("registry.example.com"), List.of(), Duration.ofDays(30)).cert();
    assertNotNull(server.getExtensionValue(Extension.authorityKeyIdentifier.getId()));
    assertNotNull(first.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId()));

    assertTrue(ChainCheck.issuedBy(server, first.certificate()));
    assertFalse(ChainCheck.issuedBy(server, again.certificate()));
    assertTrue(ChainCheck.selfSigned(first.certificate()));
    assertFalse(ChainCheck.selfSigned(server));
  }

  @Test
  void withoutKeyIdentifiersTheSignatureDecides() throws Exception {
    KeyPair caKey = TestCerts.ec();
    KeyPair otherKey = TestCerts.ec();
    Instant later = Instant.now().plus(Duration.ofDays(30));
    X509Certificate ca = TestCerts.selfSigned(caKey, "Plain CA", later);
    X509Certificate sameNameOtherKey = TestCerts.selfSigned(otherKey, "Plain CA", later);
    X509Certificate server =
        TestCerts.issued(ca, caKey.getPrivate(), TestCerts.ec(), "registry", false, false);
    assertNull(server.getExtensionValue(Extension.authorityKeyIdentifier.getId()));

    assertTrue(ChainCheck.issuedBy(server, ca));
    assertFalse(ChainCheck.issuedBy(server, sameNameOtherKey));
    assertTrue(ChainCheck.selfSigned(ca));
  }

  @Test
  void aCertificateUnderAnotherNameIsNeverTheIssuer() {
    CertificateAuthority ca = CertificateAuthority.create("One CA", Clock.systemUTC());
    CertificateAuthority other = CertificateAuthority.create("Other CA", Clock.systemUTC());
    X509Certificate server =
        ca.issueServer(List.of("registry.example.com"), List.of(), Duration.ofDays(30)).cert();
    assertFalse(ChainCheck.issuedBy(server, other.certificate()));
  }
}
