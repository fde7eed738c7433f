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
 * get} of an absent key (the not-found path also walks {@code list} for equivalent keys), and
 * {@code list}. Answers are discarded; the exit code says whether the stored login was found.
 */
final class AotTraining {
  static final String ACTION = "aot-training";

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
