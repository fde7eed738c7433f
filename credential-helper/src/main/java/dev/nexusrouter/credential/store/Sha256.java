package dev.nexusrouter.credential.store;

import java.util.Arrays;

/**
 * SHA-256 (FIPS 180-4), HMAC (RFC 2104) and HKDF (RFC 5869), by hand: the JDK's MessageDigest and
 * Mac first set up the security providers, which costs a pull more than the Secret Service
 * session's whole key derivation (BENCHMARKS.md, "Credential helpers"). Inputs are a few hundred
 * bytes; tested against the JDK and the RFC 5869 vectors.
 */
final class Sha256 {
  private static final int[] K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  };

  private Sha256() {}

  static byte[] digest(byte[] data) {
    int[] h = {
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    };
    long bits = (long) data.length * 8;
    int padded = ((data.length + 8) / 64 + 1) * 64;
    byte[] msg = Arrays.copyOf(data, padded);
    msg[data.length] = (byte) 0x80;
    for (int i = 0; i < 8; i++) {
      msg[padded - 1 - i] = (byte) (bits >>> (8 * i));
    }
    int[] w = new int[64];
    for (int block = 0; block < padded; block += 64) {
      for (int t = 0; t < 16; t++) {
        int o = block + 4 * t;
        w[t] =
            (msg[o] & 0xff) << 24
                | (msg[o + 1] & 0xff) << 16
                | (msg[o + 2] & 0xff) << 8
                | (msg[o + 3] & 0xff);
      }
      for (int t = 16; t < 64; t++) {
        int s0 =
            Integer.rotateRight(w[t - 15], 7)
                ^ Integer.rotateRight(w[t - 15], 18)
                ^ (w[t - 15] >>> 3);
        int s1 =
            Integer.rotateRight(w[t - 2], 17)
                ^ Integer.rotateRight(w[t - 2], 19)
                ^ (w[t - 2] >>> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
      }
      int a = h[0];
      int b = h[1];
      int c = h[2];
      int d = h[3];
      int e = h[4];
      int f = h[5];
      int g = h[6];
      int hh = h[7];
      for (int t = 0; t < 64; t++) {
        int t1 =
            hh
                + (Integer.rotateRight(e, 6)
                    ^ Integer.rotateRight(e, 11)
                    ^ Integer.rotateRight(e, 25))
                + ((e & f) ^ (~e & g))
                + K[t]
                + w[t];
        int t2 =
            (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
                + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
      }
      h[0] += a;
      h[1] += b;
      h[2] += c;
      h[3] += d;
      h[4] += e;
      h[5] += f;
      h[6] += g;
      h[7] += hh;
    }
    Arrays.fill(msg, (byte) 0);
    Arrays.fill(w, 0);
    byte[] out = new byte[32];
    for (int i = 0; i < 8; i++) {
      out[4 * i] = (byte) (h[i] >>> 24);
      out[4 * i + 1] = (byte) (h[i] >>> 16);
      out[4 * i + 2] = (byte) (h[i] >>> 8);
      out[4 * i + 3] = (byte) h[i];
    }
    return out;
  }

  static byte[] hmac(byte[] key, byte[] data) {
    byte[] k = key.length > 64 ? digest(key) : key;
    byte[] inner = new byte[64 + data.length];
    byte[] outer = new byte[64 + 32];
    for (int i = 0; i < 64; i++) {
      byte b = i < k.length ? k[i] : 0;
      inner[i] = (byte) (b ^ 0x36);
      outer[i] = (byte) (b ^ 0x5c);
    }
    System.arraycopy(data, 0, inner, 64, data.length);
    byte[] innerHash = digest(inner);
    System.arraycopy(innerHash, 0, outer, 64, 32);
    byte[] out = digest(outer);
    Arrays.fill(inner, (byte) 0);
    Arrays.fill(outer, (byte) 0);
    Arrays.fill(innerHash, (byte) 0);
    return out;
  }

  /** HKDF-SHA256 with an empty salt and empty info, {@code length} at most 32 bytes. */
  static byte[] hkdf(byte[] ikm, int length) {
    byte[] prk = hmac(new byte[32], ikm); // RFC 5869 2.2: no salt means HashLen zero bytes
    byte[] okm = hmac(prk, new byte[] {1});
    Arrays.fill(prk, (byte) 0);
    byte[] out = Arrays.copyOf(okm, length);
    Arrays.fill(okm, (byte) 0);
    return out;
  }
}
