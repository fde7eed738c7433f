package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCaTest {
  @TempDir Path data;

  static X509Certificate cert(Path p) {
    return PemFiles.readCertificates(p).get(0);
  }

  @Test
  void createsOnceThenReuses() throws Exception {
    EmbeddedCa.Paths first = EmbeddedCa.ensure(data, List.of("registry.example.com"));
    assertEquals("created CA and server certificate", first.action());
    assertEquals(data.resolve("tls/ca.crt"), first.ca());
    assertEquals(
        List.of("DNS:registry.example.com", "DNS:localhost", "IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1"),
        CertificateInfo.subjectAltNames(cert(first.cert())));
    assertTrue(TestCerts.signedBy(cert(first.cert()), cert(first.ca())));
    ServerTls.Material m = ServerTls.load(first.cert(), first.key());
    assertEquals(List.of(), m.warnings());
    assertEquals("EC", m.key().getAlgorithm(), "the embedded CA issues ECDSA P-256 server keys");
    byte[] before = Files.readAllBytes(first.cert());

    EmbeddedCa.Paths again = EmbeddedCa.ensure(data, List.of("registry.example.com"));
    assertEquals("reused", again.action());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(again.cert())));
  }

  @Test
  void newServerNamesReissueFromTheSameCa() throws Exception {
    EmbeddedCa.Paths first = EmbeddedCa.ensure(data, List.of("registry.example.com"));
    X509Certificate ca = cert(first.ca());
    X509Certificate server = cert(first.cert());
    EmbeddedCa.Paths second =
        EmbeddedCa.ensure(data, List.of("registry.example.com", "nexus.example.com", "10.1.2.3"));
    assertTrue(second.action().startsWith("re-issued server certificate: names added: "));
    assertTrue(second.action().contains("DNS:nexus.example.com, IP:10.1.2.3"), second.action());
    assertEquals(ca, cert(second.ca()));
    assertNotEquals(server.getSerialNumber(), cert(second.cert()).getSerialNumber());
    assertTrue(TestCerts.signedBy(cert(second.cert()), ca));
  }

  @Test
  void aBrokenServerPairIsReplacedButTheCaKept() throws Exception {
    EmbeddedCa.Paths first = EmbeddedCa.ensure(data, List.of());
    X509Certificate ca = cert(first.ca());
    Files.writeString(first.key(), "garbage");
    EmbeddedCa.Paths second = EmbeddedCa.ensure(data, List.of());
    assertTrue(second.action().startsWith("re-issued server certificate: "), second.action());
    assertEquals(ca, cert(second.ca()));
  }
}
