package dev.nexusrouter.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every key the loader accepts, and nothing else. The loader's keys are
 * the ones its readers ask for ({@link Problems#keysRead()}) while loading a configuration that
 * visits every section; the documented keys are the first column of the page's "key | default |
 * meaning" tables. A new section of the configuration belongs in {@link #EVERY_SECTION}.
 */
class ConfigurationDocTest {
  /** One of each mapping the loader descends into; the keys inside them may stay absent. */
  static final String EVERY_SECTION =
      """
      listeners:
        - {port: 8443, tls: {}}
      upstreams:
        group: {servers: [http://127.0.0.1:8082], keepalive: {}}
        hosted: {servers: [http://127.0.0.1:8086]}
        ui: {servers: [http://127.0.0.1:8081]}
      hosts:
        - server-names: [registry.example.com]
          group: group
          hosted: hosted
          routes:
            - {id: mine, to: group}
        - {server-names: [nexus.example.com], kind: ui, upstream: ui, access-log: {}}
      access-log: {}
      admin: {}
      client: {}
      """;

  private static final Pattern TABLE_KEY = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|");

  @Test
  void everyKeyTheLoaderAcceptsIsDocumented() throws IOException {
    Set<String> missing = new TreeSet<>(loaderKeys());
    missing.removeAll(documentedKeys());
    assertEquals(Set.of(), missing, "keys the loader accepts but docs/configuration.md lacks");
  }

  @Test
  void everyDocumentedKeyIsAcceptedByTheLoader() throws IOException {
    Set<String> extra = new TreeSet<>(documentedKeys());
    extra.removeAll(loaderKeys());
    assertEquals(Set.of(), extra, "keys docs/configuration.md lists but the loader rejects");
  }

  @Test
  void keyPathsAreNormalisedToTheDocumentedForm() {
    assertEquals("listeners[].tls.cert-file", normalise("listeners[0].tls.cert-file"));
    assertEquals(
        "upstreams.<name>.keepalive.max-queue", normalise("upstreams.g.keepalive.max-queue"));
    assertEquals("hosts[].routes[].id", normalise("hosts[12].routes[3].id"));
    assertEquals("upstreams", normalise("upstreams"));
  }

  static Set<String> loaderKeys() {
    Problems problems = new Problems();
    JsonNode tree = Yaml.readString(EVERY_SECTION, problems);
    ConfigLoader.build(tree, "ConfigurationDocTest", problems);
    Set<String> keys = new TreeSet<>();
    for (String path : problems.keysRead()) {
      keys.add(normalise(path));
    }
    assertTrue(keys.contains("hosts[].routes[].to"), "the fixture must reach every section");
    return keys;
  }

  static String normalise(String path) {
    return path.replaceAll("\\[\\d+]", "[]")
        .replaceFirst("^upstreams\\.[^.]+\\.", "upstreams.<name>.");
  }

  static Set<String> documentedKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    boolean inKeyTable = false;
    for (String line : Files.readAllLines(configurationDoc())) {
      if (line.startsWith("| key | default | meaning |")) {
        inKeyTable = true;
      } else if (!line.startsWith("|")) {
        inKeyTable = false;
      } else if (inKeyTable) {
        Matcher m = TABLE_KEY.matcher(line);
        if (m.find()) {
          keys.add(m.group(1));
        }
      }
    }
    assertTrue(keys.size() > 20, "no key tables found in " + configurationDoc());
    return keys;
  }

  /** docs/configuration.md of this checkout; tests run in the module directory. */
  static Path configurationDoc() {
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
      Path doc = dir.resolve("docs/configuration.md");
      if (Files.isRegularFile(doc)) {
        return doc;
      }
    }
    throw new AssertionError(
        "docs/configuration.md not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void theDocumentedTablesAreFoundAtAll() throws IOException {
    List<String> expected =
        List.of(
            "listeners", "upstreams.<name>.servers", "hosts[].routes[].why", "client.send-timeout");
    assertTrue(
        documentedKeys().containsAll(expected), "sample keys missing from the parsed tables");
  }
}
