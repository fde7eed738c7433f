package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways a login got lost or split, on a real gnome-keyring with Debian's {@code
 * docker-credential-secretservice} beside the helper, in the default {@code auto} mode.
 */
class NeverLoseALoginIT {
  private static final String GO = "docker-credential-secretservice";
  @TempDir Path home;

  @BeforeAll
  static void built() {
    HelperProcess.assertLauncherBuilt();
    HelperProcess.requireBinary(GO);
  }

  private static Result go(Map<String, String> env, String stdin, String action) {
    return HelperProcess.run(
        List.of(GO, action), env, stdin.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
  }

  private static String creds(String server, String user, String secret) {
    return "{\"ServerURL\":\""
        + server
        + "\",\"Username\":\""
        + user
        + "\",\"Secret\":\""
        + secret
        + "\"}\n";
  }

  @Test
  void configureKeepsTheKeyringLoginOverAStalePlaintextOne() throws Exception {
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> env = keyring.env();
      assertEquals(0, go(env, creds("reg.test", "newuser", "NEW"), "store").exit());
      Path config = home.resolve(".docker/config.json");
      Files.createDirectories(config.getParent());
      // base64("olduser:OLD"), the leftover docker keeps after a helper took over.
      Files.writeString(
          config,
          "{\"auths\":{\"reg.test\":{\"auth\":\"b2xkdXNlcjpPTEQ=\"}},"
              + "\"credsStore\":\"secretservice\"}");

      Result configured = helper(env, "", "configure", "--no-containers");
      assertEquals(0, configured.exit(), configured.toString());
      assertTrue(configured.stdout().contains("newuser"), configured.toString());
      assertFalse(configured.stdout().contains("NEW\""), configured.toString());

      String expected = "{\"ServerURL\":\"reg.test\",\"Username\":\"newuser\",\"Secret\":\"NEW\"}";
      assertEquals(expected, helper(env, "reg.test", "get").out());
      assertEquals(expected, go(env, "reg.test", "get").out());
      assertFalse(Files.readString(config).contains("b2xkdXNlcjpPTEQ="));
    }
  }

  @Test
  void onceTheKeyringWasUsedAMissingBusFailsInsteadOfUsingTheFile() throws Exception {
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> desktop = keyring.env();
      assertEquals(0, helper(desktop, creds("split.test", "u", "s1"), "store").exit());

      Map<String, String> cron = HelperProcess.baseEnv(home); // no DBUS_SESSION_BUS_ADDRESS
      for (String[] call :
          new String[][] {{"split.test", "get"}, {creds("split.test", "u", "s2"), "store"}}) {
        Result r = helper(cron, call[0], call[1]);
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.out().lines().count(), r.toString());
        assertTrue(r.out().contains("keyring-in-use exists"), r.toString());
        assertTrue(r.out().contains("DBUS_SESSION_BUS_ADDRESS"), r.toString());
        assertTrue(r.out().contains(home.resolve("run/bus") + " does not exist"), r.toString());
        assertEquals("", r.stderr(), r.toString());
      }
      assertFalse(
          Files.exists(home.resolve(".local/share/docker-credential-java/credentials.enc")),
          "a login went to the file store");
      assertEquals(
          "{\"ServerURL\":\"split.test\",\"Username\":\"u\",\"Secret\":\"s1\"}",
          helper(desktop, "split.test", "get").out());
    }
  }

  @Test
  void anAccountThatNeverUsedAKeyringStoresInTheFileAndSaysWhere() {
    Map<String, String> env = HelperProcess.baseEnv(home);
    env.put("DOCKER_CREDENTIAL_JAVA_PASSPHRASE", "test-passphrase");
    Result stored = helper(env, creds("file.test", "u", "s3cr3t"), "store");
    assertEquals(0, stored.exit(), stored.toString());
    assertEquals("", stored.stdout());
    assertEquals(1, stored.stderr().lines().count(), stored.toString());
    assertTrue(stored.stderr().contains("credentials.enc"), stored.toString());
    assertFalse(stored.stderr().contains("s3cr3t"), stored.toString());
    Result got = helper(env, "file.test", "get");
    assertEquals(0, got.exit(), got.toString());
    assertEquals("", got.stderr(), got.toString());
  }

  @Test
  void loginsStoredInTheFileWhileNoKeyringWasReachableStayVisibleOnceItIs() throws Exception {
    Map<String, String> cron = HelperProcess.baseEnv(home); // no bus, keyring never used
    assertEquals(0, helper(cron, creds("cron.test", "cronuser", "C1"), "store").exit());
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> desktop = keyring.env();
      assertEquals(0, go(desktop, creds("desk.test", "deskuser", "D1"), "store").exit());

      Result got = helper(desktop, "cron.test", "get");
      assertEquals(0, got.exit(), got.toString());
      assertEquals(
          "{\"ServerURL\":\"cron.test\",\"Username\":\"cronuser\",\"Secret\":\"C1\"}", got.out());
      assertEquals("", got.stderr(), got.toString());
      assertEquals(
          "{\"cron.test\":\"cronuser\",\"desk.test\":\"deskuser\"}",
          helper(desktop, "", "list").out());
      Result absent = helper(desktop, "absent.test", "get");
      assertEquals(1, absent.exit(), absent.toString());
      assertEquals("credentials not found in native keychain", absent.out());
      Result doctor = helper(desktop, "", "doctor");
      assertTrue(
          doctor.stdout().contains("login for cron.test is only in file"), doctor.toString());

      // Logging in again moves the login into the keyring (the Go helper sees it there), and a
      // logout then leaves nothing behind in either place.
      assertEquals(0, helper(desktop, creds("cron.test", "cronuser", "C2"), "store").exit());
      assertEquals(
          "{\"ServerURL\":\"cron.test\",\"Username\":\"cronuser\",\"Secret\":\"C2\"}",
          go(desktop, "cron.test", "get").out());
      Map<String, String> fileOnly = HelperProcess.baseEnv(home);
      fileOnly.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "file");
      assertEquals("{}", helper(fileOnly, "", "list").out());
      assertEquals(0, helper(fileOnly, creds("gone.test", "u", "G"), "store").exit());
      assertEquals(0, helper(desktop, "gone.test", "erase").exit());
      assertEquals("{}", helper(fileOnly, "", "list").out());
      assertEquals(1, helper(desktop, "gone.test", "get").exit());
    }
  }
}
