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
import java.nio.file.attribute.PosixFilePermissions;
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

  private static final String STALE =
      "{\"auths\":{\"reg.test\":{\"auth\":\"b2xkdXNlcjpPTEQ=\"}},\"credsStore\":\"secretservice\"}";

  @Test
  void aLoginAlreadyInTheStoreWinsOverAStalePlaintextOne() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, STALE);
    store.store(new Credentials("reg.test", "newuser", "NEW"));
    assertEquals(0, configure("--no-containers"), stderr);
    assertEquals(new Credentials("reg.test", "newuser", "NEW"), store.entries.get("reg.test"));
    assertTrue(stdout.contains("keep the memory login for reg.test"), stdout);
    assertTrue(stdout.contains("newuser") && stdout.contains("olduser"), stdout);
    assertFalse(stdout.contains("NEW") || stdout.contains("OLD"), stdout);
    assertFalse(Files.readString(config).contains("b2xkdXNlcjpPTEQ="), "plaintext left behind");
  }

  @Test
  void preferConfigLetsThePlaintextLoginReplaceTheStoredOne() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, STALE);
    store.store(new Credentials("reg.test", "newuser", "NEW"));
    assertEquals(0, configure("--no-containers", "--prefer-config"), stderr);
    assertEquals(new Credentials("reg.test", "olduser", "OLD"), store.entries.get("reg.test"));
  }

  @Test
  void aSymlinkedConfigIsWrittenThroughAndItsTargetLosesGroupAndOtherAccess() throws Exception {
    Path target = sample("plain-auths.json", home.resolve("dotfiles/docker-config.json"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = home.resolve(".docker/config.json");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, Path.of("../dotfiles/docker-config.json"));
    assertEquals(0, configure("--no-containers"), stderr);
    assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
    String text = Files.readString(target);
    assertFalse(text.contains("YWxpY2U6czNjcjN0") || text.contains("Ym9iOnBhOnNz"), text);
    assertTrue(text.contains("\"credsStore\": \"java\""), text);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    try (var files = Files.list(target.getParent())) {
      assertEquals(1, files.count(), "a temp file was left beside the target");
    }
  }

  @Test
  void aTargetStricterThan0600KeepsItsMode() throws Exception {
    Path config = sample("plain-auths.json", home.resolve(".docker/config.json"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("r--------"));
    assertEquals(0, configure("--no-containers"), stderr);
    assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
  }

  @Test
  void numbersAndUnknownContentKeepTheirExactText() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(
        config,
        "{\"auths\": {\"r.test\": {\"auth\": \"dTpw\"}},"
            + " \"x-price\": 2.50, \"x-huge\": 1e400, \"x-list\": [1.0,\n 2]}");
    assertEquals(0, configure("--no-containers"), stderr);
    String text = Files.readString(config);
    assertTrue(
        text.contains("\"x-price\": 2.50")
            && text.contains("\"x-huge\": 1e400")
            && text.contains("\"x-list\": [1.0,\n 2]"),
        text);
  }

  @Test
  void unreadableNotJsonAndNotAnObjectAreToldApart() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config); // a directory where the file should be: unreadable
    assertEquals(1, configure());
    assertTrue(stderr.contains("cannot read " + config), stderr);
    Files.delete(config);
    Files.writeString(config, "[\"an\", \"array\"]");
    assertEquals(1, configure());
    assertTrue(stderr.contains("valid JSON but not an object"), stderr);
    Files.writeString(config, "{\"a\": 1,}");
    assertEquals(1, configure());
    assertTrue(stderr.contains("is not valid JSON (") && stderr.contains("line 1"), stderr);
  }

  @Test
  void registryValuesAreNormalisedLikeDocker() throws Exception {
    Path config = home.resolve(".docker/config.json");
    assertEquals(0, configure("--registry", "https://reg.test:5000/v2/", "--no-containers"));
    assertEquals("java", json(config).path("credHelpers").path("reg.test:5000").asText(), stdout);
    assertEquals(1, json(config).path("credHelpers").size());
  }

  @Test
  void aRunWithOnlyNotesHasNothingToDo() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(
        config,
        "{\"credHelpers\": {\"only.test\": \"java\"},"
            + " \"auths\": {\"other.test\": {\"auth\": \"dTpw\"}}}");
    byte[] before = Files.readAllBytes(config);
    assertEquals(0, configure("--registry", "only.test", "--no-containers"));
    assertTrue(stdout.contains("left other.test in the file"), stdout);
    assertTrue(stdout.contains("nothing to do"), stdout);
    assertFalse(stdout.contains("done"), stdout);
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(config));
  }

  @Test
  void pointingDockerAtTheStoreRecordsItEvenWithNoLoginToMove() throws Exception {
    int[] claims = {0};
    InMemoryStore claiming =
        new InMemoryStore() {
          @Override
          public void claim() {
            claims[0]++;
          }
        };
    int exit =
        new ConfigureCommand(Map.of(), home, () -> claiming)
            .run(
                List.of("--no-containers"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, exit);
    assertEquals(1, claims[0]);
    int again =
        new ConfigureCommand(Map.of(), home, () -> claiming)
            .run(
                List.of("--no-containers", "--dry-run"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, again);
    assertEquals(1, claims[0], "a dry run or a run with nothing to do recorded something");
  }

  private static void assertNoStrayFiles(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      assertEquals(List.of("config.json"), files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
