package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.freedesktop.dbus.ObjectPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.secret.Collection;
import org.freedesktop.secret.Item;
import org.freedesktop.secret.Pair;
import org.freedesktop.secret.Prompt;
import org.freedesktop.secret.Secret;
import org.freedesktop.secret.Service;
import org.freedesktop.secret.TransportEncryption;
import org.freedesktop.secret.interfaces.Prompt.Completed;

/**
 * Linux Secret Service (gnome-keyring, KeePassXC) through the secret-service library that
 * java-keyring brings. Items are the ones {@code docker-credential-secretservice} writes
 * (secretservice.c): schema {@code io.docker.Credentials}, attributes {@code label=Docker
 * Credentials}, {@code server}, {@code username}, {@code docker_cli=1}, and the server URL as the
 * item label (the pre-0.9 convention both Go versions list correctly). The library reports D-Bus
 * errors by returning null, so every answer is checked here.
 */
public final class SecretServiceStore implements CredentialStore {
  static final String SCHEMA = "io.docker.Credentials";
  static final String DOCKER_LABEL = "Docker Credentials";
  private static final String SECRETS_NAME = "org.freedesktop.secrets";

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

  private final DBusConnection connection;
  private final Service service;
  private final Duration promptTimeout;
  private final Path lockFile;
  private TransportEncryption encryption;

  private SecretServiceStore(DBusConnection connection, Duration promptTimeout, Path lockFile) {
    this.connection = connection;
    this.service = new Service(connection);
    this.promptTimeout = promptTimeout;
    this.lockFile = lockFile;
  }

