package dev.nexusrouter.router.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Deterministic, offset-addressable test data: the byte at any position is a pure function of the
 * position (splitmix64 of the 8-byte word index), so gigabytes can be generated, sliced for Range
 * requests and verified without ever holding them in memory.
 */
final class PatternBytes {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private PatternBytes() {}

  static long word(long index) {
    long z = index * 0x9E3779B97F4A7C15L + 0x5DEECE66DL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static byte at(long position) {
    return (byte) (word(position >>> 3) >>> (8 * (int) (position & 7)));
  }

  /** Fills {@code b[off, off+len)} with the bytes at positions {@code [position, position+len)}. */
  static void fill(long position, byte[] b, int off, int len) {
    int i = 0;
    while (i < len && ((position + i) & 7) != 0) {
      b[off + i] = at(position + i);
      i++;
    }
    while (len - i >= 8) {
      LONGS.set(b, off + i, word((position + i) >>> 3));
      i += 8;
    }
    while (i < len) {
      b[off + i] = at(position + i);
      i++;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 (hex) of the pattern bytes {@code [0, length)}. */
  static String sha256Hex(long length) {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 20];
    for (long pos = 0; pos < length; ) {
      int n = (int) Math.min(buf.length, length - pos);
      fill(pos, buf, 0, n);
      md.update(buf, 0, n);
      pos += n;
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Reads {@code in} to its end and compares it with the pattern from {@code start}; returns the
   * number of bytes read. Throws with the first differing position.
   */
  static long verify(InputStream in, long start, long expectedLength) throws IOException {
    byte[] got = new byte[1 << 16];
    byte[] want = new byte[got.length];
    long read = 0;
    while (true) {
      int n = in.read(got);
      if (n < 0) {
        return read;
      }
      if (read + n > expectedLength) {
        throw new AssertionError(
            "body longer than expected: more than " + expectedLength + " bytes");
      }
      fill(start + read, want, 0, n);
      int mismatch = Arrays.mismatch(got, 0, n, want, 0, n);
      if (mismatch >= 0) {
        throw new AssertionError(
            "body differs at offset "
                + (read + mismatch)
                + " (position "
                + (start + read + mismatch)
                + ")");
      }
      read += n;
    }
  }
}
