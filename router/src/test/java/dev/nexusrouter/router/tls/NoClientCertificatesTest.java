package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The server contexts' trust manager trusts nobody, so no trust store is ever needed. */
class NoClientCertificatesTest {
  @Test
  void refusesEveryCertificateAndNamesNoIssuer() throws Exception {
    KeyPair kp = TestCerts.ec();
    X509Certificate[] chain = {TestCerts.selfSigned(kp, "client", Instant.now().plusSeconds(3600))};
    NoClientCertificates tm = NoClientCertificates.INSTANCE;
    assertEquals(0, tm.getAcceptedIssuers().length);
    assertThrows(CertificateException.class, () -> tm.checkClientTrusted(chain, "ECDHE_ECDSA"));
    assertThrows(CertificateException.class, () -> tm.checkServerTrusted(chain, "ECDHE_ECDSA"));
  }
}
