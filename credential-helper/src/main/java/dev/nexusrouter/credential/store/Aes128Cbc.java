package dev.nexusrouter.credential.store;

import java.util.Arrays;

/**
 * AES-128 (FIPS 197) in CBC mode with PKCS#7 padding, by hand, for the Secret Service's encrypted
 * session: {@code javax.crypto.Cipher} first loads and verifies the JCE providers, ~50-90 ms on a
 * cold JVM, more than a whole {@code get}. Secrets are small; tested against the JDK's cipher.
 */
final class Aes128Cbc {
  private static final int[] SBOX = new int[256];
  private static final int[] INV_SBOX = new int[256];

  static {
    // The S-box from its definition: the multiplicative inverse in GF(2^8), then the affine map.
    int p = 1;
    int q = 1;
    do {
      p = p ^ (p << 1) ^ ((p & 0x80) != 0 ? 0x1b : 0);
      p &= 0xff;
      q ^= q << 1;
      q ^= q << 2;
      q ^= q << 4;
      q &= 0xff;
      if ((q & 0x80) != 0) {
        q ^= 0x09;
      }
      int x = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4);
      SBOX[p] = (x ^ 0x63) & 0xff;
    } while (p != 1);
    SBOX[0] = 0x63;
    for (int i = 0; i < 256; i++) {
      INV_SBOX[SBOX[i]] = i;
    }
  }

  private final int[] roundKeys = new int[176];

  Aes128Cbc(byte[] key) {
    if (key.length != 16) {
      throw new IllegalArgumentException("AES-128 needs a 16-byte key");
    }
    for (int i = 0; i < 16; i++) {
      roundKeys[i] = key[i] & 0xff;
    }
    int rcon = 1;
    for (int i = 16; i < 176; i += 4) {
      int t0 = roundKeys[i - 4];
      int t1 = roundKeys[i - 3];
      int t2 = roundKeys[i - 2];
      int t3 = roundKeys[i - 1];
      if (i % 16 == 0) {
        int tmp = t0;
        t0 = SBOX[t1] ^ rcon;
        t1 = SBOX[t2];
        t2 = SBOX[t3];
        t3 = SBOX[tmp];
        rcon = xtime(rcon);
      }
      roundKeys[i] = roundKeys[i - 16] ^ t0;
      roundKeys[i + 1] = roundKeys[i - 15] ^ t1;
      roundKeys[i + 2] = roundKeys[i - 14] ^ t2;
      roundKeys[i + 3] = roundKeys[i - 13] ^ t3;
    }
  }

  /** Encrypts with PKCS#7 padding. */
  byte[] encrypt(byte[] iv, byte[] plain) {
    int pad = 16 - plain.length % 16;
    byte[] out = Arrays.copyOf(plain, plain.length + pad);
    Arrays.fill(out, plain.length, out.length, (byte) pad);
    int[] state = new int[16];
    byte[] prev = iv.clone();
    for (int off = 0; off < out.length; off += 16) {
      for (int i = 0; i < 16; i++) {
        state[i] = (out[off + i] ^ prev[i]) & 0xff;
      }
      encryptBlock(state);
      for (int i = 0; i < 16; i++) {
        out[off + i] = (byte) state[i];
      }
      prev = Arrays.copyOfRange(out, off, off + 16);
    }
    Arrays.fill(state, 0);
    return out;
  }

  /** Decrypts and removes PKCS#7 padding; null when the padding is wrong (wrong key). */
  byte[] decrypt(byte[] iv, byte[] cipher) {
    if (cipher.length == 0 || cipher.length % 16 != 0 || iv.length != 16) {
      return null;
    }
    byte[] out = new byte[cipher.length];
    int[] state = new int[16];
    for (int off = 0; off < cipher.length; off += 16) {
      for (int i = 0; i < 16; i++) {
        state[i] = cipher[off + i] & 0xff;
      }
      decryptBlock(state);
      for (int i = 0; i < 16; i++) {
        int prev = off == 0 ? iv[i] : cipher[off - 16 + i];
        out[off + i] = (byte) (state[i] ^ prev);
      }
    }
    Arrays.fill(state, 0);
    int pad = out[out.length - 1] & 0xff;
    boolean ok = pad >= 1 && pad <= 16;
    for (int i = 0; ok && i < pad; i++) {
      ok = (out[out.length - 1 - i] & 0xff) == pad;
    }
    if (!ok) {
      Arrays.fill(out, (byte) 0);
      return null;
    }
    byte[] plain = Arrays.copyOf(out, out.length - pad);
    Arrays.fill(out, (byte) 0);
    return plain;
  }

  void clear() {
    Arrays.fill(roundKeys, 0);
  }

  private void encryptBlock(int[] s) {
    addRoundKey(s, 0);
    for (int round = 1; round <= 10; round++) {
      for (int i = 0; i < 16; i++) {
        s[i] = SBOX[s[i]];
      }
      shiftRows(s);
      if (round != 10) {
        mixColumns(s);
      }
      addRoundKey(s, round);
    }
  }

  private void decryptBlock(int[] s) {
    addRoundKey(s, 10);
    for (int round = 9; round >= 0; round--) {
      invShiftRows(s);
      for (int i = 0; i < 16; i++) {
        s[i] = INV_SBOX[s[i]];
      }
      addRoundKey(s, round);
      if (round != 0) {
        invMixColumns(s);
      }
    }
  }

  private void addRoundKey(int[] s, int round) {
    for (int i = 0; i < 16; i++) {
      s[i] ^= roundKeys[16 * round + i];
    }
  }

  /** State index = row + 4 * column (the FIPS 197 byte order of the block). */
  private static void shiftRows(int[] s) {
    int[] t = s.clone();
    for (int r = 1; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        s[r + 4 * c] = t[r + 4 * ((c + r) % 4)];
      }
    }
  }

  private static void invShiftRows(int[] s) {
    int[] t = s.clone();
    for (int r = 1; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        s[r + 4 * ((c + r) % 4)] = t[r + 4 * c];
      }
    }
  }

  private static void mixColumns(int[] s) {
    for (int c = 0; c < 4; c++) {
      int a0 = s[4 * c];
      int a1 = s[4 * c + 1];
      int a2 = s[4 * c + 2];
      int a3 = s[4 * c + 3];
      s[4 * c] = xtime(a0) ^ xtime(a1) ^ a1 ^ a2 ^ a3;
      s[4 * c + 1] = a0 ^ xtime(a1) ^ xtime(a2) ^ a2 ^ a3;
      s[4 * c + 2] = a0 ^ a1 ^ xtime(a2) ^ xtime(a3) ^ a3;
      s[4 * c + 3] = xtime(a0) ^ a0 ^ a1 ^ a2 ^ xtime(a3);
    }
  }

  private static void invMixColumns(int[] s) {
    for (int c = 0; c < 4; c++) {
      int a0 = s[4 * c];
      int a1 = s[4 * c + 1];
      int a2 = s[4 * c + 2];
      int a3 = s[4 * c + 3];
      s[4 * c] = mul(a0, 14) ^ mul(a1, 11) ^ mul(a2, 13) ^ mul(a3, 9);
      s[4 * c + 1] = mul(a0, 9) ^ mul(a1, 14) ^ mul(a2, 11) ^ mul(a3, 13);
      s[4 * c + 2] = mul(a0, 13) ^ mul(a1, 9) ^ mul(a2, 14) ^ mul(a3, 11);
      s[4 * c + 3] = mul(a0, 11) ^ mul(a1, 13) ^ mul(a2, 9) ^ mul(a3, 14);
    }
  }

  private static int xtime(int a) {
    return ((a << 1) ^ ((a & 0x80) != 0 ? 0x1b : 0)) & 0xff;
  }

  private static int mul(int a, int b) {
    int result = 0;
    int x = a;
    for (int bit = b; bit != 0; bit >>= 1) {
      if ((bit & 1) != 0) {
        result ^= x;
      }
      x = xtime(x);
    }
    return result;
  }

  private static int rotl8(int x, int shift) {
    return ((x << shift) | (x >>> (8 - shift))) & 0xff;
  }
}
