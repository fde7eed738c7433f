package dev.nexusrouter.router.proxy;

import java.nio.ByteBuffer;

/**
 * The framing of a chunked request body (RFC 9112 §7.1), checked byte by byte over the raw bytes as
 * they arrive: {@code chunk-size} is 1*HEXDIG, extensions are {@code *(BWS ";" BWS name [BWS "="
 * BWS (token / quoted-string)])}, every line ends with CRLF exactly, chunk data is followed by
 * CRLF, and the last chunk by trailer field lines and an empty line. Undertow's decoder is lenient
 * where this is strict (see docs/undertow-notes.md#chunked-request-framing); this class only says
 * whether, and where, the framing breaks. Chunk data is skipped in one step, so the cost is per
 * framing byte, not per body byte; nothing is allocated.
 */
final class ChunkFraming {
  /** Longest chunk-size line (size and extensions) or trailer line, CRLF included. */
  static final int MAX_LINE = 4096;

  /** Largest trailer section (all field lines, CRLFs included). */
  static final int MAX_TRAILERS = 16 * 1024;

  /**
   * Largest chunk size: 2^56 − 1 bytes (64 PiB). Far above any upload, and within what Undertow's
   * decoder can count (it keeps the size in the low 57 bits of a long).
   */
  static final long MAX_SIZE = (1L << 56) - 1;

  private static final int SIZE_START = 0; // first hex digit expected
  private static final int SIZE = 1; // in the digits
  private static final int BWS_BEFORE_SEMI = 2; // whitespace: only ';' may follow
  private static final int EXT_NAME_START = 3; // after ';' (BWS allowed)
  private static final int EXT_NAME = 4;
  private static final int EXT_AFTER_NAME = 5; // whitespace after a name: '=' or ';'
  private static final int EXT_VALUE_START = 6; // after '=' (BWS allowed)
  private static final int EXT_TOKEN = 7;
  private static final int EXT_QUOTED = 8;
  private static final int EXT_QUOTED_PAIR = 9; // after a backslash
  private static final int EXT_AFTER_QUOTED = 10;
  private static final int SIZE_LF = 11; // CR seen at the end of the size line
  private static final int DATA = 12;
  private static final int DATA_CR = 13;
  private static final int DATA_LF = 14;
  private static final int TRAILER_START = 15; // a field line or the final CRLF
  private static final int TRAILER_NAME = 16;
  private static final int TRAILER_VALUE = 17;
  private static final int TRAILER_LF = 18;
  private static final int END_LF = 19;
  private static final int DONE = 20;

  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private int state = SIZE_START;
  private long size;
  private long remaining;
  private int line;
  private int trailers;
  private String problem;

  /** True once the final CRLF was seen: the bytes after it are not part of this body. */
  boolean done() {
    return state == DONE;
  }

  /** What broke the framing, or null. */
  String problem() {
    return problem;
  }

  /**
   * Checks {@code buf}'s bytes at absolute indexes {@code from} (inclusive) to {@code to}
   * (exclusive), without moving its position. Returns the index of the first byte that breaks the
   * framing, or -1 when all of them fit (the bytes after the end of the body are not looked at).
   * After a violation the result is always the first index passed.
   */
  int scan(ByteBuffer buf, int from, int to) {
    int i = from;
    while (i < to) {
      if (state == DATA) {
        long skip = Math.min(remaining, to - i);
        i += (int) skip;
        remaining -= skip;
        if (remaining == 0) {
          state = DATA_CR;
        }
      } else if (state == DONE) {
        return -1;
      } else if (problem != null || !step(buf.get(i) & 0xff)) {
        return i;
      } else {
        i++;
      }
    }
    return -1;
  }

