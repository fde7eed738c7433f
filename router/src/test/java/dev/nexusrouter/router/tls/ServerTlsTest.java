package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
  static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

  @TempDir Path dir;

  Path file(String name) {
    return dir.resolve(name);
  }

  String message(Runnable r) {
    return assertThrows(TlsException.class, r::run).getMessage();
  }

  @Test
  void loadsPkcs1Pkcs8AndEcKeys() throws Exception {
    KeyPair rsa = TestCerts.rsa();
    TestCerts.writePem(file("pkcs1.key"), rsa.getPrivate()); // RSA PRIVATE KEY
    Files.writeString(file("pkcs8.key"), PemFiles.toPem(rsa.getPrivate())); // PRIVATE KEY
    // a BC key keeps the curve inside the SEC1 structure, as openssl ecparam -genkey writes it
    var gen = java.security.KeyPairGenerator.getInstance("EC", BC);
    gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    KeyPair ec = gen.generateKeyPair();
    StringWriter sec1 = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sec1)) {
      w.writeObject(ec); // EC PRIVATE KEY
    }
    Files.writeString(file("sec1.key"), sec1.toString());
    assertTrue(Files.readString(file("pkcs1.key")).contains("BEGIN RSA PRIVATE KEY"));
    assertTrue(Files.readString(file("sec1.key")).contains("BEGIN EC PRIVATE KEY"));
    assertEquals(rsa.getPrivate(), PemFiles.readPrivateKey(file("pkcs1.key")));
    assertEquals(rsa.getPrivate(), PemFiles.readPrivateKey(file("pkcs8.key")));
    PemFiles.KeyFile sec1Key = PemFiles.readKey(file("sec1.key"), KeyPassphrase.NONE);
    assertTrue(sec1Key.publicKey() != null, "SEC1 carries the public point");
    assertTrue(KeyMatch.matches(sec1Key, ec.getPublic()));
  }

  @Test
  void encryptedPkcs8NeedsTheRightPassphraseFromFileOrEnvironment() throws Exception {
    KeyPair rsa = TestCerts.rsa();
    var enc =
        new JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
            .setProvider(BC)
            .setPassword("s3cret".toCharArray())
            .build();
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(new JcaPKCS8Generator(rsa.getPrivate(), enc));
    }
    Files.writeString(file("enc.key"), sw.toString());
    Files.writeString(file("pass"), "s3cret\n");
    Files.writeString(file("wrong"), "nope\n");

    assertEquals(
        rsa.getPrivate(),
        PemFiles.readPrivateKey(file("enc.key"), KeyPassphrase.fromFile(file("pass"))));
    assertEquals(
        rsa.getPrivate(),
        PemFiles.readPrivateKey(
            file("enc.key"), KeyPassphrase.fromEnv(Map.of("KEY_PASS", "s3cret"), "KEY_PASS")));
    assertEquals(
        "wrong passphrase for private key "
            + file("enc.key")
            + " (passphrase from file "
            + file("wrong")
            + ")",
        message(
            () -> PemFiles.readPrivateKey(file("enc.key"), KeyPassphrase.fromFile(file("wrong")))));
    assertTrue(
        message(() -> PemFiles.readPrivateKey(file("enc.key")))
            .contains("is encrypted and no passphrase was given"));
    assertEquals(
        "passphrase environment variable KEY_PASS is not set or empty",
        message(() -> KeyPassphrase.fromEnv(Map.of(), "KEY_PASS")));
    assertTrue(!KeyPassphrase.fromFile(file("pass")).toString().contains("s3cret"));
  }

  @Test
  void legacyEncryptedPkcs1IsReadToo() throws Exception {
    KeyPair rsa = TestCerts.rsa();
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(
          rsa.getPrivate(),
          new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(BC).build("pw".toCharArray()));
    }
    Files.writeString(file("legacy.key"), sw.toString());
    assertTrue(sw.toString().contains("Proc-Type: 4,ENCRYPTED"));
    assertEquals(
        rsa.getPrivate(),
        PemFiles.readPrivateKey(file("legacy.key"), KeyPassphrase.fromEnv(Map.of("P", "pw"), "P")));
    assertTrue(
        message(
                () ->
                    PemFiles.readPrivateKey(
                        file("legacy.key"), KeyPassphrase.fromEnv(Map.of("P", "x"), "P")))
            .startsWith("wrong passphrase"));
  }

  @Test
  void mismatchedPairIsRefused() throws Exception {
    KeyPair a = TestCerts.rsa();
    KeyPair b = TestCerts.rsa();
    TestCerts.writePem(
        file("a.crt"), TestCerts.selfSigned(a, "a", Instant.now().plus(Duration.ofDays(90))));
    TestCerts.writePem(file("b.key"), b.getPrivate());
    assertEquals(
        "private key "
            + file("b.key")
            + " does not match the first certificate in "
            + file("a.crt"),
        message(() -> ServerTls.load(file("a.crt"), file("b.key"))));
  }

  @Test
  void expiredIsRefusedAndExpiringSoonWarned() throws Exception {
    KeyPair kp = TestCerts.rsa();
    TestCerts.writePem(file("k.key"), kp.getPrivate());
    TestCerts.writePem(
        file("old.crt"), TestCerts.selfSigned(kp, "old", Instant.now().minusSeconds(5)));
    assertTrue(
        message(() -> ServerTls.load(file("old.crt"), file("k.key")))
            .startsWith("certificate " + file("old.crt") + " expired on "));
    TestCerts.writePem(
        file("soon.crt"),
        TestCerts.selfSigned(kp, "soon", Instant.now().plus(Duration.ofDays(10))));
    List<String> w = ServerTls.load(file("soon.crt"), file("k.key")).warnings();
    assertEquals(1, w.size(), w.toString());
    assertTrue(
        w.get(0).startsWith("certificate " + file("soon.crt") + " expires in 9 days"), w.get(0));
  }

  @Test
  void leafWithoutItsPublicIntermediateIsRefused() throws Exception {
    KeyPair rootKp = TestCerts.ec();
    X509Certificate root = TestCerts.selfSigned(rootKp, "Root", Instant.now().plusSeconds(9999999));
    KeyPair interKp = TestCerts.ec();
    X509Certificate inter =
        TestCerts.issued(root, rootKp.getPrivate(), interKp, "Intermediate", true, true);
    KeyPair leafKp = TestCerts.rsa();
    X509Certificate leaf =
        TestCerts.issued(inter, interKp.getPrivate(), leafKp, "registry.example.com", false, true);
    TestCerts.writePem(file("leaf.key"), leafKp.getPrivate());

    TestCerts.writePem(file("cert.pem"), leaf);
    assertEquals(
        "certificate chain in "
            + file("cert.pem")
            + " is incomplete: the intermediate 'CN=Intermediate' that issued certificate 1"
            + " ('CN=registry.example.com') is missing; use the full chain (server certificate"
            + " first, then intermediates, e.g. fullchain.pem; append 'CN=Intermediate' too if"
            + " it is a root)",
        message(() -> ServerTls.load(file("cert.pem"), file("leaf.key"))));

    TestCerts.writePem(file("reversed.pem"), leaf, root, inter);
    assertTrue(
        message(() -> ServerTls.load(file("reversed.pem"), file("leaf.key")))
            .contains(
                "is out of order: certificate 2 ('CN=Root') is not the issuer of certificate 1"));

    TestCerts.writePem(file("fullchain.pem"), leaf, inter);
    List<String> w = ServerTls.load(file("fullchain.pem"), file("leaf.key")).warnings();
    assertEquals(List.of(), w, "leaving out the root is normal");
    TestCerts.writePem(file("withroot.pem"), leaf, inter, root);
    assertEquals(List.of(), ServerTls.load(file("withroot.pem"), file("leaf.key")).warnings());
  }

  @Test
  void privateRootWithoutAiaIsOnlyAWarning() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Private", Clock.systemUTC());
    var issued = ca.issueServer(List.of("registry.example.com"), List.of(), Duration.ofDays(90));
    Path sub = Files.createDirectories(file("nginx"));
    CertificateAuthority.writeServer(issued, sub.resolve("s.crt"), sub.resolve("s.key"));
    List<String> w = ServerTls.load(sub.resolve("s.crt"), sub.resolve("s.key")).warnings();
    assertEquals(1, w.size());
    assertTrue(w.get(0).contains("clients must trust it as a root"), w.get(0));
  }

  @Test
  void contextOffersOnlyTls12And13WithStrongSuites() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Private", Clock.systemUTC());
    var issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(90));
    var ctx = ServerTls.context(new ServerTls.Material(List.of(issued.cert()), issued.key()));
    SSLEngine e = ctx.createSSLEngine();
    assertTrue(!e.getUseClientMode());
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(e.getEnabledProtocols()));
    assertEquals(ServerTls.CIPHER_SUITES, List.of(e.getEnabledCipherSuites()));
    assertEquals(issued.cert(), TestCerts.served(ctx));
  }
}
