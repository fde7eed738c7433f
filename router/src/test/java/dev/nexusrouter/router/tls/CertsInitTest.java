package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsInitTest {
  @TempDir Path dir;

  final CertsCli cli = new CertsCli();

  X509Certificate read(String name) {
    return PemFiles.readCertificates(dir.resolve(name)).get(0);
  }

  @Test
  void initCreatesConstrainedCaAndWildcardServerCertificate() throws Exception {
    assertEquals(
        0, cli.run("init", "--domain", "example.com", "--ip", "10.0.0.5", "--out", dir.toString()));
    X509Certificate ca = read("ca.crt");
    X509Certificate server = read("server.crt");
    assertEquals(0, ca.getBasicConstraints());
    assertTrue(ca.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
    boolean[] ku = ca.getKeyUsage();
    assertTrue(ku[5] && ku[6], "keyCertSign and cRLSign");
    assertEquals(-1, server.getBasicConstraints());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
    assertEquals(
        List.of("DNS:*.example.com", "DNS:example.com", "IP:10.0.0.5"),
        CertificateInfo.subjectAltNames(server));
    assertTrue(TestCerts.signedBy(server, ca));
    assertTrue(ca.getNotAfter().after(server.getNotAfter()));
    assertEquals(1, PemFiles.readCertificates(dir.resolve("server.crt")).size());
  }

  @Test
  void serverKeyIsEcdsaP256ByDefaultAndRsaOnRequest() throws Exception {
    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    ServerTls.Material ec = ServerTls.load(dir.resolve("server.crt"), dir.resolve("server.key"));
    assertEquals("EC", ec.key().getAlgorithm());
    assertEquals(
        "secp256r1",
        ((java.security.interfaces.ECPublicKey) read("server.crt").getPublicKey())
            .getParams()
            .toString()
            .split(" ")[0]);
    boolean[] ku = read("server.crt").getKeyUsage();
    assertTrue(ku[0] && !ku[2], "digitalSignature without keyEncipherment for an EC key");
    assertTrue(cli.out().contains("ECDSA P-256"), cli.out());

    assertEquals(
        0,
        cli.run("init", "--domain", "example.com", "--key-type", "rsa", "--out", dir.toString()));
    ServerTls.Material rsa = ServerTls.load(dir.resolve("server.crt"), dir.resolve("server.key"));
    assertEquals("RSA", rsa.key().getAlgorithm());
    assertEquals(
        2048,
        ((java.security.interfaces.RSAPublicKey) read("server.crt").getPublicKey())
            .getModulus()
            .bitLength());
    ku = read("server.crt").getKeyUsage();
    assertTrue(ku[0] && ku[2], "digitalSignature and keyEncipherment for an RSA key");
    assertTrue(TestCerts.signedBy(read("server.crt"), read("ca.crt")));
  }

  @Test
  void keysAreOwnerOnlyAndPairsLoad() throws Exception {
    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    for (String key : List.of("ca.key", "server.key")) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key))));
    }
    ServerTls.Material m = ServerTls.load(dir.resolve("server.crt"), dir.resolve("server.key"));
    assertEquals(List.of(), m.warnings(), "ca.crt next to server.crt makes the chain known");
    try (var files = Files.list(dir)) {
      assertEquals(
          List.of("ca.crt", "ca.key", "server.crt", "server.key"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary files left behind");
    }
  }

  @Test
  void rerunKeepsTheCaAndRotatesTheServerCertificate() {
    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    X509Certificate ca1 = read("ca.crt");
    X509Certificate server1 = read("server.crt");
    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    assertEquals(ca1, read("ca.crt"));
    assertNotEquals(server1.getSerialNumber(), read("server.crt").getSerialNumber());
    assertTrue(TestCerts.signedBy(read("server.crt"), ca1));
    assertTrue(cli.out().contains("using CA"), cli.out());
  }

  @Test
  void forceNewCaReplacesIt() {
    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    X509Certificate ca1 = read("ca.crt");
    assertEquals(
        0, cli.run("init", "--domain", "example.com", "--out", dir.toString(), "--force-new-ca"));
    assertNotEquals(ca1, read("ca.crt"));
    assertTrue(TestCerts.signedBy(read("server.crt"), read("ca.crt")));
  }

  @Test
  void halfACaIsRefusedNotReplaced() throws Exception {
    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    Files.delete(dir.resolve("ca.key"));
    byte[] ca = Files.readAllBytes(dir.resolve("ca.crt"));
    assertEquals(1, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    assertTrue(cli.err().contains("ca.key is missing"), cli.err());
    assertTrue(Arrays.equals(ca, Files.readAllBytes(dir.resolve("ca.crt"))));
  }

  @Test
  void wrongCommandLinesExitTwo() {
    assertEquals(2, cli.run("init", "--out", dir.toString()));
    assertTrue(cli.err().contains("--domain is required"));
    assertEquals(2, cli.run("init", "--domain", "exa mple.com", "--out", dir.toString()));
    assertEquals(2, cli.run("init", "--domain", "example.com", "--ip", "host", "--out", "x"));
    assertEquals(2, cli.run("init", "--domain", "example.com", "--days", "0", "--out", "x"));
    assertEquals(2, cli.run("init", "--domain", "example.com", "--bogus", "1", "--out", "x"));
    assertEquals(2, cli.run("init", "--domain", "example.com", "--key-type", "dsa", "--out", "x"));
    assertTrue(cli.err().contains("--key-type must be ecdsa or rsa, not 'dsa'"), cli.err());
    assertEquals(2, cli.run("frobnicate"));
    assertEquals(2, cli.run());
    assertEquals(0, cli.run("--help"));
    assertTrue(cli.out().contains("client-setup"));
  }

  @Test
  void wildcardDomainArgumentIsNormalised() {
    assertEquals(0, cli.run("init", "--domain", "*.Example.COM", "--out", dir.toString()));
    assertEquals(
        List.of("DNS:*.example.com", "DNS:example.com"),
        CertificateInfo.subjectAltNames(read("server.crt")));
  }

  @Test
  void showPrintsFactsAndWarnsBeforeExpiry() throws Exception {
    var kp = TestCerts.rsa();
    X509Certificate soon =
        TestCerts.selfSigned(
            kp, "soon.example.com", java.time.Instant.now().plusSeconds(86400 * 10));
    TestCerts.writePem(dir.resolve("soon.crt"), soon);
    assertEquals(0, cli.run("show", dir.resolve("soon.crt").toString()));
    String text = cli.out();
    assertTrue(text.contains("subject:     CN=soon.example.com"), text);
    assertTrue(text.contains("SHA-256:     " + CertificateInfo.fingerprint(soon)), text);
    assertTrue(text.contains("WARNING: expires in 9 days"), text);

    assertEquals(0, cli.run("init", "--domain", "example.com", "--out", dir.toString()));
    assertEquals(0, cli.run("show", dir.resolve("server.crt").toString()));
    assertTrue(cli.out().contains("SANs:        DNS:*.example.com, DNS:example.com"));
    assertTrue(!cli.out().contains("WARNING"), cli.out());

    X509Certificate old = TestCerts.selfSigned(kp, "old", java.time.Instant.now().minusSeconds(60));
    TestCerts.writePem(dir.resolve("old.crt"), old);
    assertEquals(1, cli.run("show", dir.resolve("old.crt").toString()));
    assertTrue(cli.out().contains("WARNING: expired on"));
    assertEquals(1, cli.run("show", dir.resolve("missing.crt").toString()));
    assertTrue(cli.err().contains("file not found"), cli.err());
  }
}
