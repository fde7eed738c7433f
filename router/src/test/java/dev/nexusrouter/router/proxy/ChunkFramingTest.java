package dev.nexusrouter.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** RFC 9112 §7.1 chunked framing, fed whole and one byte at a time. */
class ChunkFramingTest {
  /** Index of the first bad byte of {@code body} (-1: none) when fed in pieces of {@code step}. */
  static int firstBad(String body, int step, ChunkFraming f) {
    byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer buf = ByteBuffer.wrap(b);
    for (int i = 0; i < b.length; i += step) {
      int bad = f.scan(buf, i, Math.min(b.length, i + step));
      if (bad >= 0) {
        return bad;
      }
    }
    return -1;
  }

  static void valid(String body) {
    for (int step : new int[] {1, 3, 1 << 20}) {
      ChunkFraming f = new ChunkFraming();
      assertEquals(-1, firstBad(body, step, f), () -> body + ": " + f.problem());
      assertTrue(f.done(), body);
      assertNull(f.problem());
    }
  }

  static void invalid(String body, int at, String problem) {
    for (int step : new int[] {1, 2, 1 << 20}) {
      ChunkFraming f = new ChunkFraming();
      assertEquals(at, firstBad(body, step, f), body);
      assertEquals(problem, f.problem(), body);
      assertFalse(f.done());
      // once broken, stays broken at the first index it is given
      ByteBuffer rest = ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(2, f.scan(rest, 2, 5));
    }
  }

  @Test
  void wellFormedBodiesEnd() {
    valid("0\r\n\r\n");
    valid("000\r\n\r\n");
    valid("5\r\nhello\r\n0\r\n\r\n");
    valid("A\r\n0123456789\r\n5\r\nhello\r\n0\r\n\r\n");
    valid("5;name=value\r\nhello\r\n0;x\r\n\r\n");
    valid("5 \t; a = b ;c=\"q \\\" \\\\ d\"\r\nhello\r\n0\r\n\r\n");
    valid("5\r\nhello\r\n0\r\nX-Digest: sha256:1\r\nEmpty:\r\nTab:\tv \r\n\r\n");
    valid("4\r\n\r\n\r\n\r\n0\r\n\r\n"); // the data may itself be CRLFs
  }

  @Test
  void bytesAfterTheEndAreNotLookedAt() {
    ChunkFraming f = new ChunkFraming();
    assertEquals(-1, firstBad("0\r\n\r\nGARBAGE \n\n", 1 << 20, f));
    assertTrue(f.done());
  }

  @Test
  void badChunkSizes() {
    invalid("zz\r\n\r\n", 0, "invalid chunk size");
    invalid("0x3a\r\n\r\n", 1, "invalid chunk size");
    invalid("-1\r\n", 0, "invalid chunk size");
    invalid("+5\r\n", 0, "invalid chunk size");
    invalid(" 5\r\n", 0, "invalid chunk size");
    invalid("\r\n", 0, "invalid chunk size");
    invalid("5\r\nhello\r\nzz\r\n", 10, "invalid chunk size");
    invalid("5\nhello", 1, "invalid chunk size");
    invalid("5\rhello", 2, "chunk-size line not ended by CRLF");
  }

  @Test
  void chunkSizesAreCapped() {
    invalid(
        "100000000000000\r\n", 14, "chunk size larger than " + ChunkFraming.MAX_SIZE + " bytes");
    invalid("fffffffffffffffffff\r\n", 14, "chunk size larger than 72057594037927935 bytes");
    ChunkFraming f = new ChunkFraming();
    assertEquals(-1, firstBad("ffffffffffffff\r\n", 1, f)); // 2^56 - 1 itself is fine
    String zeros = "0".repeat(ChunkFraming.MAX_LINE);
    invalid(zeros + "5\r\n", ChunkFraming.MAX_LINE, "chunk-size line longer than 4096 bytes");
  }

  @Test
  void badExtensions() {
    invalid("5 \r\n", 2, "invalid chunk extension");
    invalid("5 x\r\n", 2, "invalid chunk extension");
    invalid("5;\r\n", 2, "invalid chunk extension");
    invalid("5;=v\r\n", 2, "invalid chunk extension");
    invalid("5;a=\r\n", 4, "invalid chunk extension");
    invalid("5;a b\r\n", 4, "invalid chunk extension");
    invalid("5;a \r\n", 4, "invalid chunk extension");
    invalid("5;a=\"x\"y\r\n", 7, "invalid chunk extension");
    invalid("5;a=\"x\ny\"\r\n", 6, "invalid chunk extension");
    invalid("5;a\u0000\r\n", 3, "invalid chunk extension");
    String longExt = "5;a=" + "b".repeat(ChunkFraming.MAX_LINE);
    invalid(longExt + "\r\n", ChunkFraming.MAX_LINE, "chunk-size line longer than 4096 bytes");
  }

  @Test
  void badDataEndsAndTrailers() {
    invalid("5\r\nhelloX\r\n", 8, "chunk data not followed by CRLF");
    invalid("5\r\nhello\n0\r\n\r\n", 8, "chunk data not followed by CRLF");
    invalid("5\r\nhello\r0\r\n\r\n", 9, "chunk data not followed by CRLF");
    invalid("0\r\n\n", 3, "invalid trailer field");
    invalid("0\r\nno colon\r\n\r\n", 5, "invalid trailer field");
    invalid("0\r\n folded: x\r\n\r\n", 3, "invalid trailer field");
    invalid("0\r\nA: x\ny\r\n\r\n", 7, "invalid trailer field");
    invalid("0\r\nA: x\r\r\n", 8, "trailer line not ended by CRLF");
    invalid("0\r\n\rX", 4, "chunked body not ended by CRLF");
    String many = ("X-T: " + "v".repeat(1000) + "\r\n").repeat(17);
    invalid(
        "0\r\n" + many + "\r\n",
        3 + ChunkFraming.MAX_TRAILERS,
        "trailer section larger than 16384 bytes");
  }
}
