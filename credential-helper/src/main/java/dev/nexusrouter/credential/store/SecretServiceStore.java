package dev.nexusrouter.credential.store;

import dev.nexusrouter.common.AtomicFiles;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Linux Secret Service (gnome-keyring, KeePassXC). Items are the ones {@code
 * docker-credential-secretservice} writes (secretservice.c): schema {@code io.docker.Credentials},
 * attributes {@code label=Docker Credentials}, {@code server}, {@code username}, {@code
 * docker_cli=1}, and the server URL as the item label (the pre-0.9 convention both Go versions list
 * correctly).
 *
 * <p>Every call goes over {@link SecretServiceBus}, the helper's own small D-Bus client, secrets in
 * its encrypted session; only a locked keyring's unlock prompt goes through the secret-service
 * library ({@link SecretServiceWrites}), which is connected only then.
 */
public final class SecretServiceStore implements CredentialStore {
  static final String SCHEMA = "io.docker.Credentials";
  static final String DOCKER_LABEL = "Docker Credentials";

  static final String NO_SERVICE =
      "no Secret Service on the D-Bus session bus (org.freedesktop.secrets): install and start"
          + " gnome-keyring (or KeePassXC with Secret Service enabled), or set"
          + " DOCKER_CREDENTIAL_JAVA_BACKEND=file";
  static final String NO_LOGIN_COLLECTION =
      "the Secret Service has no default (login) keyring: create it once, e.g. with `echo -n"
          + " PASSWORD | gnome-keyring-daemon --replace --unlock` or in Seahorse, or set"
          + " DOCKER_CREDENTIAL_JAVA_BACKEND=file";
  static final String LOCKED =
      "the login keyring is locked and was not unlocked: unlock it (desktop login, Seahorse, or"
          + " `echo -n PASSWORD | gnome-keyring-daemon --replace --unlock`) and try again";

  private final String address;
  private final SecretServiceBus bus;
  private final Duration promptTimeout;
  private final Path lockFile;
  private final Path marker;
  private SecretServiceWrites writes;

  /** The search of every docker login, sent ahead by {@link #get}; 0 when none is pending. */
  private long dockerLogins;

  private static final Map<String, String> DOCKER_LOGINS = Map.of("label", DOCKER_LABEL);

  private SecretServiceStore(
      String address, SecretServiceBus bus, Duration promptTimeout, Path lockFile, Path marker) {
    this.address = address;
    this.bus = bus;
    this.promptTimeout = promptTimeout;
    this.lockFile = lockFile;
    this.marker = marker;
  }

  /**
   * Connects and checks that a Secret Service is there (or D-Bus-activatable). A zero {@code
   * promptTimeout} means never show an unlock prompt.
   */
  public static SecretServiceStore connect(
      String address, Duration promptTimeout, Path lockFile, Path marker) throws StoreException {
    return new SecretServiceStore(
        address, SecretServiceBus.connect(address), promptTimeout, lockFile, marker);
  }

  /**
   * An empty marker file beside the file store: from now on {@code auto} never falls back to the
   * file store for this account, so logins cannot split between the two silently.
   */
  @Override
  public void claim() throws StoreException {
    if (Files.exists(marker)) {
      return;
    }
    try {
      Files.createDirectories(marker.getParent(), AtomicFiles.ownerOnlyDirectory());
      AtomicFiles.write(marker, new byte[0]);
    } catch (IOException e) {
      throw new StoreException(
          "stored in the keyring, but cannot record that in "
              + marker
              + ": "
              + AtomicFiles.describe(e));
    }
  }

  @Override
  public String name() {
    return "secretservice";
  }

  /** Fails with {@link BackendUnavailableException} when there is no login keyring to write to. */
  public void requireLoginCollection() throws StoreException {
    bus.defaultCollection();
  }

