package dev.nexusrouter.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/*.md points at a file of the repository, and every
 * {@code #anchor} at a heading (GitHub's anchor rules) or an explicit {@code <a id>} of that file.
 */
class DocLinksTest {
  static final List<String> SOURCE_DIRS =
      List.of("router/src", "credential-helper/src", "common/src", "packaging", "bench");

  private static final Pattern DOCS_POINTER =
      Pattern.compile("(?<![A-Za-z0-9_/.-])docs/[A-Za-z0-9_-]+\\.md(#[a-z0-9_-]+)?");

  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

  @Test
  void everyRelativeLinkResolves() throws IOException {
    Path root = repositoryRoot();
    List<String> broken = new ArrayList<>();
    for (Path page : pages(root)) {
      for (String target : links(page)) {
        String problem = check(root, page, target);
        if (problem != null) {
          broken.add(root.relativize(page) + ": " + target + " (" + problem + ")");
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  /** Comments point into docs/ ("see docs/routing.md#r9"); each pointer must resolve too. */
  @Test
  void everyDocsPointerInTheSourcesResolves() throws IOException {
    Path root = repositoryRoot();
    List<String> broken = new ArrayList<>();
    for (String dir : SOURCE_DIRS) {
      try (Stream<Path> files = Files.walk(root.resolve(dir))) {
        for (Path file : files.filter(DocLinksTest::isSourceFile).sorted().toList()) {
          Matcher m = DOCS_POINTER.matcher(Files.readString(file));
          while (m.find()) {
            String problem = check(root, root.resolve("README.md"), m.group());
            if (problem != null) {
              broken.add(root.relativize(file) + ": " + m.group() + " (" + problem + ")");
            }
          }
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  private static boolean isSourceFile(Path p) {
    String s = p.toString();
    return Files.isRegularFile(p)
        && !s.contains("/target/")
        && !s.contains("/node_modules/")
        && s.matches(".*\\.(java|yaml|yml|txt|sh|c|properties|toml|json)$");
  }

  @Test
  void anchorsFollowGithubRules() {
    List<String> lines =
        List.of(
            "# Configuration",
            "## `hosts[].routes[]`: your own route rows",
            "## HTTP/2 uploads",
            "```sh",
            "# not a heading",
            "```",
            "## Notes",
            "## Notes",
            "<a id=\"r9\"></a>");
    assertEquals(
        Set.of(
            "configuration",
            "hostsroutes-your-own-route-rows",
            "http2-uploads",
            "notes",
            "notes-1",
            "r9"),
        anchors(lines));
  }

  @Test
  void aMissingFileAndAMissingAnchorAreBothReported() throws IOException {
    Path root = repositoryRoot();
    Path readme = root.resolve("README.md");
    assertTrue(check(root, readme, "docs/" + "no-such-page.md") != null);
    assertTrue(check(root, readme, "docs/configuration.md" + "#no-such-heading") != null);
    assertEquals(null, check(root, readme, "docs/configuration.md#top-level"));
  }

  static String check(Path root, Path page, String target) throws IOException {
    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return null; // https:, mailto: — not a file of the repository
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
    if (!resolved.startsWith(root)) {
      return "outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor != null && resolved.toString().endsWith(".md")) {
      if (!anchors(Files.readAllLines(resolved)).contains(anchor)) {
        return "no such anchor";
      }
    }
    return null;
  }

  static List<Path> pages(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    }
    return out;
  }

  static List<String> links(Path page) throws IOException {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced) {
        Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  /** The anchors GitHub generates for a page's headings, plus explicit HTML anchors. */
  static Set<String> anchors(List<String> lines) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher a = HTML_ANCHOR.matcher(line);
      while (a.find()) {
        out.add(a.group(1));
      }
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String slug =
            h.group(1)
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        out.add(n == 0 ? slug : slug + "-" + n);
      }
    }
    return out;
  }

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
    }
    throw new AssertionError("repository root not found above " + Path.of("").toAbsolutePath());
  }
}
