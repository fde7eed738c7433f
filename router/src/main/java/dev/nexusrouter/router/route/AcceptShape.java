package dev.nexusrouter.router.route;

/**
 * Counts the concrete media types in {@code Accept} header values ({@code a/b}, not {@code *}{@code
 * /*} or {@code a/*}), stopping at {@link #SEVERAL}. One character scan, no regex, no allocation:
 * it runs for every HEAD of a manifest or blob. Why the count tells a push check from a pull
 * resolve: docs/client-request-shapes.md.
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

  static int count(String value) {
    int n = 0;
    int start = 0;
    int len = value.length();
    for (int i = 0; i <= len; i++) {
      if (i == len || value.charAt(i) == ',') {
        if (isConcrete(value, start, i)) {
          n++;
          if (n >= SEVERAL) {
            return SEVERAL;
          }
        }
        start = i + 1;
      }
    }
    return n;
  }

  /** The media range in {@code value[from, to)}, parameters ignored, names a concrete type. */
  private static boolean isConcrete(String value, int from, int to) {
    int semi = value.indexOf(';', from);
    int end = semi >= 0 && semi < to ? semi : to;
    while (from < end && isSpace(value.charAt(from))) {
      from++;
    }
    while (end > from && isSpace(value.charAt(end - 1))) {
      end--;
    }
    if (from == end) {
      return false;
    }
    int slash = value.indexOf('/', from);
    if (slash < 0 || slash >= end - 1 || slash == from) {
      return false; // "*", "foo", "/x", "x/": not a media type
    }
    return !(end - slash == 2 && value.charAt(end - 1) == '*');
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
