package dev.nexusrouter.router.migrate;

import java.nio.file.Path;

/**
 * nginx's lexical rules (ngx_conf_read_token): blanks separate words; {@code ;}, {@code {}} and
 * {@code }} are tokens of their own; {@code #} at the start of a word comments out the rest of the
 * line; a quoted word runs to the matching quote, with {@code \"}, {@code \'}, {@code \\} and
 * {@code \n}/{@code \t}/{@code \r} escapes; after a closing quote only a blank, {@code ;}, {@code
 * {}, {@code }} or {@code )} may follow; {@code ${name}} inside a word is part of the word.
 */
final class Tokens {
  enum Kind {
    WORD,
    SEMI,
    OPEN,
    CLOSE
  }

  record Token(Kind kind, String text, Directive.Where where) {}

  private final Path file;
  private final String s;
  private int pos;
  private int line = 1;
  private final String shown;

  Tokens(Path file, String shown, String text) {
    this.file = file;
    this.shown = shown;
    this.s = text;
  }

  Path file() {
    return file;
  }

  Directive.Where where() {
    return new Directive.Where(file, shown, line);
  }

  /** The next token, or null at the end of the text. */
  Token next() throws NginxException {
    skipBlanksAndComments();
    if (pos >= s.length()) {
      return null;
    }
    Directive.Where at = where();
    char c = s.charAt(pos);
    switch (c) {
      case ';' -> {
        pos++;
        return new Token(Kind.SEMI, ";", at);
      }
      case '{' -> {
        pos++;
        return new Token(Kind.OPEN, "{", at);
      }
      case '}' -> {
        pos++;
        return new Token(Kind.CLOSE, "}", at);
      }
      case '"', '\'' -> {
        return new Token(Kind.WORD, quoted(c, at), at);
      }
      default -> {
        return new Token(Kind.WORD, word(at), at);
      }
    }
  }

  private void skipBlanksAndComments() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == '\n') {
        line++;
        pos++;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '#') {
        while (pos < s.length() && s.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private String quoted(char quote, Directive.Where at) throws NginxException {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= s.length()) {
        throw new NginxException(at, "unterminated " + quote + "quoted string" + quote);
      }
      char c = s.charAt(pos++);
      if (c == '\n') {
        line++;
      }
      if (c == '\\' && pos < s.length()) {
        sb.append(unescape(s.charAt(pos++)));
      } else if (c == quote) {
        break;
      } else {
        sb.append(c);
      }
    }
    if (pos < s.length()) {
      char n = s.charAt(pos);
      if (!Character.isWhitespace(n) && n != ';' && n != '{' && n != '}' && n != ')') {
        throw new NginxException(where(), "unexpected '" + n + "' after a quoted string");
      }
    }
    return sb.toString();
  }

  private static String unescape(char c) {
    return switch (c) {
      case 'n' -> "\n";
      case 't' -> "\t";
      case 'r' -> "\r";
      case '"', '\'', '\\' -> String.valueOf(c);
      default -> "\\" + c; // nginx keeps other escapes (regexes: \. \d) as written
    };
  }

  private String word(Directive.Where at) throws NginxException {
    StringBuilder sb = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (Character.isWhitespace(c) || c == ';' || c == '{' || c == '}') {
        if (c == '{' && sb.length() > 0 && sb.charAt(sb.length() - 1) == '$') {
          int end = s.indexOf('}', pos);
          if (end < 0) {
            throw new NginxException(at, "unterminated ${ in '" + sb + "'");
          }
          sb.append(s, pos, end + 1);
          pos = end + 1;
          continue;
        }
        break;
      }
      if (c == '\\' && pos + 1 < s.length()) {
        char n = s.charAt(pos + 1);
        sb.append(n == '"' || n == '\'' || n == '\\' ? String.valueOf(n) : "\\" + n);
        pos += 2;
        continue;
      }
      sb.append(c);
      pos++;
    }
    return sb.toString();
  }
}
