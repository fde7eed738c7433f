package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.StoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The encrypted file format: {@code "DCJF" | version 1 | kdf | [argon2 memoryKiB, iterations,
 * parallelism, 16-byte salt] | 12-byte nonce | AES-256-GCM ciphertext+tag}. Everything before the
 * nonce is authenticated as associated data, so a changed KDF parameter is a decryption failure,
 * not a silently different key.
 */
final class FileCrypto {
  static final byte KDF_KEY_FILE = 0;
  static final byte KDF_ARGON2ID = 1;
  private static final byte[] MAGIC = "DCJF".getBytes(StandardCharsets.US_ASCII);
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int SALT_BYTES = 16;
  private static final int KEY_BYTES = 32;

  /** OWASP's Argon2id minimum (19 MiB, t=2, p=1): memory-hard yet cheap per helper call. */
  static final int ARGON2_MEMORY_KIB = 19 * 1024;

  static final int ARGON2_ITERATIONS = 2;
  static final int ARGON2_PARALLELISM = 1;

  /** Only writes need randomness; a get must not pay for seeding a SecureRandom (~10 ms). */
  private static final class Random {
    static final SecureRandom INSTANCE = new SecureRandom();
  }

  private FileCrypto() {}

  /** The key-derivation part of a file header, kept from one write to the next. */
  record Header(byte kdf, int memoryKiB, int iterations, int parallelism, byte[] salt) {
    static Header keyFile() {
      return new Header(KDF_KEY_FILE, 0, 0, 0, new byte[0]);
    }

    static Header newArgon2() {
      byte[] salt = new byte[SALT_BYTES];
      Random.INSTANCE.nextBytes(salt);
      return new Header(
          KDF_ARGON2ID, ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, salt);
    }

    byte[] encode() {
      ByteBuffer buf = ByteBuffer.allocate(6 + (kdf == KDF_ARGON2ID ? 12 + SALT_BYTES : 0));
      buf.put(MAGIC).put(VERSION).put(kdf);
      if (kdf == KDF_ARGON2ID) {
        buf.putInt(memoryKiB).putInt(iterations).putInt(parallelism).put(salt);
      }
      return buf.array();
    }

    @Override
    public String toString() {
      return "Header[kdf=" + kdf + ", memoryKiB=" + memoryKiB + ", iterations=" + iterations + "]";
    }
  }

  static Header readHeader(byte[] file, String where) throws StoreException {
    ByteBuffer buf = ByteBuffer.wrap(file);
    if (file.length < 6 + NONCE_BYTES + TAG_BITS / 8
        || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
      throw corrupt(where, "not a docker-credential-java store");
    }
    buf.position(MAGIC.length);
    if (buf.get() != VERSION) {
      throw corrupt(where, "unsupported format version");
    }
    byte kdf = buf.get();
    if (kdf == KDF_KEY_FILE) {
      return Header.keyFile();
    }
    if (kdf != KDF_ARGON2ID || buf.remaining() < 12 + SALT_BYTES + NONCE_BYTES) {
      throw corrupt(where, "unknown key derivation");
    }
    int memory = buf.getInt();
    int iterations = buf.getInt();
    int parallelism = buf.getInt();
    if (memory < 8 || memory > 4 * 1024 * 1024 || iterations < 1 || iterations > 64) {
      throw corrupt(where, "implausible key-derivation parameters");
    }
    if (parallelism < 1 || parallelism > 64) {
      throw corrupt(where, "implausible key-derivation parameters");
    }
    byte[] salt = new byte[SALT_BYTES];
    buf.get(salt);
    return new Header(KDF_ARGON2ID, memory, iterations, parallelism, salt);
  }

  static byte[] deriveKey(Header header, byte[] passphrase) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(header.salt())
            .withMemoryAsKB(header.memoryKiB())
            .withIterations(header.iterations())
            .withParallelism(header.parallelism())
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] key = new byte[KEY_BYTES];
    generator.generateBytes(passphrase, key);
    return key;
  }

  static byte[] newRandomKey() {
    byte[] key = new byte[KEY_BYTES];
    Random.INSTANCE.nextBytes(key);
    return key;
  }

  static byte[] seal(Header header, byte[] key, byte[] plaintext) throws StoreException {
    byte[] aad = header.encode();
    byte[] nonce = new byte[NONCE_BYTES];
    Random.INSTANCE.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad);
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(aad.length + NONCE_BYTES + sealed.length)
          .put(aad)
          .put(nonce)
          .put(sealed)
          .array();
    } catch (GeneralSecurityException e) {
      throw new StoreException("cannot encrypt the credential file: " + e.getClass().getName());
    }
  }

  static byte[] open(Header header, byte[] key, byte[] file, String where) throws StoreException {
    int headerLength = header.encode().length;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, file, headerLength, NONCE_BYTES));
      cipher.updateAAD(file, 0, headerLength);
      int offset = headerLength + NONCE_BYTES;
      return cipher.doFinal(file, offset, file.length - offset);
    } catch (AEADBadTagException e) {
      throw new StoreException(
          "cannot decrypt "
              + where
              + ": wrong passphrase or key file, or the file was modified; it was left untouched"
              + " (see README, Troubleshooting)");
    } catch (GeneralSecurityException e) {
      throw new StoreException("cannot decrypt " + where + ": " + e.getClass().getName());
    }
  }

  private static StoreException corrupt(String where, String why) {
    return new StoreException(
        "the credential file "
            + where
            + " is corrupt ("
            + why
            + "); it was left untouched: move it away and log in again");
  }
}
