package dev.nexusrouter.credential;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The workload the packaged helper's JDK 25 AOT cache is recorded from
 * (packaging/credential-helper/ build.sh): the calls clients make on every pull, through the same
 * code as a real process, all in one JVM. Every class they need must be in the cache: a class
 * missing from it makes the JVM open the 13 MB jar, which in the interpreter-only mode of a keyring
 * get costs ~80 ms.
 *
 * <p>stdin holds the server URL of a login stored beforehand. Replayed: {@code get} of it, {@code
 * get} of an absent key (the not-found path also walks {@code list} for equivalent keys), {@code
 * list}. Answers are discarded; the exit code says whether the stored login was found.
 *
 * <p>{@value #WRITE_ACTION} records the separate cache of the writes: a {@code store} of that login
 * again (a docker login: CreateItem in the encrypted session) and an {@code erase} of an absent
 * key. The JDK 25 cache loads and links every class it holds at start-up, so the writes' classes in
 * the pull's cache would cost every {@code get} ~5 ms (BENCHMARKS.md, "Credential helpers").
 */
final class AotTraining {
  static final String ACTION = "aot-training";
  static final String WRITE_ACTION = "aot-training-write";

  private AotTraining() {}

  static int run(InputStream stdin, Map<String, String> env, String osName, Path home) {
    String url;
    try {
      url = new String(stdin.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return 1;
    }
    int found = replay("get", url, env, osName, home);
    replay("get", "https://absent.aot-training.invalid/", env, osName, home);
    replay("list", "", env, osName, home);
    return found;
  }

  static int runWrites(InputStream stdin, Map<String, String> env, String osName, Path home) {
    String url;
    try {
      url = new String(stdin.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return 1;
    }
    int stored =
        replay(
            "store",
            "{\"ServerURL\":\"" + url + "\",\"Username\":\"u\",\"Secret\":\"s\"}",
            env,
            osName,
            home);
    replay("erase", "https://absent.aot-training.invalid/", env, osName, home);
    return stored;
  }

  private static int replay(
      String action, String stdin, Map<String, String> env, String osName, Path home) {
    return Main.invoke(
        List.of(action),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new ByteArrayOutputStream(),
        env,
        osName,
        home);
  }
}
