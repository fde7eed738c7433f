package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;

/**
 * The file store as {@code auto} mode's fallback on an account that never used a keyring. A login
 * stored here says so on stderr, once per {@code store}: a user who expected the keyring learns
 * where it went (and why) at {@code docker login}, not at the next failing pull.
 */
final class FallbackFileStore implements CredentialStore {
  static final String STORED_IN_FILE =
      "docker-credential-java: no keyring reachable (%s); the login for %s went to the encrypted"
          + " file %s (set DOCKER_CREDENTIAL_JAVA_BACKEND=file to make that the choice)";

  private final CredentialStore file;
  private final String reason;
  private final PrintStream notices;

  FallbackFileStore(CredentialStore file, String reason, PrintStream notices) {
    this.file = file;
    this.reason = reason;
    this.notices = notices;
  }

  @Override
  public String name() {
    return file.name();
  }

  @Override
  public Optional<Credentials> get(String serverUrl) throws StoreException {
    return file.get(serverUrl);
  }

  @Override
  public void store(Credentials credentials) throws StoreException {
    file.store(credentials);
    String where = file instanceof FileStore f ? f.file().toString() : "store";
    notices.println(String.format(STORED_IN_FILE, reason, credentials.serverUrl(), where));
    notices.flush();
  }

  @Override
  public boolean erase(String serverUrl) throws StoreException {
    return file.erase(serverUrl);
  }

  @Override
  public Map<String, String> list() throws StoreException {
    return file.list();
  }

  @Override
  public void close() {
    file.close();
  }
}
