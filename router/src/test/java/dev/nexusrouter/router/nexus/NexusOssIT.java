package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RawResponse;
import dev.nexusrouter.router.testing.RealNexus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nexus provision|status|router-config}, {@code check}, {@code serve} and the UI host
 * against a real Nexus 3 OSS (see docs/nexus.md). It has no docker format, so the docker
 * repositories are the fakes' business; everything else is real. The methods run in order: the
 * first provisioning is a first start.
 */
@ExtendWith(RealNexus.Extension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NexusOssIT {
  /** The admin password the suite sets on first start. */
  static final String ADMIN_PASSWORD = "it-Admin-pw-2026";

  @TempDir static Path tmp;
  static Path layout;
  static Path passwordFile;
  static Map<String, String> env;

  /** Before the first provisioning: the initial password from admin.password. */
  static String currentAdminPassword(RealNexus nexus) throws IOException {
    Path initial = nexus.data().resolve("admin.password");
    return Files.exists(initial)
        ? Files.readString(initial, StandardCharsets.UTF_8).strip()
        : ADMIN_PASSWORD;
  }

  @BeforeAll
  static void files(RealNexus nexus) throws IOException {
    layout =
        Files.writeString(
            tmp.resolve("layout.yaml"),
            """
            blob-stores:
              - name: default
              - name: it-store
            repositories:
              - {name: it-hosted, type: hosted, http-port: 18086, blob-store: it-store}
              - {name: it-group, type: group, http-port: 18082, blob-store: default, members: [it-hosted]}
            security:
              docker-token-realm: true
              anonymous-pull: true
              roles:
                - {id: it-reader, description: reads maven, privileges: [nx-repository-view-maven2-*-read]}
              users:
                - {id: it-ci, email: ci@example.com, roles: [it-reader], password-file: CI_PW}
            """
                .replace("CI_PW", tmp.resolve("ci.pw").toString()));
    Files.writeString(tmp.resolve("ci.pw"), "it-Ci-pw-2026\n");
    passwordFile = Files.writeString(tmp.resolve("admin.pw"), ADMIN_PASSWORD + "\n");
    env = Map.of("NEXUS_URL", nexus.url().toString());
  }

  private static NexusClient client(RealNexus nexus, String password) {
    return new NexusClient(nexus.url(), new Credentials("admin", password));
  }

  @Test
  @Order(1)
  void whileStartingNexusRefusesConnectionsAndNeverAnswers503(RealNexus nexus) {
    List<String> seen = nexus.startLog();
    assertEquals("200", seen.get(seen.size() - 1), seen.toString());
    assertEquals(List.of("refused", "200"), seen, "what /v1/status answered during start-up");
  }

  @Test
  @Order(2)
  void statusWithoutCredentialsOnAFreshNexusExplainsThe403() {
    Cli r = Cli.run(env, "status");
    assertEquals(1, r.exit(), r.toString());
    assertContains(
        r.out(),
        "status    available",
        "docker    NOT AVAILABLE",
        "Nexus refused the anonymous request (403 Forbidden):",
        "anonymous access is on",
        "NEXUS_PASSWORD_FILE");
  }

  @Test
  @Order(3)
  void firstStartChangesThePasswordAndProvisionsAllButTheDockerPart(RealNexus nexus)
      throws IOException {
    Path initial = nexus.data().resolve("admin.password");
    assertTrue(Files.exists(initial), "a fresh Nexus writes " + initial);
    try (NexusClient admin = client(nexus, currentAdminPassword(nexus))) {
      // anonymous access is on in a fresh Nexus: switch it off to see provision switch it on
      var off =
          JsonNodeFactory.instance
              .objectNode()
              .put("enabled", false)
              .put("userId", "anonymous")
              .put("realmName", "NexusAuthorizingRealm");
      admin.check(admin.put("/v1/security/anonymous", off), "disable anonymous access", 200);
    }

    Cli r =
        Cli.run(
            env,
            "provision",
            "--layout",
            layout.toString(),
            "--new-password-file",
            passwordFile.toString(),
            "--admin-password-file",
            initial.toString());

    assertEquals(3, r.exit(), r.toString());
    assertContains(
        r.out(),
        "done      admin password changed",
        "create    blob store 'it-store'",
        "ok        blob store 'default'",
        "SKIPPED   docker hosted 'it-hosted'",
        "SKIPPED   docker group 'it-group'",
        "SKIPPED   security realm Docker Bearer Token Realm",
        "update    anonymous access",
        "create    role 'it-reader'",
        "create    user 'it-ci'",
        "Applied 4 change(s).");
    assertFalse(r.all().contains("it-Ci-pw-2026"), "the user's password is never printed");
    assertTrue(
        r.err().contains("the docker format is not available in this Nexus (3.71.0-06 (OSS))"),
        r.err());
    assertFalse(r.err().contains("too old"), r.err());
    assertFalse(r.all().contains(ADMIN_PASSWORD), "the password is never printed");

    assertFalse(Files.exists(initial), "Nexus 3.21+ deletes admin.password after the change");
    try (NexusClient admin = client(nexus, ADMIN_PASSWORD)) {
      JsonNode store =
          admin.parse(
              admin.check(admin.get("/v1/blobstores/file/it-store"), "read it-store", 200), "");
      assertTrue(store.path("path").asText().endsWith("it-store"), store.toString());
      JsonNode anonymous =
          admin.parse(admin.check(admin.get("/v1/security/anonymous"), "read", 200), "");
      assertTrue(anonymous.path("enabled").asBoolean(), anonymous.toString());
      JsonNode role =
          admin.parse(admin.check(admin.get("/v1/security/roles/it-reader"), "read", 200), "");
      assertEquals("[\"nx-repository-view-maven2-*-read\"]", role.path("privileges").toString());
    }
    try (NexusClient ci = new NexusClient(nexus.url(), new Credentials("it-ci", "it-Ci-pw-2026"))) {
      assertEquals(200, ci.get("/v1/repositories").status(), "the new user logs in");
    }
    try (NexusClient wrong = client(nexus, "not-the-password")) {
      assertEquals(401, wrong.get("/v1/repositories").status());
    }
  }

  @Test
  @Order(4)
  void aSecondRunChangesNothingAndStillNamesTheDockerPart() {
    Cli r = Cli.run(env, "provision", "--layout", layout.toString(), "--password-file", pw());
    assertEquals(3, r.exit(), r.toString());
    assertTrue(
        r.out().contains("0 to create, 0 to update, 5 unchanged, 0 conflict(s), 3 skipped"),
        r.out());
    assertFalse(r.out().contains("Applying"), r.out());
    assertTrue(r.err().contains("docker format is not available"), r.err());
  }

  @Test
  @Order(5)
  void aBlobStoreNameThatClashesIgnoringCaseIsAConflictAndNexusSaysWhy(RealNexus nexus)
      throws IOException {
    Path clash = Files.writeString(tmp.resolve("clash.yaml"), "blob-stores: [{name: DEFAULT}]\n");
    Cli r = Cli.run(env, "provision", "--layout", clash.toString(), "--password-file", pw());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().contains("Nexus has it as 'default'"), r.out());

    try (NexusClient admin = client(nexus, ADMIN_PASSWORD)) {
      var body = JsonNodeFactory.instance.objectNode().put("name", "DEFAULT").put("path", "x");
      NexusClient.Response created = admin.post("/v1/blobstores/file", body);
      assertEquals(400, created.status());
      assertEquals(
          "400 Name is already used, must be unique (ignoring case)", admin.explain(created));
    }
  }

  @Test
  @Order(6)
  void anUnknownRealmIsOneClearLineNotValidationErrorXo(RealNexus nexus) {
    try (NexusClient admin = client(nexus, ADMIN_PASSWORD)) {
      var realms =
          JsonNodeFactory.instance.arrayNode().add("NexusAuthenticatingRealm").add("DockerToken");
      NexusClient.Response r = admin.put("/v1/security/realms/active", realms);
      assertEquals(400, r.status());
      assertTrue(r.body().startsWith("ValidationErrorXO{"), "what 3.71 sends: " + r.body());
      assertEquals("400 Unknown realmIds: [DockerToken]", admin.explain(r));
    }
  }

  @Test
  @Order(7)
  void statusWithCredentialsNamesTheMissingDockerFormat() throws IOException {
    Path config = routerConfig(freePort());
    Cli r = Cli.run(env, "status", "--config", config.toString(), "--password-file", pw());
    assertEquals(1, r.exit(), r.toString());
    assertContains(
        r.out(),
        "version   3.71.0-06 (OSS)",
        "docker    NOT AVAILABLE",
        "MISMATCH",
        "Nexus has no docker group repository");
  }

  @Test
  @Order(8)
  void routerConfigCheckAndServeCarryTheUiHost(RealNexus nexus) throws Exception {
    int port = freePort();
    Path config = routerConfig(port);
    String yaml = Files.readString(config);
    assertTrue(yaml.contains("servers: [\"" + nexus.url() + "\"]"), "UI upstream:\n" + yaml);
    Path downloads = Files.createDirectories(tmp.resolve("downloads"));
    Files.writeString(downloads.resolve("hello.txt"), "hello from the router\n");
    // a second, TLS listener with a certificate from `certs init`
    Path certs = tmp.resolve("certs");
    assertEquals(
        0,
        dev.nexusrouter.router.tls.CertsCommand.run(
            List.of("init", "--domain", "it.test", "--out", certs.toString()),
            System.out,
            System.err,
            Map.of()));
    int tlsPort = freePort();
    String withDownloads =
        Configs.insertAfter(
            yaml, "    upstream: ui\n", "    download-dir: \"" + downloads + "\"\n");
    Files.writeString(
        config,
        Configs.insertAfter(
            withDownloads,
            "    port: " + port + "\n",
            "  - "
                + Configs.tlsListener(
                    "tls", tlsPort, certs.resolve("server.crt"), certs.resolve("server.key"))
                + "\n"));

    Process check = router("check", config.toString()).start();
    assertTrue(check.waitFor(60, TimeUnit.SECONDS), "check did not finish");
    String checkOut = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, check.exitValue(), checkOut);

    Path log = tmp.resolve("serve.log");
    Process serve =
        router("serve", "--config", config.toString())
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    try {
      awaitListening(log, serve);
      uiThroughTheRouter(nexus, port);
      uiOverTls(tlsPort, certs.resolve("ca.crt"));
    } finally {
      serve.destroy();
      if (!serve.waitFor(60, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }

  private void uiThroughTheRouter(RealNexus nexus, int port) throws IOException {
    String host = "nexus.it.test:" + port;
    RawResponse page = RawRequest.of("GET", "/").header("Host", host).send(port);
    assertEquals(200, page.status(), page.toString());
    assertTrue(page.bodyText().contains("Sonatype Nexus Repository"), page.bodyText());

    RawResponse redirect = RawRequest.of("GET", "/index.html").header("Host", host).send(port);
    assertEquals(302, redirect.status(), redirect.toString());
    assertEquals("http://" + host + "/", redirect.header("Location"));

    String form =
        "username="
            + b64("admin")
            + "&password="
            + java.net.URLEncoder.encode(b64(ADMIN_PASSWORD), StandardCharsets.UTF_8);
    RawResponse login =
        RawRequest.of("POST", "/service/rapture/session")
            .header("Host", host)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send(port);
    assertEquals(204, login.status(), login.toString());
    String cookie =
        login.headerValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("NXSESSIONID="))
            .reduce((a, b) -> b)
            .orElse(null);
    assertNotNull(cookie, login.toString());
    assertFalse(cookie.contains("Secure"), "no Secure flag over plain HTTP: " + cookie);

    RawResponse browse =
        RawRequest.of("GET", "/service/rest/v1/status/check")
            .header("Host", host)
            .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
            .send(port);
    assertEquals(200, browse.status(), "the session cookie logs in through the router");
    RawResponse anonymous =
        RawRequest.of("GET", "/service/rest/v1/status/check").header("Host", host).send(port);
    assertEquals(403, anonymous.status(), anonymous.toString());

    String asset = "/static/rapture/baseapp-prod.js?_v=3.71.0-06";
    RawResponse viaRouter = RawRequest.of("GET", asset).header("Host", host).send(port);
    RawResponse direct = RawRequest.of("GET", asset).send(nexus.port());
    assertEquals(200, viaRouter.status());
    assertTrue(viaRouter.body().length > 1_000_000, "a large asset: " + viaRouter.body().length);
    assertArrayEquals(direct.body(), viaRouter.body());

    RawResponse download =
        RawRequest.of("GET", "/download/hello.txt").header("Host", host).send(port);
    assertEquals(200, download.status(), download.toString());
    assertEquals("hello from the router\n", download.bodyText());
  }

  /** Over the TLS listener: https redirects and a Secure session cookie (curl, real TLS). */
  private void uiOverTls(int port, Path ca) throws Exception {
    Path curl = dev.nexusrouter.router.testing.RealParts.require("curl");
    String base = "https://nexus.it.test:" + port;
    List<String> common =
        List.of(
            curl.toString(),
            "-sS",
            "-o",
            "/dev/null",
            "-D",
            "-",
            "--max-time",
            "60",
            "--cacert",
            ca.toString(),
            "--resolve",
            "nexus.it.test:" + port + ":127.0.0.1");
    String redirect = run(common, base + "/index.html");
    assertTrue(redirect.startsWith("HTTP/1.1 302"), redirect);
    assertTrue(redirect.contains("Location: " + base + "/\r\n"), redirect);

    List<String> login = new java.util.ArrayList<>(common);
    login.addAll(
        List.of(
            "--data",
            "username="
                + b64("admin")
                + "&password="
                + java.net.URLEncoder.encode(b64(ADMIN_PASSWORD), StandardCharsets.UTF_8)));
    String session = run(login, base + "/service/rapture/session");
    assertTrue(session.startsWith("HTTP/1.1 204"), session);
    assertTrue(
        session
            .lines()
            .anyMatch(l -> l.startsWith("Set-Cookie: NXSESSIONID=") && l.contains("Secure")),
        "a Secure session cookie over TLS: " + session);
  }

  private static String run(List<String> command, String url) throws Exception {
    List<String> c = new java.util.ArrayList<>(command);
    c.add(url);
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl did not finish");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  @Order(9)
  void provisionWaitsThroughASigtermOfAStartingNexus(RealNexus nexus) throws Exception {
    nexus.stop(); // SIGTERM, bounded wait

    Cli tooShort = provisionWaiting("1s");
    assertEquals(1, tooShort.exit(), tooShort.toString());
    assertContains(tooShort.err(), "not ready after waiting 1s", "connection refused", "--wait");
    assertFalse(tooShort.err().contains("Exception"), tooShort.err());

    CompletableFuture<Cli> waiting = CompletableFuture.supplyAsync(() -> provisionWaiting("5m"));
    // SIGTERM while Nexus is starting (it needs well over 2 s) and provision is waiting
    nexus.launch();
    Thread.sleep(2_000);
    assertFalse(waiting.isDone(), "provision finished against a Nexus that was not up");
    Process starting = nexus.process();
    starting.destroy();
    assertTrue(starting.waitFor(120, TimeUnit.SECONDS), "a starting Nexus ignored SIGTERM");
    assertFalse(
        waiting.isDone(), "provision stopped waiting: " + (waiting.isDone() ? waiting.get() : ""));

    nexus.start();
    Cli r = waiting.get(6, TimeUnit.MINUTES);
    assertEquals(3, r.exit(), r.toString());
    assertContains(r.out(), "Nexus " + nexus.url() + " is ready.", "5 unchanged");
  }

  // ---- helpers

  private static String pw() {
    return passwordFile.toString();
  }

  /** {@code provision} of the test layout that waits at most {@code wait} for Nexus. */
  private static Cli provisionWaiting(String wait) {
    return Cli.runWaiting(
        env, "provision", "--layout", layout.toString(), "--password-file", pw(), "--wait", wait);
  }

  private static Path routerConfig(int listenPort) throws IOException {
    Cli r =
        Cli.run(
            env,
            "router-config",
            "--layout",
            layout.toString(),
            "--router-host",
            "registry.it.test",
            "--ui-host",
            "nexus.it.test",
            "--listen",
            "127.0.0.1:" + listenPort);
    assertEquals(0, r.exit(), r.toString());
    return Files.writeString(tmp.resolve("router-" + listenPort + ".yaml"), r.out());
  }

  private static ProcessBuilder router(String... args) {
    String jar = System.getProperty("router.jar");
    assertNotNull(jar, "system property router.jar is not set (run through maven-failsafe)");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static void awaitListening(Path log, Process serve) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.contains("listening on")) {
        return;
      }
      assertTrue(serve.isAlive(), "serve exited:\n" + text);
      Thread.sleep(100);
    }
    throw new AssertionError("serve did not start:\n" + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