  /**
   * Connects and checks that a Secret Service is there (or D-Bus-activatable). A zero {@code
   * promptTimeout} means never show an unlock prompt.
   */
  public static SecretServiceStore connect(
      Map<String, String> env, Duration promptTimeout, Path lockFile) throws StoreException {
    String address = SessionBus.address(env, Files::exists);
    DBusConnection connection;
    try {
      connection = DBusConnectionBuilder.forAddress(address).withShared(false).build();
    } catch (DBusException | RuntimeException e) {
      throw new BackendUnavailableException(
          "cannot connect to the D-Bus session bus at "
              + address
              + " ("
              + e.getClass().getSimpleName()
              + "); check that the bus is running, or set DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    }
    try {
      DBus bus =
          connection.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
      if (!Arrays.asList(bus.ListNames()).contains(SECRETS_NAME)
          && !Arrays.asList(bus.ListActivatableNames()).contains(SECRETS_NAME)) {
        throw new BackendUnavailableException(NO_SERVICE);
      }
    } catch (DBusException | RuntimeException e) {
      throw new BackendUnavailableException(NO_SERVICE);
    }
    return new SecretServiceStore(connection, promptTimeout, lockFile);
  }

  @Override
  public String name() {
    return "secretservice";
  }

  /** Fails with {@link BackendUnavailableException} when there is no login keyring to write to. */
  public void requireLoginCollection() throws StoreException {
    defaultCollection();
  }

  @Override
  public Optional<Credentials> get(String serverUrl) throws StoreException {
    List<ObjectPath> paths = unlockedMatches(serverUrl);
    if (paths.isEmpty()) {
      return Optional.empty();
    }
    // Go keeps the last match of an all-collections search; do the same.
    Item item = new Item(paths.get(paths.size() - 1), service);
    Map<String, String> attributes = item.getAttributes();
    Secret secret = item.getSecret(session());
    if (attributes == null || secret == null) {
      throw new StoreException(
          "the Secret Service refused to return the item for " + serverUrl + "; " + LOCKED);
    }
    String username = attributes.getOrDefault("username", "");
    char[] chars = decrypt(secret);
    String value = new String(chars);
    Arrays.fill(chars, '\0');
    return Optional.of(new Credentials(serverUrl, username, value));
  }

  /** Serialised with other helper processes: create-then-delete-others is not atomic. */
  @Override
  public void store(Credentials credentials) throws StoreException {
    FileLocks.withLock(
        lockFile,
        () -> {
          storeLocked(credentials);
          return null;
        });
  }

  private void storeLocked(Credentials credentials) throws StoreException {
    ObjectPath collectionPath = defaultCollection();
    Collection collection = new Collection(collectionPath, service);
    if (!Boolean.FALSE.equals(locked(collection))) {
      unlockOrFail(List.of(collectionPath));
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("xdg:schema", SCHEMA);
    attributes.put("label", DOCKER_LABEL);
    attributes.put("server", credentials.serverUrl());
    attributes.put("username", credentials.username());
    attributes.put("docker_cli", "1");
    Secret secret = encrypt(credentials.secret());
    Pair<ObjectPath, ObjectPath> created =
        collection.createItem(
            Item.createProperties(credentials.serverUrl(), attributes), secret, true);
    secret.clear();
    if (created == null || created.a == null || isRoot(created.a)) {
      throw new StoreException(
          !Boolean.FALSE.equals(locked(collection))
              ? LOCKED
              : "the Secret Service did not create the item for " + credentials.serverUrl());
    }
    // createItem(replace=true) replaces only an item with identical attributes; a login under
    // another username would stay behind and could win a later get (reference §1.5).
    for (ObjectPath other : allMatches(credentials.serverUrl())) {
      if (!other.getPath().equals(created.a.getPath())) {
        deleteItem(other);
      }
    }
  }

  @Override
  public boolean erase(String serverUrl) throws StoreException {
    return FileLocks.withLock(lockFile, () -> eraseLocked(serverUrl));
  }

  private boolean eraseLocked(String serverUrl) throws StoreException {
    Pair<List<ObjectPath>, List<ObjectPath>> found = search(lookupAttributes(serverUrl));
    if (found.a.isEmpty() && found.b.isEmpty()) {
      return false;
    }
    if (!found.b.isEmpty()) {
      unlockOrFail(found.b);
    }
    for (ObjectPath path : allMatches(serverUrl)) {
      deleteItem(path);
    }
    return true;
  }

  /** Attributes only: works on a locked keyring and loads no secret (reference §4.3). */
  @Override
  public Map<String, String> list() throws StoreException {
    Pair<List<ObjectPath>, List<ObjectPath>> found = search(Map.of("label", DOCKER_LABEL));
    Map<String, String> out = new TreeMap<>();
    List<ObjectPath> all = new ArrayList<>(found.a);
    all.addAll(found.b);
    for (ObjectPath path : all) {
      Map<String, String> attributes = new Item(path, service).getAttributes();
      if (attributes != null
          && attributes.get("server") != null
          && attributes.get("username") != null) {
        out.put(attributes.get("server"), attributes.get("username"));
      }
    }
    return out;
  }

  private ObjectPath defaultCollection() throws StoreException {
    ObjectPath path = service.readAlias("default");
    List<ObjectPath> collections = service.getCollections();
    // gnome-keyring started by D-Bus activation aliases "default" to a login collection that
    // does not exist yet (reference §1.6), so check the path is really there.
    if (path == null
        || isRoot(path)
        || collections == null
        || collections.stream().noneMatch(c -> c.getPath().equals(path.getPath()))) {
      throw new BackendUnavailableException(NO_LOGIN_COLLECTION);
    }
    return path;
  }

  private static Map<String, String> lookupAttributes(String serverUrl) {
    return Map.of("xdg:schema", SCHEMA, "server", serverUrl, "docker_cli", "1");
  }

  private Pair<List<ObjectPath>, List<ObjectPath>> search(Map<String, String> attributes)
      throws StoreException {
    Pair<List<ObjectPath>, List<ObjectPath>> found = service.searchItems(attributes);
    if (found == null || found.a == null || found.b == null) {
      throw new StoreException(
          "the Secret Service did not answer a search; restart it (gnome-keyring-daemon) or set"
              + " DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    }
    return found;
  }

  private List<ObjectPath> allMatches(String serverUrl) throws StoreException {
    Pair<List<ObjectPath>, List<ObjectPath>> found = search(lookupAttributes(serverUrl));
    List<ObjectPath> all = new ArrayList<>(found.a);
    all.addAll(found.b);
    return all;
  }

  private List<ObjectPath> unlockedMatches(String serverUrl) throws StoreException {
    Pair<List<ObjectPath>, List<ObjectPath>> found = search(lookupAttributes(serverUrl));
    if (found.a.isEmpty() && !found.b.isEmpty()) {
      unlockOrFail(found.b);
      found = search(lookupAttributes(serverUrl));
    }
    return found.a;
  }

  /**
   * Asks the service to unlock, showing its prompt for at most {@code promptTimeout}. Never calls
   * lock(): secret-service's SimpleCollection does, and leaves the user's keyring locked (§4.4).
   */
  private void unlockOrFail(List<ObjectPath> paths) throws StoreException {
    Pair<List<ObjectPath>, ObjectPath> result = service.unlock(paths);
    if (result == null) {
      throw new StoreException(LOCKED);
    }
    if (result.a != null && result.a.size() == paths.size()) {
      return;
    }
    if (result.b == null || isRoot(result.b) || promptTimeout.isZero()) {
      throw new StoreException(LOCKED);
    }
    Completed completed = new Prompt(service).await(result.b, promptTimeout);
    if (completed == null || completed.dismissed) {
      throw new StoreException(LOCKED);
    }
  }

  private void deleteItem(ObjectPath path) throws StoreException {
    ObjectPath prompt = new Item(path, service).delete();
    if (prompt == null) {
      throw new StoreException("the Secret Service refused to delete an item; " + LOCKED);
    }
    if (!isRoot(prompt)) {
      if (promptTimeout.isZero()) {
        throw new StoreException(LOCKED);
      }
      Completed completed = new Prompt(service).await(prompt, promptTimeout);
      if (completed == null || completed.dismissed) {
        throw new StoreException(LOCKED);
      }
    }
  }

  private ObjectPath session() throws StoreException {
    encryption();
    return service.getSession().getPath();
  }

  private TransportEncryption encryption() throws StoreException {
    if (encryption == null) {
      try {
        TransportEncryption te = new TransportEncryption(service);
        te.initialize();
        if (!te.openSession()) {
          throw new StoreException("the Secret Service refused to open a session");
        }
        te.generateSessionKey();
        encryption = te;
      } catch (StoreException e) {
        throw e;
      } catch (Exception e) {
        throw new StoreException(
            "cannot open an encrypted Secret Service session ("
                + e.getClass().getSimpleName()
                + ")");
      }
    }
    return encryption;
  }

  private Secret encrypt(String secret) throws StoreException {
    try {
      return encryption().encrypt(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw new StoreException(
          "cannot encrypt for the Secret Service (" + e.getClass().getSimpleName() + ")");
    }
  }

  private char[] decrypt(Secret secret) throws StoreException {
    try {
      return encryption().decrypt(secret);
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw new StoreException(
          "cannot decrypt the Secret Service answer (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The library unboxes a null property answer into an NPE; read it defensively. */
  private static Boolean locked(Collection collection) {
    try {
      return collection.isLocked();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean isRoot(ObjectPath path) {
    return "/".equals(path.getPath());
  }

  @Override
  public void close() {
    connection.disconnect();
  }
}
