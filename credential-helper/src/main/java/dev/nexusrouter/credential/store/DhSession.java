package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.dbus.NativeMath;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The client side of the Secret Service's {@code dh-ietf1024-sha256-aes128-cbc-pkcs7} transfer
 * encryption (Secret Service API, "Transfer of Secrets"): Diffie-Hellman over the 1024-bit MODP
 * group of RFC 2409 section 6.2 (generator 2), the shared value through HKDF-SHA256 with no salt
 * and no info to a 16-byte key, and AES-128-CBC with PKCS#7 padding, the IV travelling as the
 * secret's parameters. So a secret never crosses the bus in clear, as it does in a {@code plain}
 * session; see credential-helper/README.md, "Secrets on the bus".
 */
final class DhSession {
  static final String ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

  static final BigInteger PRIME =
      new BigInteger(
          "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
              + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
              + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
              + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
          16);

  private static final byte[] PRIME_BYTES = unsigned(PRIME, 128);

  /** 256 random bits: twice the group's ~80-bit strength, and a quarter of the work of 1024. */
  private static final int PRIVATE_BYTES = 32;

  private final byte[] privateKey;
  private final byte[] publicKey;
  private Aes128Cbc cipher;

  private DhSession(byte[] privateKey, byte[] publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  static DhSession create() throws IOException {
    byte[] x = random(PRIVATE_BYTES);
    x[0] |= (byte) 0x80; // full length, never zero
    return new DhSession(x, modPow(new byte[] {2}, x));
  }

  /** Our public value, big-endian, for OpenSession's input. */
  byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * Derives the session key from the service's public value. Implementations differ on whether a
   * shared value with leading zero bytes is padded to the prime's 128 bytes before HKDF (the JDK's
   * KeyAgreement pads, libsecret's egg-dh does not), which matters once in 256 sessions: then this
   * returns false and the caller opens a new session rather than guess.
   */
  boolean agree(byte[] serverPublic) throws IOException {
    BigInteger y = new BigInteger(1, serverPublic);
    if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(PRIME.subtract(BigInteger.ONE)) >= 0) {
      throw new IOException("the Secret Service sent an invalid Diffie-Hellman public value");
    }
    byte[] shared = modPow(unsigned(y, 128), privateKey);
    Arrays.fill(privateKey, (byte) 0);
    try {
      if (shared[0] == 0) {
        return false;
      }
      byte[] key = Sha256.hkdf(shared, 16);
      cipher = new Aes128Cbc(key);
      Arrays.fill(key, (byte) 0);
      return true;
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  /** The secret, or an IOException when the session key does not decrypt it. */
  byte[] decrypt(byte[] iv, byte[] value) throws IOException {
    byte[] plain = cipher.decrypt(iv, value);
    if (plain == null) {
      throw new IOException("the Secret Service's encrypted secret did not decrypt");
    }
    return plain;
  }

  /** {IV, ciphertext} for a secret sent to the service. */
  byte[][] encrypt(byte[] plain) throws IOException {
    byte[] iv = random(16);
    return new byte[][] {iv, cipher.encrypt(iv, plain)};
  }

  void clear() {
    Arrays.fill(privateKey, (byte) 0);
    if (cipher != null) {
      cipher.clear();
    }
  }

  /** In C when the packaged library is there (the interpreter needs ~25 ms for BigInteger's). */
  private static byte[] modPow(byte[] base, byte[] exp) throws IOException {
    byte[] fast = NativeMath.modPow(base, exp, PRIME_BYTES);
    if (fast != null) {
      return fast;
    }
    return unsigned(new BigInteger(1, base).modPow(new BigInteger(1, exp), PRIME), 128);
  }

  /**
   * The kernel's random bytes: SecureRandom would first set up the security providers, which costs
   * more than the whole session. SecureRandom only where /dev/urandom does not exist.
   */
  private static byte[] random(int n) throws IOException {
    byte[] out = new byte[n];
    try (InputStream in = new FileInputStream("/dev/urandom")) {
      if (in.readNBytes(out, 0, n) == n) {
        return out;
      }
    } catch (IOException e) {
      // Not Linux/BSD: fall through.
    }
    new SecureRandom().nextBytes(out);
    return out;
  }

  /** Big-endian, exactly {@code length} bytes (left-padded). */
  static byte[] unsigned(BigInteger v, int length) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }
}
