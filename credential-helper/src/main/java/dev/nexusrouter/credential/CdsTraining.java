package dev.nexusrouter.credential;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.Protocol;
import dev.nexusrouter.credential.protocol.StoreException;
import dev.nexusrouter.credential.store.FileStore;
import dev.nexusrouter.credential.store.SecretServiceStore;
import dev.nexusrouter.credential.store.SessionBus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The workload the launcher's {@code --create-cds-archive} records: the classes a real {@code
 * get}/{@code store} loads, so the archive covers them. It only touches a temporary directory and,
 * when a session bus is reachable, reads (never writes) the Secret Service.
 */
final class CdsTraining {
  static final String ACTION = "cds-training";

  private CdsTraining() {}

  static int run(Map<String, String> env, String osName, Path home) throws IOException {
    Path dir = Files.createTempDirectory("docker-credential-java-cds");
    try {
      exercise(new FileStore(dir.resolve("k.enc"), dir.resolve("k.key"), null));
      exercise(
          new FileStore(
              dir.resolve("p.enc"),
              dir.resolve("p.key"),
              "training".getBytes(StandardCharsets.UTF_8)));
      try {
        SecretServiceStore secretService =
            SecretServiceStore.connect(
                SessionBus.address(env),
                Duration.ZERO,
                dir.resolve("secretservice.lock"),
                dir.resolve("keyring-in-use"));
        secretService.list();
        secretService.get("docker-credential-java.cds-training.invalid");
      } catch (StoreException | RuntimeException e) {
        // No usable keyring here: the archive then covers only what loaded so far.
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    return 0;
  }

  private static void exercise(CredentialStore store) throws IOException {
    Protocol protocol = new Protocol(() -> store, () -> "training");
    String creds = "{\"ServerURL\":\"cds.invalid\",\"Username\":\"<token>\",\"Secret\":\"t\"}";
    for (String[] call :
        new String[][] {
          {"store", creds},
          {"get", "cds.invalid"},
          {"get", "https://cds.invalid/"},
          {"list", ""},
          {"erase", "cds.invalid"}
        }) {
      protocol.run(
          List.of(call[0]),
          new ByteArrayInputStream(call[1].getBytes(StandardCharsets.UTF_8)),
          new ByteArrayOutputStream());
    }
    try {
      store.get("cds.invalid").map(Credentials::username);
    } catch (StoreException e) {
      // Training only.
    }
  }
}