  private boolean step(int b) {
    if (state <= SIZE_LF && ++line > MAX_LINE) {
      return fail("chunk-size line longer than " + MAX_LINE + " bytes");
    }
    if (state >= TRAILER_START && state <= TRAILER_LF && ++trailers > MAX_TRAILERS) {
      return fail("trailer section larger than " + MAX_TRAILERS + " bytes");
    }
    return switch (state) {
      case SIZE_START -> hex(b) < 0 ? fail("invalid chunk size") : digit(b);
      case SIZE -> afterDigit(b);
      case BWS_BEFORE_SEMI -> ws(b) || (b == ';' ? to(EXT_NAME_START) : badExtension());
      case EXT_NAME_START -> ws(b) || (TCHAR[b] ? to(EXT_NAME) : badExtension());
      case EXT_NAME -> TCHAR[b] || afterExtensionPart(b, EXT_AFTER_NAME, true);
      case EXT_AFTER_NAME ->
          ws(b)
              || (b == '=' ? to(EXT_VALUE_START) : b == ';' ? to(EXT_NAME_START) : badExtension());
      case EXT_VALUE_START ->
          ws(b) || (TCHAR[b] ? to(EXT_TOKEN) : b == '"' ? to(EXT_QUOTED) : badExtension());
      case EXT_TOKEN -> TCHAR[b] || afterExtensionPart(b, BWS_BEFORE_SEMI, false);
      case EXT_QUOTED -> quoted(b);
      case EXT_QUOTED_PAIR -> b == '\t' || b >= 0x20 && b != 0x7f ? to(EXT_QUOTED) : badExtension();
      case EXT_AFTER_QUOTED -> afterExtensionPart(b, BWS_BEFORE_SEMI, false);
      case SIZE_LF -> b == '\n' ? endOfSizeLine() : fail("chunk-size line not ended by CRLF");
      case DATA_CR -> b == '\r' ? to(DATA_LF) : fail("chunk data not followed by CRLF");
      case DATA_LF -> b == '\n' ? nextChunk() : fail("chunk data not followed by CRLF");
      case TRAILER_START ->
          b == '\r' ? to(END_LF) : TCHAR[b] ? to(TRAILER_NAME) : fail("invalid trailer field");
      case TRAILER_NAME ->
          TCHAR[b] || (b == ':' ? to(TRAILER_VALUE) : fail("invalid trailer field"));
      case TRAILER_VALUE ->
          b == '\r'
              ? to(TRAILER_LF)
              : b == '\t' || b >= 0x20 && b != 0x7f || fail("invalid trailer field");
      case TRAILER_LF -> b == '\n' ? to(TRAILER_START) : fail("trailer line not ended by CRLF");
      case END_LF -> b == '\n' ? to(DONE) : fail("chunked body not ended by CRLF");
      default -> throw new IllegalStateException("state " + state);
    };
  }

  private boolean digit(int b) {
    if (size > MAX_SIZE >> 4) {
      return fail("chunk size larger than " + MAX_SIZE + " bytes");
    }
    size = (size << 4) + hex(b);
    state = SIZE;
    return true;
  }

  private boolean afterDigit(int b) {
    if (hex(b) >= 0) {
      return digit(b);
    }
    return switch (b) {
      case '\r' -> to(SIZE_LF);
      case ';' -> to(EXT_NAME_START);
      case ' ', '\t' -> to(BWS_BEFORE_SEMI);
      default -> fail("invalid chunk size");
    };
  }

  /** After an extension's name, token value or quoted value: whitespace, ';', '=' or CR. */
  private boolean afterExtensionPart(int b, int onWhitespace, boolean valueMayFollow) {
    if (ws(b)) {
      return to(onWhitespace);
    }
    if (b == ';') {
      return to(EXT_NAME_START);
    }
    if (b == '\r') {
      return to(SIZE_LF);
    }
    if (b == '=' && valueMayFollow) {
      return to(EXT_VALUE_START);
    }
    return badExtension();
  }

  private boolean quoted(int b) {
    if (b == '"') {
      return to(EXT_AFTER_QUOTED);
    }
    if (b == '\\') {
      return to(EXT_QUOTED_PAIR);
    }
    return b == '\t' || b >= 0x20 && b != 0x7f || badExtension();
  }

  private boolean endOfSizeLine() {
    line = 0;
    if (size == 0) {
      return to(TRAILER_START);
    }
    remaining = size;
    size = 0;
    return to(DATA);
  }

  private boolean nextChunk() {
    return to(SIZE_START);
  }

  private boolean to(int next) {
    state = next;
    return true;
  }

  private boolean badExtension() {
    return fail("invalid chunk extension");
  }

  private boolean fail(String why) {
    problem = why;
    return false;
  }

  private static boolean ws(int b) {
    return b == ' ' || b == '\t';
  }

  private static int hex(int b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
