package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything the helper says on the bus, as {@code dbus-monitor} sees it, never holds a secret:
 * store, get and erase move it in the encrypted dh-ietf1024-sha256-aes128-cbc-pkcs7 session.
 */
class BusPrivacyIT {
  private static final String SECRET = "monitor-me-s3cr3t-value";
  @TempDir Path home;

  @Test
  void dbusMonitorNeverSeesTheSecret() throws Exception {
    HelperProcess.assertLauncherBuilt();
    HelperProcess.requireBinary("dbus-monitor");
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> env = keyring.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      String seen =
          monitored(
              env,
              () -> {
                String creds =
                    "{\"ServerURL\":\"private.example.com\",\"Username\":\"u\",\"Secret\":\""
                        + SECRET
                        + "\"}";
                assertEquals(0, helper(env, creds, "store").exit());
                Result got = helper(env, "private.example.com", "get");
                assertEquals(0, got.exit(), got.toString());
                assertTrue(got.out().contains(SECRET), "the get did not return the secret: " + got);
                assertEquals(0, helper(env, "private.example.com", "erase").exit());
              });
      // The monitor saw the calls themselves: the test can fail.
      assertTrue(seen.contains("GetSecret"), "dbus-monitor saw no GetSecret call");
      String hex = HexFormat.ofDelimiter(" ").formatHex(SECRET.getBytes(StandardCharsets.UTF_8));
      assertFalse(seen.contains(SECRET), "the secret crossed the bus in clear");
      assertFalse(seen.contains(hex.substring(0, 20)), "the secret crossed the bus as bytes");
      assertTrue(seen.contains("dh-ietf1024-sha256-aes128-cbc-pkcs7"), "no encrypted session");
      assertFalse(seen.contains("\"plain\""), "a plain session was opened");
    }
  }

  @Test
  void aMissAndAListOpenNoSession() throws Exception {
    // The key agreement costs both sides an exponentiation; a not-found get (every anonymous
    // pull) and a list move no secret, so they must not pay for it (BENCHMARKS.md).
    HelperProcess.assertLauncherBuilt();
    HelperProcess.requireBinary("dbus-monitor");
    try (PrivateKeyring keyring =
        PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> env = keyring.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      String creds =
          "{\"ServerURL\":\"https://stored.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}";
      assertEquals(0, helper(env, creds, "store").exit());
      String seen =
          monitored(
              env,
              () -> {
                Result missed = helper(env, "absent.example.com", "get");
                assertEquals(1, missed.exit(), missed.toString());
                assertEquals("credentials not found in native keychain", missed.out());
                // stored.example.com is an equivalent key: found through the alias lookup, after
                // the miss
                Result alias = helper(env, "stored.example.com", "get");
                assertEquals(0, alias.exit(), alias.toString());
                assertEquals(0, helper(env, "", "list").exit());
              });
      assertTrue(seen.contains("SearchItems"), "dbus-monitor saw no SearchItems call");
      // One session: the alias hit's; none for the miss or the list.
      assertEquals(1, seen.split("member=OpenSession", -1).length - 1, "OpenSession calls");
    }
  }

  private interface Steps {
    void run() throws Exception;
  }

  /** Runs {@code steps} while dbus-monitor watches the session bus; returns what it printed. */
  private String monitored(Map<String, String> env, Steps steps) throws Exception {
    Path log = home.resolve("monitor.log");
    ProcessBuilder pb =
        new ProcessBuilder(HelperProcess.requireBinary("dbus-monitor").toString(), "--session");
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectOutput(log.toFile());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process monitor = pb.start();
    try {
      waitForMonitor(log);
      steps.run();
      Thread.sleep(300); // let the monitor write the last messages
    } finally {
      monitor.destroy();
      monitor.waitFor(5, TimeUnit.SECONDS);
    }
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** dbus-monitor prints the NameAcquired signal of its own connection once it listens. */
  private static void waitForMonitor(Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.size(log) > 0) {
        Thread.sleep(200);
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("dbus-monitor did not start within 10 s");
  }
}
