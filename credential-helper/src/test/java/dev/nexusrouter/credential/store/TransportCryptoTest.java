package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The hand-written session crypto against the JDK's and the RFCs' own answers. */
class TransportCryptoTest {
  private final Random random = new Random(14);

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void sha256AndHmacMatchTheJdkForEveryLengthAroundTheBlockSize() throws Exception {
    for (int n = 0; n < 200; n++) {
      byte[] data = bytes(n);
      assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), Sha256.digest(data));
      byte[] key = bytes(n % 80);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
      if (key.length > 0) {
        assertArrayEquals(mac.doFinal(data), Sha256.hmac(key, data), "length " + n);
      }
    }
  }

  @Test
  void hkdfWithoutSaltOrInfoMatchesRfc5869TestCase3() {
    byte[] ikm = new byte[22];
    java.util.Arrays.fill(ikm, (byte) 0x0b);
    assertEquals(
        "8da4e775a563c18f715f802a063c5a31", HexFormat.of().formatHex(Sha256.hkdf(ikm, 16)));
  }

  @Test
  void aesCbcMatchesTheJdkBothWays() throws Exception {
    for (int n : new int[] {0, 1, 15, 16, 17, 100, 4096}) {
      byte[] key = bytes(16);
      byte[] iv = bytes(16);
      byte[] plain = bytes(n);
      Cipher jdk = Cipher.getInstance("AES/CBC/PKCS5Padding");
      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      byte[] expected = jdk.doFinal(plain);
      assertArrayEquals(expected, new Aes128Cbc(key).encrypt(iv, plain), "length " + n);
      assertArrayEquals(plain, new Aes128Cbc(key).decrypt(iv, expected), "length " + n);
    }
  }

  @Test
  void aWrongKeyFailsThePaddingCheckInsteadOfReturningGarbage() throws Exception {
    byte[] iv = bytes(16);
    byte[] cipher = new Aes128Cbc(bytes(16)).encrypt(iv, "secret".getBytes(StandardCharsets.UTF_8));
    int failures = 0;
    for (int i = 0; i < 50; i++) {
      if (new Aes128Cbc(bytes(16)).decrypt(iv, cipher) == null) {
        failures++;
      }
    }
    assertEquals(true, failures >= 45, failures + " of 50 wrong keys were rejected");
    assertNull(new Aes128Cbc(bytes(16)).decrypt(iv, new byte[15]));
  }

  @Test
  void twoSessionsAgreeOnOneKey() throws Exception {
    DhSession a;
    DhSession b;
    int tries = 0;
    do {
      a = DhSession.create();
      b = DhSession.create();
      tries++;
    } while (!(a.agree(b.publicKey()) & b.agree(a.publicKey())) && tries < 20);
    byte[] secret = "pä$$ 😀".getBytes(StandardCharsets.UTF_8);
    byte[][] sent = a.encrypt(secret);
    assertArrayEquals(secret, b.decrypt(sent[0], sent[1]));
  }

  @Test
  void theGroupIsRfc2409sSecondOakleyGroupAndBadPublicValuesAreRefused() throws Exception {
    assertEquals(1024, DhSession.PRIME.bitLength());
    assertEquals(true, DhSession.PRIME.isProbablePrime(40));
    DhSession s = DhSession.create();
    assertThrows(IOException.class, () -> s.agree(new byte[] {1}));
    assertThrows(
        IOException.class,
        () -> s.agree(DhSession.unsigned(DhSession.PRIME.subtract(BigInteger.ONE), 128)));
  }
}
