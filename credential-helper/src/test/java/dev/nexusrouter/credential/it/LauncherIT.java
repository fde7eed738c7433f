package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher script and shaded jar as clients run them, on the file backend. */
class LauncherIT {
  @TempDir Path home;
  private Map<String, String> env;

  @BeforeEach
  void setUp() {
    HelperProcess.assertLauncherBuilt();
    env = HelperProcess.baseEnv(home);
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "file");
    // The launcher must keep the JVM's "Picked up ..." notice off stderr.
    env.put("JAVA_TOOL_OPTIONS", "-Dx=y");
  }

  private static void assertQuiet(Result r, int exit) {
    assertEquals(exit, r.exit(), r.toString());
    assertEquals("", r.stderr(), r.toString());
  }

  @Test
  void fullProtocolSessionWithEmptyStderr() {
    Result stored =
        helper(
            env,
            "{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"<token>\",\"Secret\":\"tok\"}\n",
            "store");
    assertQuiet(stored, 0);
    assertEquals("", stored.stdout());

    Result got = helper(env, "https://index.docker.io/v1/", "get");
    assertQuiet(got, 0);
    assertEquals(
        "{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"\\u003ctoken\\u003e\",\"Secret\":\"tok\"}\n",
        got.stdout());
    assertQuiet(helper(env, "docker.io", "get"), 0);

    Result list = helper(env, "unused", "list");
    assertQuiet(list, 0);
    assertEquals("{\"https://index.docker.io/v1/\":\"\\u003ctoken\\u003e\"}\n", list.stdout());

    assertQuiet(helper(env, "https://index.docker.io/v1/", "erase"), 0);
    Result missing = helper(env, "https://index.docker.io/v1/", "get");
    assertQuiet(missing, 1);
    assertEquals("credentials not found in native keychain\n", missing.stdout());
    assertQuiet(helper(env, "https://index.docker.io/v1/", "erase"), 0);
    Result empty = helper(env, "unused", "list");
    assertQuiet(empty, 0);
    assertEquals("{}\n", empty.stdout());
  }

  @Test
  void errorsAreExactOnStdoutWithExitOne() {
    Result noUrl = helper(env, "", "get");
    assertQuiet(noUrl, 1);
    assertEquals("no credentials server URL\n", noUrl.stdout());
    Result noUser =
        helper(env, "{\"ServerURL\":\"x\",\"Username\":\"\",\"Secret\":\"s\"}", "store");
    assertQuiet(noUser, 1);
    assertEquals("no credentials username\n", noUser.stdout());
    Result usage = helper(env, "");
    assertEquals(1, usage.exit());
    assertTrue(usage.stdout().startsWith("Usage: docker-credential-java"), usage.stdout());
    Result unknown = helper(env, "", "frobnicate");
    assertEquals(1, unknown.exit());
  }

  @Test
  void secretsOfHundredsOfKilobytesRoundTrip() {
    String secret = "s".repeat(300 * 1024);
    assertQuiet(
        helper(
            env,
            "{\"ServerURL\":\"big.example.com\",\"Username\":\"u\",\"Secret\":\"" + secret + "\"}",
            "store"),
        0);
    Result got = helper(env, "big.example.com", "get");
    assertQuiet(got, 0);
    assertTrue(got.stdout().contains("\"Secret\":\"" + secret + "\""));
  }

  @Test
  void versionNeedsNoBackendAndStartsFast() {
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
    Result version = helper(env, "", "version");
    assertQuiet(version, 0);
    assertTrue(
        version.stdout().startsWith("docker-credential-java (dev.nexusrouter) "), version.stdout());
  }

  @Test
  void invalidSettingsAreOneLineErrors() {
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "vault");
    Result r = helper(env, "x.example.com", "get");
    assertEquals(1, r.exit());
    assertEquals(1, r.out().lines().count(), r.stdout());
    assertTrue(r.out().contains("'vault'"), r.stdout());
  }

  @Test
  void launcherFindsTheJarThroughASymlinkOnPath() throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("docker-credential-java"), HelperProcess.LAUNCHER);
    Result r =
        HelperProcess.run(
            java.util.List.of(bin.resolve("docker-credential-java").toString(), "version"),
            env,
            new byte[0],
            HelperProcess.TIMEOUT);
    assertQuiet(r, 0);
  }

  @Test
  void doctorReportsTheActiveBackendAndWhyOthersAreNot() {
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "auto");
    Result r = helper(env, "", "doctor");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("active backend: file"), r.stdout());
    assertTrue(r.stdout().contains("secretservice: not usable: no D-Bus session bus"), r.stdout());
  }

  @Test
  void cdsArchiveIsCreatedBesideAnInstalledJarAndUsedSilently() throws Exception {
    Path bin = Files.createDirectories(home.resolve("install/bin"));
    Files.copy(HelperProcess.LAUNCHER, bin.resolve("docker-credential-java"));
    Files.copy(
        Path.of("target/docker-credential-java.jar"), bin.resolve("docker-credential-java.jar"));
    String launcher = bin.resolve("docker-credential-java").toString();
    Result created =
        HelperProcess.run(
            java.util.List.of(launcher, "--create-cds-archive"),
            env,
            new byte[0],
            HelperProcess.TIMEOUT);
    assertEquals(0, created.exit(), created.toString());
    Path archive =
        Files.exists(bin.resolve("docker-credential-java.aot"))
            ? bin.resolve("docker-credential-java.aot")
            : bin.resolve("docker-credential-java.jsa");
    assertTrue(created.stdout().contains("created " + archive), created.stdout());
    assertTrue(Files.size(archive) > 0);
    Result stored =
        HelperProcess.run(
            java.util.List.of(launcher, "store"),
            env,
            "{\"ServerURL\":\"cds.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            HelperProcess.TIMEOUT);
    assertQuiet(stored, 0);
    Result got =
        HelperProcess.run(
            java.util.List.of(launcher, "get"),
            env,
            "cds.example.com".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            HelperProcess.TIMEOUT);
    assertQuiet(got, 0);
    assertEquals(
        "{\"ServerURL\":\"cds.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}\n", got.stdout());
  }

  @Test
  void configureMovesPlaintextLoginsThatGetThenReturns() throws Exception {
    Path config = home.resolve(".docker/config.json");
    Files.createDirectories(config.getParent());
    String auth =
        java.util.Base64.getEncoder()
            .encodeToString("alice:s3cr3t".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.writeString(
        config,
        "{\"auths\":{\"registry.example.com\":{\"auth\":\""
            + auth
            + "\"}},\"proxies\":{\"default\":{\"noProxy\":\"x\"}}}");
    Result dry = helper(env, "", "configure", "--dry-run");
    assertEquals(0, dry.exit(), dry.toString());
    assertTrue(dry.stdout().contains("registry.example.com (user alice)"), dry.stdout());
    assertTrue(!dry.stdout().contains("s3cr3t") && !dry.stdout().contains(auth), dry.stdout());
    assertTrue(Files.readString(config).contains(auth));

    Result done = helper(env, "", "configure");
    assertEquals(0, done.exit(), done.toString());
    String after = Files.readString(config);
    assertTrue(
        !after.contains(auth) && after.contains("\"credsStore\"") && after.contains("noProxy"),
        after);
    Result got = helper(env, "registry.example.com", "get");
    assertQuiet(got, 0);
    assertTrue(got.stdout().contains("\"Username\":\"alice\",\"Secret\":\"s3cr3t\""), got.stdout());
    Result again = helper(env, "", "configure");
    assertTrue(again.stdout().contains("nothing to do"), again.stdout());
    assertTrue(
        Files.readString(home.resolve(".config/containers/auth.json"))
            .contains("\"registry.example.com\": \"java\""),
        Files.readString(home.resolve(".config/containers/auth.json")));
  }
}
