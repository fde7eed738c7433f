package dev.nexusrouter.credential.dockerconfig;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON document that can be edited without re-serialising what was not changed: every value keeps
 * its source text, so numbers such as {@code 2.50} or {@code 1e400}, escapes and unknown content
 * come back byte for byte. Only an object that was edited is laid out again, the way docker writes
 * its config ({@code json.MarshalIndent} with a tab), with its untouched members' values copied
 * from the source. Duplicate keys are kept as they are until an edit merges them.
 */
final class JsonDoc {
  private JsonDoc() {}

  /** A parsed value: an object (editable) or anything else (kept as source text). */
  sealed interface Value permits Obj, Leaf {}

  /**
   * A string, number, literal or array: its exact source text, and for a string its decoded {@code
   * text} (null otherwise).
   */
  record Leaf(String raw, String text) implements Value {
    static Leaf string(String s) {
      return new Leaf(quote(s), s);
    }
  }

  /** One {@code "key": value} pair; {@code rawKey} is the key's source text, quotes included. */
  static final class Member {
    final String key;
    final String rawKey;
    Value value;

    Member(String key, String rawKey, Value value) {
      this.key = key;
      this.rawKey = rawKey;
      this.value = value;
    }
  }

  /** An object; edited through its methods, which mark it for re-layout. */
  static final class Obj implements Value {
    final List<Member> members = new ArrayList<>();
    private final String raw;
    private boolean edited;

    Obj(String raw) {
      this.raw = raw;
    }

    static Obj empty() {
      Obj o = new Obj(null);
      o.edited = true;
      return o;
    }

    /** The last member with this key (Go's encoding/json: a later duplicate wins). */
    Value get(String key) {
      for (int i = members.size() - 1; i >= 0; i--) {
        if (members.get(i).key.equals(key)) {
          return members.get(i).value;
        }
      }
      return null;
    }

    Obj object(String key) {
      return get(key) instanceof Obj o ? o : null;
    }

    /** The decoded string value, or null when absent or not a string. */
    String string(String key) {
      return get(key) instanceof Leaf l ? l.text() : null;
    }

    /** Sets {@code key} to {@code value}: replaces the last member, drops earlier duplicates. */
    void put(String key, Value value) {
      Member last = null;
      for (int i = members.size() - 1; i >= 0; i--) {
        if (members.get(i).key.equals(key)) {
          if (last == null) {
            last = members.get(i);
          } else {
            members.remove(i);
          }
        }
      }
      if (last == null) {
        members.add(new Member(key, quote(key), value));
      } else {
        last.value = value;
      }
      edited = true;
    }

    /** The object under {@code key}, created (or replacing a non-object) when needed. */
    Obj objectForEdit(String key) {
      Obj o = object(key);
      if (o == null) {
        o = empty();
        put(key, o);
      }
      return o;
    }

    boolean remove(String key) {
      boolean removed = members.removeIf(m -> m.key.equals(key));
      edited |= removed;
      return removed;
    }

    /**
     * Merges every member named {@code key} whose value is an object into the first one, later
     * entries winning per inner key: docker decodes a repeated map field into the same Go map.
     *
     * @return true when there were duplicates
     */
    boolean mergeDuplicates(String key) {
      List<Member> same = members.stream().filter(m -> m.key.equals(key)).toList();
      if (same.size() < 2) {
        return false;
      }
      Obj merged = empty();
      for (Member m : same) {
        if (m.value instanceof Obj o) {
          for (Member inner : o.members) {
            merged.members.removeIf(x -> x.key.equals(inner.key));
            merged.members.add(inner);
          }
        }
      }
      same.get(0).value = merged;
      for (int i = 1; i < same.size(); i++) {
        members.remove(same.get(i));
      }
      edited = true;
      return true;
    }

    boolean changed() {
      if (edited) {
        return true;
      }
      for (Member m : members) {
        if (m.value instanceof Obj o && o.changed()) {
          return true;
        }
      }
      return false;
    }

    void write(StringBuilder out, int depth) {
      if (!changed()) {
        out.append(raw);
        return;
      }
      if (members.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      for (int i = 0; i < members.size(); i++) {
        Member m = members.get(i);
        out.append(i == 0 ? "\n" : ",\n").append("\t".repeat(depth + 1));
        out.append(m.rawKey).append(": ");
        if (m.value instanceof Obj o) {
          o.write(out, depth + 1);
        } else {
          out.append(((Leaf) m.value).raw());
        }
      }
      out.append('\n').append("\t".repeat(depth)).append('}');
    }
  }

