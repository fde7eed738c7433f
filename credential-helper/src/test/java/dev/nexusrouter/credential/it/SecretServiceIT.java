package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper against a real gnome-keyring on a private bus, side by side with Debian's {@code
 * docker-credential-secretservice}: each must read what the other wrote, with a quiet stderr.
 */
class SecretServiceIT {
  private static final String GO = "docker-credential-secretservice";
  @TempDir static Path home;
  private static PrivateKeyring keyring;
  private static Map<String, String> env;

  @BeforeAll
  static void startKeyring() throws Exception {
    HelperProcess.assertLauncherBuilt();
    HelperProcess.requireBinary(GO);
    HelperProcess.requireBinary("secret-tool");
    keyring = PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED);
    env = keyring.env();
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
  }

  @AfterAll
  static void stopKeyring() {
    if (keyring != null) {
      keyring.close();
    }
  }

  private static Result java(String stdin, String action) {
    return helper(env, stdin, action);
  }

  private static Result go(String stdin, String action) {
    return HelperProcess.run(
        List.of(GO, action),
        env,
        stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Duration.ofSeconds(30));
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

  private static void assertQuietSuccess(Result r) {
    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.stderr(), r.toString());
  }

  @Test
  void storeGetListEraseOnTheRealKeyring() {
    assertQuietSuccess(java(creds("java-only.example.com", "alice", "s3cr3t"), "store"));
    Result got = java("java-only.example.com", "get");
    assertQuietSuccess(got);
    assertEquals(
        "{\"ServerURL\":\"java-only.example.com\",\"Username\":\"alice\",\"Secret\":\"s3cr3t\"}",
        got.out());
    assertTrue(java("", "list").out().contains("\"java-only.example.com\":\"alice\""));
    assertQuietSuccess(java("java-only.example.com", "erase"));
    Result missing = java("java-only.example.com", "get");
    assertEquals(1, missing.exit());
    assertEquals("credentials not found in native keychain", missing.out());
    assertEquals("", missing.stderr());
    assertQuietSuccess(java("java-only.example.com", "erase"));
    // secret-service's SimpleCollection.deleteItem locks the login keyring first; we must not.
    Result locked =
        keyring.dbusSend(
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/collection/login",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked");
    assertTrue(locked.stdout().contains("boolean false"), "keyring still unlocked: " + locked);
  }

  @Test
  void whatJavaStoresGoCanGetListAndErase() {
    assertQuietSuccess(java(creds("j2g.example.com:5000", "<token>", "tok-ä-😀"), "store"));
    Result got = go("j2g.example.com:5000", "get");
    assertEquals(0, got.exit(), got.toString());
    assertTrue(got.out().contains("\"Username\":\"\\u003ctoken\\u003e\""), got.out());
    assertTrue(got.out().contains("\"Secret\":\"tok-ä-😀\""), got.out());
    assertTrue(go("", "list").out().contains("\"j2g.example.com:5000\":\"\\u003ctoken\\u003e\""));
    assertEquals(0, go("j2g.example.com:5000", "erase").exit());
    assertEquals(1, java("j2g.example.com:5000", "get").exit());
  }

  @Test
  void whatGoStoresJavaCanGetListAndErase() {
    assertEquals(0, go(creds("g2j.example.com", "bob", "pä$$ 😀"), "store").exit());
    Result got = java("g2j.example.com", "get");
    assertQuietSuccess(got);
    assertEquals(
        "{\"ServerURL\":\"g2j.example.com\",\"Username\":\"bob\",\"Secret\":\"pä$$ 😀\"}",
        got.out());
    assertTrue(java("", "list").out().contains("\"g2j.example.com\":\"bob\""));
    assertQuietSuccess(java("g2j.example.com", "erase"));
    assertEquals("credentials not found in native keychain", go("g2j.example.com", "get").out());
  }

  @Test
  void bothHelpersPrintTheSameBytesForAHostileSecret() {
    // JSON escapes in the request: backspace, form feed, tab, U+2028, quotes, backslash, HTML.
    String secret = "a\\b\\f\\t\\u2028<&>\\\"\\\\z 😀";
    assertEquals(0, go(creds("bytes.example.com", "<token>", secret), "store").exit());
    Result fromGo = go("bytes.example.com", "get");
    Result fromJava = java("bytes.example.com", "get");
    assertEquals(0, fromGo.exit(), fromGo.toString());
    assertQuietSuccess(fromJava);
    assertEquals(fromGo.out(), fromJava.out());
    assertEquals(go("", "list").out(), java("", "list").out());
    assertQuietSuccess(java("bytes.example.com", "erase"));
  }

  @Test
  void restoreWithAnotherUsernameReplacesEvenGoDuplicates() {
    assertEquals(0, go(creds("dup.example.com", "old1", "1"), "store").exit());
    assertEquals(0, go(creds("dup.example.com", "old2", "2"), "store").exit());
    assertQuietSuccess(java(creds("dup.example.com", "new", "3"), "store"));
    assertTrue(java("dup.example.com", "get").out().contains("\"Username\":\"new\""));
    assertTrue(go("dup.example.com", "get").out().contains("\"Username\":\"new\""));
    Result search =
        HelperProcess.run(
            List.of("secret-tool", "search", "--all", "server", "dup.example.com"),
            env,
            new byte[0],
            Duration.ofSeconds(10));
    String all = search.stdout() + search.stderr();
    assertEquals(1, all.split("attribute.username = ", -1).length - 1, all);
  }

  @Test
  void hundredKilobyteSecretAndNormalisedLookups() {
    String big = "b".repeat(100 * 1024);
    assertQuietSuccess(java(creds("https://index.docker.io/v1/", "hub", big), "store"));
    Result got = java("docker.io", "get");
    assertQuietSuccess(got);
    assertTrue(got.out().contains(big));
    assertEquals(0, java("registry-1.docker.io", "get").exit());
    assertQuietSuccess(java("docker.io", "erase"));
    assertEquals(1, go("https://index.docker.io/v1/", "get").exit());
  }

  @Test
  void protocolErrorsAreExactOnStdout() {
    Result noUrl = java(creds("", "u", "s"), "store");
    assertEquals(1, noUrl.exit());
    assertEquals("no credentials server URL", noUrl.out());
    Result noUser = java(creds("x.example.com", "", "s"), "store");
    assertEquals("no credentials username", noUser.out());
    assertEquals(1, noUser.exit());
    assertEquals("", noUser.stderr());
  }

  @Test
  void autoSelectionPicksTheKeyringWhenUsable() {
    Map<String, String> auto = keyring.env();
    Result doctor = helper(auto, "", "doctor");
    assertEquals(0, doctor.exit(), doctor.toString());
    assertTrue(doctor.stdout().contains("active backend: secretservice"), doctor.stdout());
  }

  @Test
  void everyCallEndsTheProcessPromptly() {
    Result r = java("nothing.example.com", "get");
    assertTrue(r.elapsed().compareTo(Duration.ofSeconds(5)) < 0, "took " + r.elapsed());
    assertTrue(
        Files.exists(home.resolve(".local/share/keyrings")), "keyring lives in the test HOME");
  }

  @Test
  void parallelStoresNeitherDuplicateNorLoseItems() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<Result>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String same = creds("race.example.com", "user" + i, "secret" + i);
        String distinct = creds("par" + i + ".example.com", "u" + i, "s" + i);
        results.add(pool.submit(() -> java(same, "store")));
        results.add(pool.submit(() -> java(distinct, "store")));
      }
      for (java.util.concurrent.Future<Result> f : results) {
        assertQuietSuccess(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    Result list = java("", "list");
    for (int i = 0; i < 8; i++) {
      assertTrue(list.out().contains("\"par" + i + ".example.com\":\"u" + i + "\""), list.out());
    }
    Result search =
        HelperProcess.run(
            List.of("secret-tool", "search", "--all", "server", "race.example.com"),
            env,
            new byte[0],
            Duration.ofSeconds(10));
    String all = search.stdout() + search.stderr();
    assertEquals(1, all.split("attribute.username = ", -1).length - 1, all);
    Result got = java("race.example.com", "get");
    assertQuietSuccess(got);
    String user = got.out().replaceAll(".*\"Username\":\"user(\\d)\".*", "$1");
    assertTrue(got.out().contains("\"Secret\":\"secret" + user + "\""), got.out());
  }
}
