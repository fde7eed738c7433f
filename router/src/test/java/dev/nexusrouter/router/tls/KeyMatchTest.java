package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPrivateKeySpec;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeyMatchTest {
  @TempDir Path dir;

  static KeyPair pair(String alg, String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
    if (curve != null) {
      g.initialize(new ECGenParameterSpec(curve));
    } else if (alg.equals("RSA")) {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }

  /** The same RSA key without its CRT parts: only a signature can tell. */
  static PrivateKey withoutCrt(PrivateKey k) throws Exception {
    RSAPrivateCrtKey crt = (RSAPrivateCrtKey) k;
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new RSAPrivateKeySpec(crt.getModulus(), crt.getPrivateExponent()));
  }

  static Stream<Arguments> pairs() throws Exception {
    KeyPair rsa = pair("RSA", null);
    KeyPair rsa2 = pair("RSA", null);
    KeyPair p256 = pair("EC", "secp256r1");
    KeyPair p256b = pair("EC", "secp256r1");
    KeyPair p384 = pair("EC", "secp384r1");
    KeyPair ed = pair("Ed25519", null);
    KeyPair ed2 = pair("Ed25519", null);
    return Stream.of(
        Arguments.of("RSA, its own", rsa.getPrivate(), rsa.getPublic(), true),
        Arguments.of("RSA, another", rsa.getPrivate(), rsa2.getPublic(), false),
        Arguments.of(
            "RSA without CRT, its own", withoutCrt(rsa.getPrivate()), rsa.getPublic(), true),
        Arguments.of(
            "RSA without CRT, another", withoutCrt(rsa.getPrivate()), rsa2.getPublic(), false),
        Arguments.of("P-256, its own", p256.getPrivate(), p256.getPublic(), true),
        Arguments.of("P-256, another", p256.getPrivate(), p256b.getPublic(), false),
        Arguments.of("P-384, its own", p384.getPrivate(), p384.getPublic(), true),
        Arguments.of("P-256 key, P-384 certificate", p256.getPrivate(), p384.getPublic(), false),
        Arguments.of("P-384 key, P-256 certificate", p384.getPrivate(), p256.getPublic(), false),
        Arguments.of("EC key, RSA certificate", p256.getPrivate(), rsa.getPublic(), false),
        Arguments.of("RSA key, EC certificate", rsa.getPrivate(), p256.getPublic(), false),
        Arguments.of("Ed25519, its own", ed.getPrivate(), ed.getPublic(), true),
        Arguments.of("Ed25519, another", ed.getPrivate(), ed2.getPublic(), false));
  }

  /** A key file carrying its public point (certs init writes them so) is read back with it. */
  @Test
  void anEcKeyFileCarriesItsPublicPointAndIsComparedByIt() throws Exception {
    KeyPair mine = pair("EC", "secp256r1");
    KeyPair other = pair("EC", "secp256r1");
    Path file = dir.resolve("ec.key");
    Files.writeString(file, PemFiles.keyPem(mine.getPrivate(), mine.getPublic()));
    PemFiles.KeyFile read = PemFiles.readKey(file, KeyPassphrase.NONE);
    assertEquals(
        ((java.security.interfaces.ECPrivateKey) mine.getPrivate()).getS(),
        ((java.security.interfaces.ECPrivateKey) read.key()).getS());
    assertArrayEquals(
        SubjectPublicKeyInfo.getInstance(mine.getPublic().getEncoded())
            .getPublicKeyData()
            .getBytes(),
        read.publicKey());
    assertTrue(KeyMatch.matches(read, mine.getPublic()));
    assertFalse(KeyMatch.matches(read, other.getPublic()));

    // a point that is not this key's: the bytes differ, and the multiplication still decides
    Files.writeString(file, PemFiles.keyPem(mine.getPrivate(), other.getPublic()));
    PemFiles.KeyFile odd = PemFiles.readKey(file, KeyPassphrase.NONE);
    assertTrue(KeyMatch.matches(odd, mine.getPublic()));
    // RSA keys are written as before, without a separate public key
    KeyPair rsa = pair("RSA", null);
    Files.writeString(file, PemFiles.keyPem(rsa.getPrivate(), rsa.getPublic()));
    assertTrue(KeyMatch.matches(PemFiles.readKey(file, KeyPassphrase.NONE), rsa.getPublic()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void tellsWhetherTheKeyBelongsToTheCertificatesKey(
      String name, PrivateKey key, java.security.PublicKey pub, boolean expected) {
    assertEquals(expected, KeyMatch.matches(key, pub), name);
  }
}
