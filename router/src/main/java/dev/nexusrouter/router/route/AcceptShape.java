package dev.nexusrouter.router.route;

/**
 * Counts the concrete media types in {@code Accept} header values ({@code a/b}, not {@code *}{@code
 * /*} or {@code a/*}), stopping at {@link #SEVERAL}. One pass that reads each character once, no
 * regex, no allocation: it runs on the I/O thread for every HEAD of a manifest or blob, before any
 * authentication, so its cost must stay linear in the header length. Why the count tells a push
 * check from a pull resolve: docs/client-request-shapes.md.
 */
public final class AcceptShape {
  /** The count returned for two or more concrete types. */
  public static final int SEVERAL = 2;

  private AcceptShape() {}

  /** Concrete types over all values (each value a comma-separated list); null counts as none. */
  public static int count(Iterable<String> values) {
    if (values == null) {
      return 0;
    }
    int n = 0;
    for (String v : values) {
      n += count(v);
      if (n >= SEVERAL) {
        return SEVERAL;
      }
    }
    return n;
  }

  /**
   * One left-to-right pass over {@code value}: every character is read exactly once, so the cost is
   * linear in the header length whatever its shape (a header of 30,000 empty or parameter-only
   * elements included).
   */
  static int count(CharSequence value) {
    int n = 0;
    int len = value.length();
    int first = -1; // first non-space character of the media range
    int last = -1; // last non-space character of the media range
    char lastChar = 0;
    int slash = -1; // first '/' of the media range
    boolean inParams = false; // after the element's first ';'
    for (int i = 0; i < len; i++) {
      char c = value.charAt(i);
      if (c == ',') {
        if (isConcrete(first, last, slash, lastChar)) {
          n++;
          if (n >= SEVERAL) {
            return SEVERAL;
          }
        }
        first = -1;
        last = -1;
        slash = -1;
        inParams = false;
      } else if (inParams) {
        continue;
      } else if (c == ';') {
        inParams = true;
      } else if (!isSpace(c)) {
        if (first < 0) {
          first = i;
        }
        if (c == '/' && slash < 0) {
          slash = i;
        }
        last = i;
        lastChar = c;
      }
    }
    return isConcrete(first, last, slash, lastChar) ? n + 1 : n;
  }

  /**
   * The media range {@code [first, last]} (parameters already cut off) names a concrete type: it
   * has a '/' with a type before and a subtype after it, and the subtype is not {@code *}. "*",
   * "foo", "/x", "x/" and "x/*" are not concrete.
   */
  private static boolean isConcrete(int first, int last, int slash, char lastChar) {
    if (first < 0 || slash <= first || slash >= last) {
      return false;
    }
    return !(last == slash + 1 && lastChar == '*');
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
