package dev.nexusrouter.credential.dockerconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nexusrouter.common.Json;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.InMemoryStore;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigureCommandTest {
  @TempDir Path home;
  private final InMemoryStore store = new InMemoryStore();
  private final ObjectMapper mapper = Json.lenientMapper();
  private String stdout;
  private String stderr;

  private Path sample(String name, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try (InputStream in = getClass().getResourceAsStream("/dockerconfig/" + name)) {
      Files.write(target, in.readAllBytes());
    }
    return target;
  }

  private int configure(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--containers-auth", home.resolve("run/containers/auth.json").toString()));
    int exit =
        new ConfigureCommand(Map.of(), home, () -> store)
            .run(
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    return exit;
  }

  private JsonNode json(Path path) throws IOException {
    return mapper.readTree(path.toFile());
  }

  @Test
  void plainAuthsMoveIntoTheStoreAndEverythingElseIsKept() throws Exception {
    Path config = sample("plain-auths.json", home.resolve(".docker/config.json"));
    JsonNode before = json(config);
    assertEquals(0, configure(), stderr);

    assertEquals(
        new Credentials("https://index.docker.io/v1/", "alice", "s3cr3t"),
        store.entries.get("https://index.docker.io/v1/"));
    assertEquals(
        new Credentials("registry.example.com:5000", "bob", "pa:ss"),
        store.entries.get("registry.example.com:5000"));
    assertEquals(
        new Credentials("token.example.com", "<token>", "refresh-token-123"),
        store.entries.get("token.example.com"));
    assertEquals(3, store.entries.size());

    JsonNode after = json(config);
    assertEquals("java", after.path("credsStore").asText());
    assertEquals(
        mapper.readTree("{\"email\":\"alice@example.com\"}"),
        after.path("auths").path("https://index.docker.io/v1/"));
    assertEquals(mapper.createObjectNode(), after.path("auths").path("registry.example.com:5000"));
    assertEquals(mapper.createObjectNode(), after.path("auths").path("token.example.com"));
    assertEquals(mapper.createObjectNode(), after.path("auths").path("marker.example.com"));
    assertEquals(before.path("proxies"), after.path("proxies"));
    assertEquals(before.path("psFormat"), after.path("psFormat"));
    assertEquals(before.path("x-unknown"), after.path("x-unknown"));
    String raw = Files.readString(config);
    assertFalse(
        raw.contains("s3cr3t") || raw.contains("refresh-token-123") || raw.contains("\"auth\""),
        raw);

    JsonNode containers = json(home.resolve("run/containers/auth.json"));
    assertEquals("java", containers.path("credHelpers").path("docker.io").asText());
    assertEquals("java", containers.path("credHelpers").path("registry.example.com:5000").asText());
    assertNoStrayFiles(config.getParent());
    assertFalse(stdout.contains("s3cr3t") || stdout.contains("refresh-token-123"), stdout);
  }

  @Test
  void secondRunHasNothingToDoAndChangesNoFile() throws Exception {
    Path config = sample("plain-auths.json", home.resolve(".docker/config.json"));
    assertEquals(0, configure());
    byte[] first = Files.readAllBytes(config);
    long modified = Files.getLastModifiedTime(config).toMillis();
    assertEquals(0, configure());
    assertTrue(stdout.contains("nothing to do"), stdout);
    assertEquals(new String(first, StandardCharsets.UTF_8), Files.readString(config));
    assertEquals(modified, Files.getLastModifiedTime(config).toMillis());
  }

  @Test
  void dryRunPrintsThePlanWithoutSecretsAndChangesNothing() throws Exception {
    Path config = sample("plain-auths.json", home.resolve(".docker/config.json"));
    byte[] before = Files.readAllBytes(config);
    assertEquals(0, configure("--dry-run"));
    assertTrue(
        stdout.contains("would   docker: move the login for registry.example.com:5000 (user bob)")
            || stdout.contains(
                "would docker: move the login for registry.example.com:5000 (user bob)"),
        stdout);
    assertTrue(stdout.contains("credsStore"), stdout);
    assertFalse(
        stdout.contains("s3cr3t")
            || stdout.contains("pa:ss")
            || stdout.contains("refresh-token-123"),
        stdout);
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(config));
    assertTrue(store.entries.isEmpty());
    assertFalse(Files.exists(home.resolve("run/containers/auth.json")));
  }

  @Test
  void existingCredsStoreWithRegistryFlagsAddsCredHelpersAndMovesOnlyThose() throws Exception {
    Path config = sample("existing-store.json", home.resolve(".docker/config.json"));
    assertEquals(0, configure("--registry", "registry.example.com"));
    JsonNode after = json(config);
    assertEquals("desktop", after.path("credsStore").asText());
    assertEquals("java", after.path("credHelpers").path("registry.example.com").asText());
    assertEquals("gcloud", after.path("credHelpers").path("gcr.io").asText());
    assertEquals("default", after.path("currentContext").asText());
    assertEquals(mapper.createObjectNode(), after.path("auths").path("registry.example.com"));
    assertFalse(
        after.path("auths").path("gcr.io").path("auth").asText().isEmpty(),
        "gcr.io is served by gcloud: left alone");
    assertEquals(List.of("registry.example.com"), List.copyOf(store.entries.keySet()));
  }

  @Test
  void existingCredsStoreIsReplacedAndOtherHelpersKept() throws Exception {
    Path config = sample("existing-store.json", home.resolve(".docker/config.json"));
    assertEquals(0, configure());
    JsonNode after = json(config);
    assertEquals("java", after.path("credsStore").asText());
    assertEquals("gcloud", after.path("credHelpers").path("gcr.io").asText());
    assertTrue(stdout.contains("was \"desktop\""), stdout);
    assertFalse(after.path("auths").path("gcr.io").path("auth").isMissingNode());
  }

  @Test
  void containersAuthFileLoginsMoveAndGetCredHelpers() throws Exception {
    sample("containers-auth.json", home.resolve("run/containers/auth.json"));
    assertEquals(0, configure());
    JsonNode containers = json(home.resolve("run/containers/auth.json"));
    assertEquals("java", containers.path("credHelpers").path("quay.io").asText());
    assertEquals("java", containers.path("credHelpers").path("docker.io").asText());
    assertEquals("pass", containers.path("credHelpers").path("other.example.com").asText());
    assertEquals(mapper.createObjectNode(), containers.path("auths").path("quay.io"));
    assertEquals("carol", store.entries.get("quay.io").username());
    assertEquals("s3cr3t", store.entries.get("docker.io").secret());
    assertEquals("java", json(home.resolve(".docker/config.json")).path("credsStore").asText());
  }

  @Test
  void aLoginThatDoesNotReadBackLeavesEveryFileAlone() throws Exception {
    Path config = sample("plain-auths.json", home.resolve(".docker/config.json"));
    byte[] before = Files.readAllBytes(config);
    InMemoryStore lossy =
        new InMemoryStore() {
          @Override
          public Optional<Credentials> get(String serverUrl) {
            return Optional.empty();
          }
        };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new ConfigureCommand(Map.of(), home, () -> lossy)
            .run(
                List.of("--no-containers"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, exit);
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("did not read back"),
        err.toString(StandardCharsets.UTF_8));
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(config));
  }

  @Test
  void aBrokenStoreIsReportedAndNothingChanges() throws Exception {
    Path config = sample("plain-auths.json", home.resolve(".docker/config.json"));
    byte[] before = Files.readAllBytes(config);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new ConfigureCommand(
                Map.of(),
                home,
                () -> {
                  throw new StoreException("the login keyring is locked");
                })
            .run(
                List.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, exit);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("locked"));
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(config));
  }

  @Test
  void dockerConfigEnvironmentVariableIsHonoured() throws Exception {
    Path dir = home.resolve("custom");
    Path config = sample("plain-auths.json", dir.resolve("config.json"));
    int exit =
        new ConfigureCommand(Map.of("DOCKER_CONFIG", dir.toString()), home, () -> store)
            .run(
                List.of("--no-containers"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                System.err);
    assertEquals(0, exit);
    assertEquals("java", json(config).path("credsStore").asText());
    assertFalse(Files.exists(home.resolve(".docker/config.json")));
  }

  @Test
  void invalidJsonIsRefusedWithoutQuotingIt() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"auths\": {\"x\": {\"auth\": \"c2VjcmV0\" ");
    assertEquals(1, configure());
    assertTrue(stderr.contains("not valid JSON"), stderr);
    assertFalse(stderr.contains("c2VjcmV0"), stderr);
  }

  private static void assertNoStrayFiles(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      assertEquals(List.of("config.json"), files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