  /** The document text: the source when nothing changed, else the edited layout and a newline. */
  static String write(Obj root) {
    StringBuilder out = new StringBuilder();
    root.write(out, 0);
    return out.append('\n').toString();
  }

  /** JSON text is not valid; the message names line and column, never the content. */
  static final class SyntaxError extends Exception {
    SyntaxError(String message) {
      super(message);
    }
  }

  /** Parses a whole document (RFC 8259); any value at the top, the caller checks for an object. */
  static Value parse(String text) throws SyntaxError {
    Parser p = new Parser(text);
    p.skipSpace();
    Value v = p.value(0);
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("unexpected content after the JSON value");
    }
    return v;
  }

  private static final class Parser {
    private static final int MAX_DEPTH = 256;
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    Value value(int depth) throws SyntaxError {
      if (depth > MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH);
      }
      if (pos >= s.length()) {
        throw error("unexpected end of input");
      }
      int start = pos;
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          array(depth);
          return new Leaf(s.substring(start, pos), null);
        case '"':
          String str = string();
          return new Leaf(s.substring(start, pos), str);
        case 't':
          return literal("true");
        case 'f':
          return literal("false");
        case 'n':
          return literal("null");
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            number();
            return new Leaf(s.substring(start, pos), null);
          }
          throw error("unexpected character");
      }
    }

    private Obj object(int depth) throws SyntaxError {
      int start = pos;
      pos++; // {
      List<Member> members = new ArrayList<>();
      skipSpace();
      if (peek() == '}') {
        pos++;
      } else {
        while (true) {
          skipSpace();
          if (peek() != '"') {
            throw error("expected a quoted key");
          }
          int keyStart = pos;
          String key = string();
          String rawKey = s.substring(keyStart, pos);
          skipSpace();
          expect(':');
          skipSpace();
          members.add(new Member(key, rawKey, value(depth + 1)));
          skipSpace();
          char c = peek();
          pos++;
          if (c == '}') {
            break;
          }
          if (c != ',') {
            pos--;
            throw error("expected ',' or '}'");
          }
        }
      }
      Obj o = new Obj(s.substring(start, pos));
      o.members.addAll(members);
      return o;
    }

    private void array(int depth) throws SyntaxError {
      pos++; // [
      skipSpace();
      if (peek() == ']') {
        pos++;
        return;
      }
      while (true) {
        skipSpace();
        value(depth + 1);
        skipSpace();
        char c = peek();
        pos++;
        if (c == ']') {
          return;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or ']'");
        }
      }
    }

    private String string() throws SyntaxError {
      pos++; // "
      StringBuilder out = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          pos--;
          throw error("control character in a string");
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("bad \\u escape");
            }
            // four hex digits exactly: parseInt would also take a sign ("\\u+041"), which Go's
            // encoding/json, and so docker, rejects
            int code = 0;
            for (int k = pos; k < pos + 4; k++) {
              char h = s.charAt(k);
              int digit = h < 128 ? Character.digit(h, 16) : -1; // ASCII hex only
              if (digit < 0) {
                throw error("bad \\u escape");
              }
              code = code * 16 + digit;
            }
            out.append((char) code);
            pos += 4;
          }
          default -> {
            pos--;
            throw error("bad escape");
          }
        }
      }
    }

    private void number() throws SyntaxError {
      if (peek() == '-') {
        pos++;
      }
      if (peek() == '0') {
        pos++;
      } else if (!digits()) {
        throw error("bad number");
      }
      if (peek() == '.') {
        pos++;
        if (!digits()) {
          throw error("bad number");
        }
      }
      if (peek() == 'e' || peek() == 'E') {
        pos++;
        if (peek() == '+' || peek() == '-') {
          pos++;
        }
        if (!digits()) {
          throw error("bad number");
        }
      }
    }

    private boolean digits() {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      return pos > start;
    }

    private Leaf literal(String word) throws SyntaxError {
      if (!s.startsWith(word, pos)) {
        throw error("unexpected character");
      }
      pos += word.length();
      return new Leaf(word, null);
    }

    private void expect(char c) throws SyntaxError {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    void skipSpace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    SyntaxError error(String what) {
      int line = 1;
      int column = 1;
      for (int i = 0; i < Math.min(pos, s.length()); i++) {
        if (s.charAt(i) == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
      return new SyntaxError(what + " at line " + line + ", column " + column);
    }
  }

  /** A JSON string literal for {@code s}, escaping what RFC 8259 requires and nothing else. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