  /**
   * One message batch: the exact search, and the search of every docker login, which a miss needs
   * next (the protocol then looks for an equivalent key in {@link #list}). The encrypted session is
   * opened only for a hit ({@link SecretServiceBus#read}): its key agreement costs both sides an
   * exponentiation in the 1024-bit group, and a miss, the answer of every anonymous pull, needs
   * none (measured in BENCHMARKS.md: a miss 3 ms faster, a hit unchanged).
   */
  @Override
  public Optional<Credentials> get(String serverUrl) throws StoreException {
    long exact = bus.sendSearch(lookupAttributes(serverUrl));
    if (dockerLogins == 0) {
      dockerLogins = bus.sendSearch(DOCKER_LOGINS);
    }
    SecretServiceBus.Found found = bus.awaitSearch(exact);
    if (found.unlocked().isEmpty() && !found.locked().isEmpty()) {
      writes().unlock(found.locked());
      found = bus.search(lookupAttributes(serverUrl));
    }
    if (found.unlocked().isEmpty()) {
      return Optional.empty();
    }
    // Go keeps the last match of an all-collections search; do the same.
    String item = found.unlocked().get(found.unlocked().size() - 1);
    SecretServiceBus.Entry entry = bus.read(item);
    String value = new String(entry.secret(), StandardCharsets.UTF_8);
    Arrays.fill(entry.secret(), (byte) 0);
    return Optional.of(
        new Credentials(serverUrl, entry.attributes().getOrDefault("username", ""), value));
  }

  /** Serialised with other helper processes: create-then-delete-others is not atomic. */
  @Override
  public void store(Credentials credentials) throws StoreException {
    dockerLogins = 0; // a search sent before this write would miss it
    FileLocks.withLock(
        lockFile,
        () -> {
          String collection = bus.defaultCollection();
          byte[] secret = credentials.secret().getBytes(StandardCharsets.UTF_8);
          String created;
          try {
            created =
                bus.create(collection, attributes(credentials), credentials.serverUrl(), secret);
          } finally {
            Arrays.fill(secret, (byte) 0);
          }
          if (created == null) { // locked: the library's path can show the unlock prompt
            created = writes().create(collection, credentials);
          }
          // createItem(replace=true) replaces only an item with identical attributes; a login
          // under another username would stay behind and could win a later get.
          for (String other : allMatches(credentials.serverUrl())) {
            if (!other.equals(created) && !bus.delete(other)) {
              writes().delete(other);
            }
          }
          return null;
        });
    claim();
  }

  @Override
  public boolean erase(String serverUrl) throws StoreException {
    dockerLogins = 0; // a search sent before this write would still list it
    return FileLocks.withLock(lockFile, () -> eraseLocked(serverUrl));
  }

  private boolean eraseLocked(String serverUrl) throws StoreException {
    SecretServiceBus.Found found = bus.search(lookupAttributes(serverUrl));
    if (found.isEmpty()) {
      return false;
    }
    if (!found.locked().isEmpty()) {
      writes().unlock(found.locked());
    }
    for (String path : allMatches(serverUrl)) {
      if (!bus.delete(path)) {
        writes().delete(path);
      }
    }
    return true;
  }

  /** Attributes only: works on a locked keyring and loads no secret. */
  @Override
  public Map<String, String> list() throws StoreException {
    long call = dockerLogins != 0 ? dockerLogins : bus.sendSearch(DOCKER_LOGINS);
    dockerLogins = 0;
    Map<String, String> out = new TreeMap<>();
    for (Map<String, String> attributes : bus.attributes(all(bus.awaitSearch(call)))) {
      if (attributes.get("server") != null && attributes.get("username") != null) {
        out.put(attributes.get("server"), attributes.get("username"));
      }
    }
    return out;
  }

  /** What docker-credential-secretservice writes (secretservice.c), in the same order. */
  static Map<String, String> attributes(Credentials credentials) {
    Map<String, String> attributes = new java.util.LinkedHashMap<>();
    attributes.put("xdg:schema", SCHEMA);
    attributes.put("label", DOCKER_LABEL);
    attributes.put("server", credentials.serverUrl());
    attributes.put("username", credentials.username());
    attributes.put("docker_cli", "1");
    return attributes;
  }

  private static Map<String, String> lookupAttributes(String serverUrl) {
    return Map.of("xdg:schema", SCHEMA, "server", serverUrl, "docker_cli", "1");
  }

  private List<String> allMatches(String serverUrl) throws StoreException {
    return all(bus.search(lookupAttributes(serverUrl)));
  }

  private static List<String> all(SecretServiceBus.Found found) {
    List<String> all = new ArrayList<>(found.unlocked());
    all.addAll(found.locked());
    return all;
  }

  private SecretServiceWrites writes() throws StoreException {
    if (writes == null) {
      writes = SecretServiceWrites.connect(address, promptTimeout);
    }
    return writes;
  }

  @Override
  public void close() {
    bus.close();
    if (writes != null) {
      writes.close();
    }
  }
}
