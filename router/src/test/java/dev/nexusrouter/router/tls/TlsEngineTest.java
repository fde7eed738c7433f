package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsEngine} in this JVM, where the system's libssl3 is found (a test package of CI): the
 * OpenSSL engine serves RSA keys under the same policy as JSSE, EC keys go to JSSE under {@code
 * auto} and are refused under {@code openssl}. The library-missing cases need a JVM of their own:
 * e2e/TlsEngineFallbackIT.
 */
class TlsEngineTest {
  @TempDir Path dir;

  private static ServerTls.Material material(KeyPair kp) throws Exception {
    X509Certificate c =
        TestCerts.selfSigned(kp, "localhost", Instant.now().plus(9, ChronoUnit.DAYS));
    return new ServerTls.Material(List.of(c), kp.getPrivate());
  }

  @Test
  void settingsHaveTheirYamlNames() {
    for (TlsEngine.Setting s : TlsEngine.Setting.values()) {
      assertSame(s, TlsEngine.Setting.parse(s.yamlName()));
    }
    assertEquals("jdk", TlsEngine.DEFAULT.yamlName());
    assertNull(TlsEngine.Setting.parse("OpenSSL"));
    assertNull(TlsEngine.Setting.parse("boringssl"));
  }

  @Test
  void jdkNeverLoadsOpenSsl() {
    TlsEngine e = TlsEngine.select(TlsEngine.Setting.JDK);
    assertSame(TlsEngine.JDK, e);
    assertFalse(e.openSslLoaded());
    assertEquals("jdk", e.engineFor("RSA"));
  }

  @Test
  void opensslServesAnRsaKeyWithTheSamePolicyAsJsse() throws Exception {
    TlsEngine e = TlsEngine.select(TlsEngine.Setting.OPENSSL);
    assertTrue(e.openSslLoaded());
    ServerTls.Material m = material(TestCerts.rsa());
    SSLContext ctx = ServerTls.context(m, e);
    SSLEngine engine = ctx.createSSLEngine();
    assertEquals("org.wildfly.openssl.OpenSSLEngine", engine.getClass().getName());
    assertFalse(engine.getUseClientMode());
    assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(engine.getEnabledProtocols()));
    // wildfly-openssl spells the TLS 1.2 ChaCha20 suites without "_SHA256"
    assertEquals(
        ServerTls.CIPHER_SUITES.stream()
            .map(n -> n.contains("_WITH_CHACHA20") ? n.replace("_SHA256", "") : n)
            .collect(java.util.stream.Collectors.toSet()),
        Set.of(engine.getEnabledCipherSuites()));
    assertEquals(m.chain().get(0), TestCerts.served(ctx), "a JSSE client gets the certificate");
    assertEquals("openssl", e.describe("RSA"));
    // its connections get the read wake-up
    // (docs/tls.md#uploads-that-stopped-before-their-last-record)
    assertTrue(TlsEngine.holdsUndecryptedRecords(ctx));
  }

  @Test
  void anEcKeyIsJssesUnderAutoAndRefusedUnderOpenssl() throws Exception {
    ServerTls.Material m = material(TestCerts.ec());
    TlsEngine auto = TlsEngine.select(TlsEngine.Setting.AUTO);
    SSLContext ctx = ServerTls.context(m, auto);
    assertTrue(ctx.createSSLEngine().getClass().getName().startsWith("sun.security.ssl."));
    assertEquals(m.chain().get(0), TestCerts.served(ctx));
    assertFalse(TlsEngine.holdsUndecryptedRecords(ctx), "JSSE takes no record it cannot return");
    assertEquals(
        "jdk (tls-engine auto: the OpenSSL engine serves RSA keys only, this key is EC)",
        auto.describe("EC"));
    String msg =
        assertThrows(
                TlsException.class,
                () -> ServerTls.context(m, TlsEngine.select(TlsEngine.Setting.OPENSSL)))
            .getMessage();
    assertTrue(msg.startsWith("tls-engine openssl serves RSA keys only, and this key is EC"), msg);
  }

  @Test
  void checkNamesEveryListenerWhoseKeyOpensslCannotServe() throws Exception {
    KeyPair rsa = TestCerts.rsa();
    KeyPair ec = TestCerts.ec();
    Path rsaCrt = dir.resolve("rsa.crt");
    Path ecCrt = dir.resolve("ec.crt");
    TestCerts.writePem(rsaCrt, material(rsa).chain().get(0));
    TestCerts.writePem(ecCrt, material(ec).chain().get(0));
    Map<String, Path> certs = new LinkedHashMap<>();
    certs.put("listeners[0].tls", rsaCrt);
    certs.put("listeners[1].tls", ecCrt);
    certs.put("listeners[2].tls", null);
    List<String> problems = TlsEngine.check(TlsEngine.Setting.OPENSSL, certs);
    assertEquals(2, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith("listeners[1].tls: tls-engine openssl serves RSA keys"));
    assertTrue(problems.get(1).contains("listeners[2].tls: tls-engine openssl serves RSA keys"));
    assertTrue(problems.get(1).contains("the embedded CA's key"));
    assertEquals(List.of(), TlsEngine.check(TlsEngine.Setting.AUTO, certs));
  }
}
