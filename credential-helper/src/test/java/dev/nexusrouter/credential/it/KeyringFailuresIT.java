package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken keyrings: each case gives its one-line message on stdout, exit 1, no stack trace, and ends
 * within 5 s.
 */
class KeyringFailuresIT {
  @TempDir Path home;

  @BeforeAll
  static void built() {
    HelperProcess.assertLauncherBuilt();
  }

  private static void assertCleanFailure(Result r, String expectedStart) {
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().startsWith(expectedStart), r.toString());
    assertEquals(1, r.out().lines().count(), r.toString());
    assertTrue(
        !r.stdout().contains("Exception") && !r.stderr().contains("Exception"), r.toString());
    assertTrue(r.elapsed().compareTo(Duration.ofSeconds(5)) < 0, "took " + r.elapsed());
  }

  @Test
  void lockedKeyringGivesTheLockedMessageButListStillWorks() throws Exception {
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> env = keyring.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      String creds = "{\"ServerURL\":\"locked.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}";
      assertEquals(0, helper(env, creds, "store").exit());
      keyring.lockLogin();

      assertCleanFailure(helper(env, "locked.example.com", "get"), "the login keyring is locked");
      assertCleanFailure(helper(env, creds, "store"), "the login keyring is locked");
      Result list = helper(env, "", "list");
      assertEquals(0, list.exit(), list.toString());
      assertEquals("{\"locked.example.com\":\"u\"}", list.out());
      // The helper never locks or unlocks by itself: still locked, and not found stays not found.
      assertCleanFailure(helper(env, "other.example.com", "get"), "credentials not found");
    }
  }

  @Test
  void busWithoutSecretService() throws Exception {
    try (PrivateKeyring bus =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.NO_SERVICES)) {
      Map<String, String> env = bus.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      assertCleanFailure(
          helper(env, "x.example.com", "get"), "no Secret Service on the D-Bus session bus");
      assertAutoUsesTheFileStore(env);
    }
  }

  /** In auto mode the login goes to the encrypted file, and reads back from it. */
  private void assertAutoUsesTheFileStore(Map<String, String> env) {
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "auto");
    env.put("DOCKER_CREDENTIAL_JAVA_PASSPHRASE", "fallback");
    String creds = "{\"ServerURL\":\"f.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}";
    Result stored = helper(env, creds, "store");
    assertEquals(0, stored.exit(), stored.toString());
    Result got = helper(env, "f.example.com", "get");
    assertEquals(0, got.exit(), got.toString());
    assertTrue(Files.exists(home.resolve(".local/share/docker-credential-java/credentials.enc")));
  }

  @Test
  void serviceWithoutLoginKeyring() throws Exception {
    try (PrivateKeyring bus =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.BUS_ONLY)) {
      Map<String, String> env = bus.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      assertCleanFailure(
          helper(env, "{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"s\"}", "store"),
          "the Secret Service has no default (login) keyring");
    }
  }

  @Test
  void aSecretServiceThatCannotStartMeansTheFileStoreInAutoMode() throws Exception {
    try (PrivateKeyring bus =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.BROKEN_SERVICE)) {
      Map<String, String> env = bus.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      assertCleanFailure(
          helper(env, "x.example.com", "get"), "the Secret Service has no default (login) keyring");
      assertAutoUsesTheFileStore(env);
    }
  }

  @Test
  void aHungSecretServiceIsCutOffByTheWatchdog() throws Exception {
    Path socket = home.resolve("hung.sock");
    try (SilentBus silent = new SilentBus(socket)) {
      Map<String, String> env = HelperProcess.baseEnv(home);
      env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket);
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      env.put("DOCKER_CREDENTIAL_JAVA_TIMEOUT", "2");
      Result r = helper(env, "x.example.com", "get");
      assertCleanFailure(
          r, "docker-credential-java: the credential store did not answer within 2 s");
      assertTrue(r.elapsed().compareTo(Duration.ofSeconds(2)) >= 0, "took " + r.elapsed());
      assertTrue(silent.accepted(), "the helper never reached the bus");
    }
  }

  @Test
  void noBusAtAll() {
    Map<String, String> env = HelperProcess.baseEnv(home);
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
    assertCleanFailure(helper(env, "x.example.com", "get"), "no D-Bus session bus");
  }

  @Test
  void abstractSocketAddressIsExplained() {
    Map<String, String> env = HelperProcess.baseEnv(home);
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
    env.put("DBUS_SESSION_BUS_ADDRESS", "unix:abstract=/tmp/dbus-test,guid=0");
    assertCleanFailure(helper(env, "x.example.com", "get"), "the D-Bus session bus address");
  }

  @Test
  void busFoundAtXdgRuntimeDirWithoutTheVariable() throws Exception {
    Path runtime = home.resolve("run");
    Files.createDirectories(runtime);
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, runtime.resolve("bus"), PrivateKeyring.Mode.UNLOCKED)) {
      assertTrue(
          keyring.address.startsWith("unix:path=" + runtime.resolve("bus")), keyring.address);
      Map<String, String> env = HelperProcess.baseEnv(home);
      env.put("XDG_RUNTIME_DIR", runtime.toString());
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      Result stored =
          helper(
              env,
              "{\"ServerURL\":\"xdg.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}",
              "store");
      assertEquals(0, stored.exit(), stored.toString());
      assertEquals(0, helper(env, "xdg.example.com", "get").exit());
    }
  }
}
