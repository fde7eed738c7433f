package dev.nexusrouter.router.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads nginx configuration the way nginx's own tokenizer does (ngx_conf_file.c): words separated
 * by blanks, {@code ;} ending a directive, {@code {}} blocks, single and double quotes with
 * backslash escapes, {@code #} comments, {@code ${var}} inside words. {@code include} is expanded
 * in place: a glob matches files in name order (no match is not an error, as in nginx), a plain
 * name must exist. Relative names are tried against the including file's directory, then against
 * the directory of the main file (nginx's configuration prefix). Absolute names are read under
 * {@code root} ({@code --prefix}: a copy of the nginx machine's file system), or from this machine
 * when there is none. The report names each file relative to the main file's directory, else by its
 * absolute name. See docs/migration.md.
 */
final class NginxParser {
  static final long MAX_FILE_BYTES = 4L << 20;
  static final int MAX_FILES = 500;
  static final int MAX_DEPTH = 16;

  private final Path prefix;
  private final Path root;
  private final List<String> read = new ArrayList<>();
  private int files;

  private NginxParser(Path prefix, Path root) {
    this.prefix = prefix;
    this.root = root;
  }

  /** The directives and the files they came from (as the report names them). */
  record Parsed(List<Directive> directives, List<String> files) {}

  /** Parses {@code main} and everything it includes; absolute includes from this machine. */
  static List<Directive> parse(Path main) throws NginxException {
    return parse(main, null).directives();
  }

  /**
   * Parses {@code main} and everything it includes.
   *
   * @param root absolute include names are read under it (null: from this machine's root)
   */
  static Parsed parse(Path main, Path root) throws NginxException {
    Path abs = main.toAbsolutePath().normalize();
    Path r = root == null ? null : root.toAbsolutePath().normalize();
    if (r != null && !Files.isDirectory(r)) {
      throw new NginxException("--prefix " + root + ": no such directory");
    }
    if (Files.isDirectory(abs)) {
      NginxParser p = new NginxParser(abs, r);
      return new Parsed(p.parseDir(abs), p.read);
    }
    if (!Files.isRegularFile(abs)) {
      throw new NginxException(main + ": no such file or directory");
    }
    NginxParser p = new NginxParser(abs.getParent(), r);
    return new Parsed(p.parseFile(abs, 0, null), p.read);
  }

  /** DIR/nginx.conf when there is one, else every file of DIR in name order (a conf.d folder). */
  private List<Directive> parseDir(Path dir) throws NginxException {
    if (Files.isRegularFile(dir.resolve("nginx.conf"))) {
      return parseFile(dir.resolve("nginx.conf"), 0, null);
    }
    List<Directive> out = new ArrayList<>();
    for (Path f : globMatches(dir, "*")) {
      out.addAll(parseFile(f, 0, null));
    }
    if (out.isEmpty()) {
      throw new NginxException(dir + ": no nginx configuration files in this directory");
    }
    return out;
  }

  /**
   * A file as the report names it: relative to the main file's directory when inside it; else
   * absolute, as the configuration names it when read under {@code --prefix} (with where it was
   * read from).
   */
  private String shown(Path file) {
    if (file.startsWith(prefix)) {
      return prefix.relativize(file).toString();
    }
    if (root != null && file.startsWith(root)) {
      return "/" + root.relativize(file);
    }
    return file.toString();
  }

  private List<Directive> parseFile(Path file, int depth, Directive.Where from)
      throws NginxException {
    if (depth > MAX_DEPTH) {
      throw new NginxException(from, "include nested more than " + MAX_DEPTH + " deep (a loop?)");
    }
    if (++files > MAX_FILES) {
      throw new NginxException(from, "more than " + MAX_FILES + " files included");
    }
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new NginxException(file + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      String why = "cannot read " + file + " (" + e.getClass().getSimpleName() + ")";
      throw from == null ? new NginxException(why) : new NginxException(from, why);
    }
    String shown = shown(file);
    boolean rerooted = !file.startsWith(prefix) && root != null && file.startsWith(root);
    read.add(rerooted ? shown + "  (" + file + ")" : shown);
    Tokens tokens = new Tokens(file, shown, text);
    List<Directive> out = block(tokens, depth, null);
    return out;
  }

  /** Directives up to the matching {@code }} (or the end of the file when {@code open} is null). */
  private List<Directive> block(Tokens t, int depth, Directive.Where open) throws NginxException {
    List<Directive> out = new ArrayList<>();
    List<String> words = new ArrayList<>();
    Directive.Where start = null;
    while (true) {
      Tokens.Token tok = t.next();
      if (tok == null) {
        if (!words.isEmpty()) {
          throw new NginxException(
              start, "unexpected end of file: '" + words.get(0) + "' is missing its ';'");
        }
        if (open != null) {
          throw new NginxException(
              t.where(),
              "unexpected end of file: the block opened at line "
                  + open.line()
                  + " has no closing '}'");
        }
        return out;
      }
      if (tok.kind() == Tokens.Kind.WORD) {
        if (words.isEmpty()) {
          start = tok.where();
        }
        words.add(tok.text());
        continue;
      }
      if (tok.kind() == Tokens.Kind.CLOSE) {
        if (!words.isEmpty()) {
          throw new NginxException(
              tok.where(), "unexpected '}': '" + words.get(0) + "' is missing its ';'");
        }
        if (open == null) {
          throw new NginxException(tok.where(), "unexpected '}' (no block is open)");
        }
        return out;
      }
      if (words.isEmpty()) {
        throw new NginxException(
            tok.where(), "unexpected '" + (tok.kind() == Tokens.Kind.SEMI ? ";" : "{") + "'");
      }
      String name = words.get(0);
      List<String> args = List.copyOf(words.subList(1, words.size()));
      words.clear();
      if (tok.kind() == Tokens.Kind.OPEN) {
        out.add(new Directive(name, args, block(t, depth, start), start));
      } else if (name.equals("include")) {
        if (args.size() != 1) {
          throw new NginxException(start, "include takes one file name or glob");
        }
        out.addAll(include(args.get(0), t.file(), depth, start));
      } else {
        out.add(new Directive(name, args, null, start));
      }
    }
  }

  private List<Directive> include(String name, Path including, int depth, Directive.Where where)
      throws NginxException {
    boolean glob = name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0;
    Path top = root == null ? Path.of("/") : root;
    List<Path> bases =
        Path.of(name).isAbsolute() ? List.of(top) : List.of(including.getParent(), prefix);
    List<Path> matches = new ArrayList<>();
    for (Path base : bases) {
      matches = glob ? globMatches(base, name) : exact(base, name);
      if (!matches.isEmpty()) {
        break;
      }
    }
    if (matches.isEmpty() && !glob) {
      throw new NginxException(
          where,
          "include '"
              + name
              + "': no such file (looked in "
              + (Path.of(name).isAbsolute() ? top : including.getParent() + " and " + prefix)
              + ")");
    }
    List<Directive> out = new ArrayList<>();
    for (Path p : matches) {
      out.addAll(parseFile(p, depth + 1, where));
    }
    return out;
  }

  private static List<Path> exact(Path base, String name) {
    Path p = base.resolve(name.replaceFirst("^/+", "")).normalize();
    return Files.isRegularFile(p) ? List.of(p) : List.of();
  }

  /** Files matching a glob whose wildcards are in the last path segment (nginx's common use). */
  private static List<Path> globMatches(Path base, String name) throws NginxException {
    Path pattern = base.resolve(name.replaceFirst("^/+", "")).normalize();
    Path dir = pattern.getParent();
    String last = pattern.getFileName().toString();
    if (dir.toString().matches(".*[*?\\[].*")) {
      throw new NginxException(
          "include '" + name + "': wildcards are supported in the file name only");
    }
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + last);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p) && m.matches(p.getFileName())) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      return out;
    }
    out.sort(null);
    return out;
  }
}
