package dev.nexusrouter.credential.dbus;

/** Splits D-Bus type signatures into single complete types (D-Bus specification, "Signatures"). */
final class Signatures {
  private Signatures() {}

  /**
   * The index just past the single complete type that starts at {@code from}.
   *
   * @throws IllegalArgumentException for a truncated or unbalanced signature
   */
  static int end(String signature, int from) {
    if (from >= signature.length()) {
      throw new IllegalArgumentException("malformed D-Bus signature '" + signature + "'");
    }
    char c = signature.charAt(from);
    if (c == 'a') {
      return end(signature, from + 1);
    }
    if (c == '(' || c == '{') {
      char close = c == '(' ? ')' : '}';
      int i = from + 1;
      while (i < signature.length() && signature.charAt(i) != close) {
        i = end(signature, i);
      }
      if (i >= signature.length()) {
        throw new IllegalArgumentException("malformed D-Bus signature '" + signature + "'");
      }
      return i + 1;
    }
    return from + 1;
  }

  /** The alignment of a value of the type whose signature starts with {@code c}. */
  static int alignment(char c) {
    switch (c) {
      case 'n':
      case 'q':
        return 2;
      case 'b':
      case 'i':
      case 'u':
      case 'h':
      case 's':
      case 'o':
      case 'a':
        return 4;
      case 'x':
      case 't':
      case 'd':
      case '(':
      case '{':
        return 8;
      default:
        return 1; // y, g, v
    }
  }
}
