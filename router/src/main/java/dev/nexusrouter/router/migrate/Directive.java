package dev.nexusrouter.router.migrate;

import java.nio.file.Path;
import java.util.List;

/**
 * One nginx directive: its name, arguments (quotes removed, escapes resolved, variables kept as
 * written) and, for block directives, its children. {@code include}s are already replaced by the
 * directives of the files they name.
 *
 * @param children null for a simple directive ({@code name args;}), a list for a block
 */
record Directive(String name, List<String> args, List<Directive> children, Where where) {
  Directive {
    args = List.copyOf(args);
    children = children == null ? null : List.copyOf(children);
  }

  /**
   * The file and line a directive starts on.
   *
   * @param shown the file as the report names it: relative to the main file's directory, else
   *     absolute (see {@link NginxParser})
   */
  record Where(Path file, String shown, int line) {
    @Override
    public String toString() {
      return shown + ":" + line;
    }
  }

  boolean isBlock() {
    return children != null;
  }

  String arg(int i) {
    return i < args.size() ? args.get(i) : "";
  }

  /** The last child named {@code name} (nginx: the last one wins), or null. */
  Directive last(String name) {
    Directive found = null;
    for (Directive d : children) {
      if (d.name().equals(name)) {
        found = d;
      }
    }
    return found;
  }

  /** The directive in force: from the innermost scope that has it (null scopes are skipped). */
  static Directive effective(String name, Directive... scopes) {
    for (Directive scope : scopes) {
      if (scope != null && scope.isBlock()) {
        Directive d = scope.last(name);
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }

  /** The directive as nginx text on one line, blocks shortened to {@code { … }}. */
  String text() {
    StringBuilder sb = new StringBuilder(name);
    for (String a : args) {
      sb.append(' ').append(a.isEmpty() || a.matches(".*[\\s;{}'\"].*") ? quote(a) : a);
    }
    return sb.append(isBlock() ? " { … }" : ";").toString();
  }

  private static String quote(String a) {
    return "'" + a.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
