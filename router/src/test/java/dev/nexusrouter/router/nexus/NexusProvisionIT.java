package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nexusrouter.router.nexus.FakeNexus.Call;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code nexus provision} against a fake Nexus that answers like the documented REST API. */
class NexusProvisionIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeNexus nexus;
  private Map<String, String> env;

  @TempDir Path tmp;

  @BeforeEach
  void start() throws IOException {
    nexus = new FakeNexus();
    env = Map.of("NEXUS_PASSWORD", "admin-secret");
  }

  @AfterEach
  void stop() {
    nexus.close();
  }

  /** Asserts a run's exit code and that its stdout has every one of {@code out}; returns it. */
  private static Cli exits(Cli r, int exit, String... out) {
    assertEquals(exit, r.exit(), r.toString());
    assertContains(r.out(), out);
    return r;
  }

  private Cli provision(String... extra) {
    List<String> args = new ArrayList<>(List.of("provision", "--url", nexus.url()));
    args.addAll(List.of(extra));
    return Cli.run(env, args.toArray(String[]::new));
  }

  @Test
  void firstRunCreatesTheSeedLayoutWithTheDocumentedRequestsInOrder() throws IOException {
    Cli r = provision();

    assertEquals(0, r.exit(), r.toString());
    List<String[]> expected = expectedRequests();
    List<Call> changes = nexus.changes();
    assertEquals(
        expected.stream().map(e -> e[0]).toList(),
        changes.stream().map(Call::line).toList(),
        r.toString());
    for (int i = 0; i < expected.size(); i++) {
      Call c = changes.get(i);
      assertEquals(JSON.readTree(expected.get(i)[1]), JSON.readTree(c.body()), c.line());
      assertTrue(c.contentType().startsWith("application/json"), c.line() + " " + c.contentType());
      assertEquals(basic("admin", "admin-secret"), c.authorization(), c.line());
    }
    assertContains(
        r.out(),
        "create    docker group 'hub-group'",
        "ok        blob store 'default'",
        "Applied 10 change(s).");
    assertEquals(List.of("NexusAuthenticatingRealm", "DockerToken"), nexus.activeRealms);
  }

  @Test
  void everyChangeIsPrecededByTheReadsThatPlannedIt() {
    provision();

    List<String> lines = nexus.calls.stream().map(Call::line).toList();
    int firstChange = lines.indexOf("POST /v1/blobstores/file");
    assertTrue(firstChange > 0, lines.toString());
    List<String> reads = lines.subList(0, firstChange);
    assertTrue(reads.contains("GET /v1/blobstores"), reads.toString());
    assertTrue(reads.contains("GET /v1/repositories"), reads.toString());
    assertTrue(reads.contains("GET /v1/security/realms/available"), reads.toString());
    assertTrue(reads.contains("GET /v1/security/realms/active"), reads.toString());
  }

  @Test
  void secondRunOnlyReadsAndReportsNothingToDo() {
    assertEquals(0, provision().exit());
    int before = nexus.calls.size();

    Cli r = provision();

    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("Nothing to do: Nexus matches the layout."), r.out());
    List<Call> second = nexus.calls.subList(before, nexus.calls.size());
    assertTrue(second.stream().allMatch(c -> c.method().equals("GET")), second.toString());
    assertTrue(
        second.stream().anyMatch(c -> c.path().equals("/v1/repositories/docker/group/hub-group")));
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() {
    Cli r = provision("--dry-run");

    assertEquals(0, r.exit(), r.toString());
    assertEquals(List.of(), nexus.changes());
    assertContains(
        r.out(),
        "create    docker proxy 'docker-hub' (HTTP 8083, -> https://registry-1.docker.io",
        "9 to create, 1 to update, 1 unchanged, 0 conflict(s)",
        "Dry run: nothing was changed.");
  }

  @Test
  void aFailureInTheMiddleReportsWhatWasDoneAndWhatWasNot() {
    nexus.failOnce(
        "POST /v1/repositories/docker/group",
        400,
        "[{\"id\":\"*\",\"message\":\"Member repository does not exist: ybcard\"}]");

    Cli r =
        exits(
            provision(),
            1,
            "FAILED    docker group 'hub-group': cannot create docker group 'hub-group': 400 Member repository does not exist: ybcard",
            "every member must already exist",
            "Done (8):",
            "  create docker hosted 'ybcard'");
    String notDone = r.out().substring(r.out().indexOf("Not done (2):"));
    assertContains(
        notDone,
        "create docker group 'hub-group'",
        "update security realm Docker Bearer Token Realm");
    assertFalse(nexus.repositories.containsKey("hub-group"));
    assertEquals(List.of("NexusAuthenticatingRealm"), nexus.activeRealms, "stopped before realms");

    Cli again = provision();
    assertEquals(0, again.exit(), again.toString());
    assertTrue(
        again.out().contains("1 to create, 1 to update, 9 unchanged, 0 conflict(s)"), again.out());
    assertTrue(nexus.repositories.containsKey("hub-group"));
  }

  @Test
  void changedSettingsAreUpdatedWithTheFullBodyKeepingWhatTheLayoutDoesNotOwn() throws IOException {
    assertEquals(0, provision().exit());
    var group = nexus.repositories.get("hub-group");
    ((com.fasterxml.jackson.databind.node.ObjectNode) group.get("docker")).put("httpPort", 8092);
    var members =
        (com.fasterxml.jackson.databind.node.ArrayNode) group.get("group").get("memberNames");
    members.removeAll();
    members.add("docker-hub").add("ybcard");
    group.putObject("cleanup").putArray("policyNames").add("weekly");
    int before = nexus.calls.size();

    Cli r =
        exits(
            provision(),
            0,
            "update    docker group 'hub-group'",
            "docker.httpPort: 8092 -> 8082",
            "group.memberNames: [\"docker-hub\",\"ybcard\"] -> [\"ybcard\",\"docker-hub\",\"aliyun-hub\",\"google-hub\"]");
    List<Call> changes =
        nexus.calls.subList(before, nexus.calls.size()).stream()
            .filter(c -> !c.method().equals("GET"))
            .toList();
    assertEquals(
        List.of("PUT /v1/repositories/docker/group/hub-group"),
        changes.stream().map(Call::line).toList());
    JsonNode body = JSON.readTree(changes.get(0).body());
    assertEquals(8082, body.path("docker").path("httpPort").intValue());
    assertTrue(body.path("docker").path("httpPort").isInt(), "port sent as an integer");
    assertEquals(
        "weekly", body.path("cleanup").path("policyNames").path(0).asText(), "cleanup kept");
    assertFalse(body.has("url") || body.has("format") || body.has("type"), body.toString());
    assertEquals(4, nexus.repositories.get("hub-group").path("group").path("memberNames").size());
  }

  @Test
  void immutableDifferencesAreReportedNotSkipped() throws IOException {
    nexus.blobStores.put("ybcard", "/elsewhere/ybcard");
    var body =
        RepositoryBodies.desired(LayoutLoader.builtIn().repository("docker-hub").orElseThrow());
    ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("storage"))
        .put("blobStoreName", "default");
    nexus.store(body, "proxy");
    nexus.store(
        (com.fasterxml.jackson.databind.node.ObjectNode)
            JSON.readTree(
                "{\"name\":\"google-hub\",\"online\":true,\"storage\":{\"blobStoreName\":\"default\",\"writePolicy\":\"ALLOW\"}}"),
        "hosted");
    nexus.repositories.get("google-hub").put("format", "maven2");

    Cli r =
        exits(
            provision(),
            1,
            "CONFLICT  blob store 'ybcard'",
            "its path is '/elsewhere/ybcard', the layout says 'ybcard'",
            "CONFLICT  docker proxy 'docker-hub'",
            "its blob store is \"default\", the layout says \"docker-hub\"",
            "a maven2 hosted repository has this name",
            "3 conflict(s) need a decision");
    assertTrue(nexus.repositories.containsKey("hub-group"), "the rest was still provisioned");
  }

  /** Nexus versions before 3.26 (no docker v1 API): how each is told, and what it must say. */
  static Stream<Arguments> oldNexuses() {
    return Stream.of(
        Arguments.of(
            "with its Server header, by the minimum version",
            "3.18.1-01",
            true,
            List.of("Nexus 3.18.1-01 (OSS) is too old", "3.26.0 and later", "Upgrade Nexus")),
        Arguments.of(
            "behind a proxy that strips Server, by the API description",
            "3.21.1-01",
            false,
            List.of("Nexus 3.21.1-01 is too old", "/service/rest/v1/repositories/docker/proxy")));
  }

  @ParameterizedTest(name = "an old Nexus {0} is refused before any change")
  @MethodSource("oldNexuses")
  void anOldNexusIsRefusedBeforeAnyChange(
      String how, String version, boolean serverHeader, List<String> said) {
    nexus.version = version;
    nexus.v1Api = false;
    nexus.sendServerHeader = serverHeader;

    Cli r = provision();

    assertEquals(1, r.exit(), r.toString());
    assertContains(r.err(), said.toArray(String[]::new));
    assertEquals(List.of(), nexus.changes());
  }

  @Test
  void withoutTheDockerFormatEverythingElseIsDoneAndTheExitCodeSaysWhatIsMissing() {
    nexus.version = "3.71.0-06";
    nexus.dockerFormat = false;

    Cli r =
        exits(
            provision(),
            3,
            "SKIPPED   docker group 'hub-group'",
            "SKIPPED   security realm Docker Bearer Token Realm");
    assertTrue(
        r.err().contains("the docker format is not available in this Nexus (3.71.0-06 (OSS))"),
        r.err());
    assertFalse(r.all().contains("too old"), r.all());
    assertTrue(nexus.blobStores.containsKey("docker-hub"), "blob stores are still created");
    assertTrue(
        nexus.changes().stream().noneMatch(c -> c.path().contains("/docker/")),
        "no docker request: " + nexus.changes());
    Cli again = provision();
    assertEquals(3, again.exit(), again.toString());
    assertTrue(again.out().contains("0 to create, 0 to update"), again.out());
  }

  @Test
  void rolesAndUsersAreCreatedOnceThenUpdatedAndThePasswordIsNeverShown() throws IOException {
    Path pw = Files.writeString(tmp.resolve("ci.pw"), "ci-Secret-9\n");
    String yaml =
        """
        security:
          roles:
            - {id: docker-pull, description: pulls, privileges: [p-read, p-browse]}
            - {id: docker-push, privileges: [p-edit], roles: [docker-pull]}
          users:
            - {id: ci, email: ci@example.com, roles: [docker-push], password-file: PW}
        """
            .replace("PW", pw.toString());
    Path layout = Files.writeString(tmp.resolve("layout.yaml"), yaml);

    Cli r =
        exits(
            provision("--layout", layout.toString()),
            0,
            "create    role 'docker-push'",
            "create    user 'ci' (roles [docker-push], password from");
    assertFalse(r.all().contains("ci-Secret-9"), r.all());
    assertEquals("ci-Secret-9", nexus.userPasswords.get("ci"));
    assertEquals("ci@example.com", nexus.users.get("ci").path("emailAddress").asText());

    Cli again = provision("--layout", layout.toString());
    assertEquals(0, again.exit(), again.toString());
    assertTrue(again.out().contains("Nothing to do"), again.out());

    Path changed =
        Files.writeString(
            tmp.resolve("changed.yaml"),
            yaml.replace("[p-read, p-browse]", "[p-browse, p-read, p-admin]")
                .replace("ci@example.com", "ci@example.org"));
    nexus.calls.clear();
    Cli update =
        exits(
            provision("--layout", changed.toString()),
            0,
            "privileges: [p-browse, p-read] -> [p-admin, p-browse, p-read]",
            "emailAddress: ci@example.com -> ci@example.org");
    assertEquals(
        List.of("PUT /v1/security/roles/docker-pull", "PUT /v1/security/users/ci"),
        nexus.changes().stream().map(Call::line).toList());
    assertEquals("ci-Secret-9", nexus.userPasswords.get("ci"), "an existing user's password stays");
  }

  @Test
  void aUserWithARoleNobodyHasIsAConflictNotASilentGrant() throws IOException {
    Path pw = Files.writeString(tmp.resolve("ci.pw"), "pw\n");
    Path layout =
        Files.writeString(
            tmp.resolve("layout.yaml"),
            "security:\n  users: [{id: ci, email: a@b, roles: [no-such-role], password-file: "
                + pw
                + "}]\n");
    Cli r = provision("--layout", layout.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(
        r.out().contains("roles that neither Nexus nor the layout has: [no-such-role]"), r.out());
    assertFalse(nexus.users.containsKey("ci"));
  }

  @Test
  void wrongCredentialsGiveOneLineWithoutThePassword() {
    env = Map.of("NEXUS_PASSWORD", "wrong-password-123");

    Cli r = provision();

    assertEquals(1, r.exit(), r.toString());
    assertContains(r.err(), "401 Unauthorized", "NEXUS_USER");
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.all().contains("wrong-password-123"), r.all());
    assertEquals(List.of(), nexus.changes());
  }

  @Test
  void aNexusThatIsNotReadyIsReportedAndWaitedForOnRequest() {
    nexus.statusCode = 503;
    Cli r = provision();
    assertEquals(1, r.exit(), r.toString());
    assertContains(r.err(), "is not ready (503 on /v1/status)", "--wait");

    nexus.statusCode = 200;
    nexus.notReadyPolls = 3;
    Cli waited = provision("--wait", "5m");
    assertEquals(0, waited.exit(), waited.toString());
    assertTrue(nexus.repositories.containsKey("hub-group"));
  }

  @Test
  void aWaitThatRunsOutSaysHowLongItWaitedAndWhatItSaw() {
    nexus.statusCode = 503;
    long[] now = {0};
    try (NexusClient client = new NexusClient(java.net.URI.create(nexus.url()), null)) {
      // a clock that the sleeper advances: no real waiting
      Readiness r = new Readiness(client, d -> now[0] += d.toNanos(), () -> now[0]);
      NexusException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              NexusException.class, () -> r.awaitWritable(java.time.Duration.ofSeconds(10)));
      assertTrue(
          e.getMessage().startsWith("Nexus was not ready after waiting 10s: "), e.getMessage());
      assertTrue(e.getMessage().contains("is not ready (503 on /v1/status)"), e.getMessage());
    }
    assertEquals(3, nexus.calls.size(), "polled at 0, 5 and 10 s: " + nexus.calls);
  }

  @Test
  void aReadOnlyNexusIsReported() {
    nexus.writableCode = 503;
    Cli r = provision();
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("not writable (503 on /v1/status/writable)"), r.err());
  }

  @Test
  void connectionRefusedIsOneClearLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Cli r = Cli.run(env, "provision", "--url", "http://127.0.0.1:" + port);
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("connection refused"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void firstStartChangesTheInitialPasswordAsPlainTextThenUsesTheNewOne() throws IOException {
    nexus.adminPassword = "545cb562-a03f-4dc8-a78f-d9a15fa2442a";
    Path initial = Files.writeString(tmp.resolve("admin.password"), nexus.adminPassword);
    Path wanted = Files.writeString(tmp.resolve("new.password"), "n3w-Secret\n");
    env = Map.of();

    Cli r =
        provision(
            "--admin-password-file", initial.toString(), "--new-password-file", wanted.toString());

    assertEquals(0, r.exit(), r.toString());
    Call change = nexus.changes().get(0);
    assertEquals("PUT /v1/security/users/admin/change-password", change.line());
    assertTrue(change.contentType().startsWith("text/plain"), change.contentType());
    assertEquals("n3w-Secret", change.body());
    assertEquals(basic("admin", "545cb562-a03f-4dc8-a78f-d9a15fa2442a"), change.authorization());
    assertEquals("n3w-Secret", nexus.adminPassword);
    Call next = nexus.changes().get(1);
    assertEquals(basic("admin", "n3w-Secret"), next.authorization(), next.line());
    assertFalse(r.all().contains("n3w-Secret") || r.all().contains("545cb562"), r.all());

    Cli again =
        provision(
            "--admin-password-file", initial.toString(), "--new-password-file", wanted.toString());
    assertEquals(0, again.exit(), again.toString());
    assertContains(again.out(), "admin password (already changed)", "Nothing to do");
  }

  @Test
  void theDockerTokenRealmIsFoundByNameWhenItsIdDiffers() throws IOException {
    nexus.availableRealms.set(1, new String[] {"DockerTokenRealm", "Docker Bearer Token Realm"});
    // before 3.60 the authorizing realm is listed and active, and must be kept
    nexus.availableRealms.add(new String[] {"NexusAuthorizingRealm", "Local Authorizing Realm"});
    nexus.activeRealms.add("NexusAuthorizingRealm");

    Cli r = provision();

    assertEquals(0, r.exit(), r.toString());
    assertLastChange(
        "PUT /v1/security/realms/active",
        "[\"NexusAuthenticatingRealm\",\"NexusAuthorizingRealm\",\"DockerTokenRealm\"]");
  }

  @Test
  void anonymousPullEnablesAnonymousAccessAndRelaxesBasicAuth() throws IOException {
    Path layout =
        Files.writeString(
            tmp.resolve("layout.yaml"),
            """
            blob-stores: [{name: default}]
            repositories:
              - {name: team, type: hosted, http-port: 8090, blob-store: default}
            security: {anonymous-pull: true}
            """);

    Cli r = provision("--layout", layout.toString());

    assertEquals(0, r.exit(), r.toString());
    assertTrue(nexus.anonymousEnabled);
    assertEquals(
        false, nexus.repositories.get("team").path("docker").path("forceBasicAuth").booleanValue());
    assertLastChange(
        "PUT /v1/security/anonymous",
        "{\"enabled\":true,\"userId\":\"anonymous\",\"realmName\":\"NexusAuthorizingRealm\"}");
  }

  /** The last change request sent to Nexus: its request line and its JSON body. */
  private void assertLastChange(String line, String json) throws IOException {
    Call last = nexus.changes().get(nexus.changes().size() - 1);
    assertEquals(line, last.line());
    assertEquals(JSON.readTree(json), JSON.readTree(last.body()), line);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static List<String[]> expectedRequests() throws IOException {
    List<String[]> out = new ArrayList<>();
    try (InputStream in = NexusProvisionIT.class.getResourceAsStream("first-run-requests.txt")) {
      List<String> lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.startsWith("#") && !l.isBlank())
              .toList();
      for (int i = 0; i < lines.size(); i += 2) {
        out.add(new String[] {lines.get(i), lines.get(i + 1)});
      }
    }
    return out;
  }
}
