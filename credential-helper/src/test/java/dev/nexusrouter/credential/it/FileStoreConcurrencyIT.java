package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encrypted file store under real parallel processes, and its failure modes. */
class FileStoreConcurrencyIT {
  private static final int PROCESSES = 100;
  @TempDir Path home;
  private Map<String, String> env;
  private Path file;

  @BeforeEach
  void setUp() {
    HelperProcess.assertLauncherBuilt();
    env = HelperProcess.baseEnv(home);
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "file");
    env.put("DOCKER_CREDENTIAL_JAVA_PASSPHRASE", "correct horse battery staple");
    // 100 JVMs each deriving an Argon2id key on 2 shared cores: the watchdog's default 30 s is
    // about a hung keyring, not this; the harness still ends every process within 60 s.
    env.put("DOCKER_CREDENTIAL_JAVA_TIMEOUT", "55");
    file = home.resolve(".local/share/docker-credential-java/credentials.enc");
  }

  @Test
  void hundredParallelProcessesStoringAndReadingLoseNothing() throws Exception {
    // Key-file mode: the first writer creates the key under the lock while 99 others wait, and
    // 100 Argon2 derivations would only slow the test down (the passphrase path is tested below).
    env.remove("DOCKER_CREDENTIAL_JAVA_PASSPHRASE");
    ExecutorService pool = Executors.newFixedThreadPool(PROCESSES);
    try {
      List<Future<Result>> results = new ArrayList<>();
      for (int i = 0; i < PROCESSES; i++) {
        // The secret is built inside the shell from the index: test secrets stay off argv too.
        String script =
            "printf '{\"ServerURL\":\"reg%s.example.com\",\"Username\":\"user%s\",\"Secret\":\"secret-%s\"}'"
                + " \"$1\" \"$1\" \"$1\" | \"$0\" store"
                + " && printf 'reg%s.example.com' \"$1\" | \"$0\" get";
        String index = Integer.toString(i);
        results.add(
            pool.submit(
                () ->
                    HelperProcess.run(
                        List.of("sh", "-c", script, HelperProcess.LAUNCHER.toString(), index),
                        env,
                        new byte[0],
                        Duration.ofMinutes(4))));
      }
      for (int i = 0; i < PROCESSES; i++) {
        Result r = results.get(i).get();
        assertEquals(0, r.exit(), "process " + i + ": " + r);
        assertEquals("", r.stderr(), "process " + i + ": " + r);
        assertTrue(r.stdout().contains("\"Secret\":\"secret-" + i + "\""), r.stdout());
      }
    } finally {
      pool.shutdownNow();
    }
    Result list = helper(env, "", "list");
    assertEquals(0, list.exit(), list.toString());
    for (int i = 0; i < PROCESSES; i++) {
      assertTrue(
          list.stdout().contains("\"reg" + i + ".example.com\":\"user" + i + "\""),
          "entry " + i + " lost");
    }
    for (int i = 0; i < PROCESSES; i += 9) {
      Result got = helper(env, "reg" + i + ".example.com", "get");
      assertTrue(got.stdout().contains("\"Secret\":\"secret-" + i + "\""), got.toString());
    }
    try (var files = Files.list(file.getParent())) {
      assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "temp files left behind");
    }
  }

  @Test
  void wrongPassphraseIsAClearErrorAndTheFileIsUntouched() throws Exception {
    assertEquals(
        0,
        helper(env, "{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"s\"}", "store").exit());
    byte[] before = Files.readAllBytes(file);
    env.put("DOCKER_CREDENTIAL_JAVA_PASSPHRASE", "wrong");
    Result get = helper(env, "a", "get");
    assertEquals(1, get.exit());
    assertTrue(
        get.out().startsWith("cannot decrypt ") && get.out().contains("wrong passphrase"),
        get.out());
    Result store =
        helper(env, "{\"ServerURL\":\"b\",\"Username\":\"u\",\"Secret\":\"s\"}", "store");
    assertEquals(1, store.exit());
    assertEquals("", store.stderr());
    assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void corruptFileIsAClearErrorAndTheFileIsUntouched() throws Exception {
    assertEquals(
        0,
        helper(env, "{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"s\"}", "store").exit());
    byte[] corrupt = Files.readAllBytes(file);
    corrupt[corrupt.length / 2] ^= 0x01;
    Files.write(file, corrupt);
    for (String action : List.of("get", "erase", "list")) {
      Result r = helper(env, "a", action);
      assertEquals(1, r.exit(), action + ": " + r);
      assertTrue(r.out().contains("left untouched"), r.out());
    }
    Result store =
        helper(env, "{\"ServerURL\":\"b\",\"Username\":\"u\",\"Secret\":\"s\"}", "store");
    assertEquals(1, store.exit());
    assertArrayEquals(corrupt, Files.readAllBytes(file));

    Files.writeString(file, "{\"not\":\"ours\"}");
    Result garbage = helper(env, "a", "get");
    assertEquals(1, garbage.exit());
    assertTrue(garbage.out().contains("is corrupt"), garbage.out());
  }
}
