package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.ObjectPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.secret.Collection;
import org.freedesktop.secret.Item;
import org.freedesktop.secret.Pair;
import org.freedesktop.secret.Prompt;
import org.freedesktop.secret.Secret;
import org.freedesktop.secret.Service;
import org.freedesktop.secret.TransportEncryption;
import org.freedesktop.secret.interfaces.Prompt.Completed;

/**
 * The Secret Service calls that change the keyring or show a prompt (create, delete, unlock),
 * through the secret-service library that java-keyring brings, with an encrypted (DH) transport
 * session for the secret. Opened only by {@code store}, {@code erase} and a {@code get} of a locked
 * item. The library reports D-Bus errors by returning null, so every answer is checked here.
 */
final class SecretServiceWrites implements Closeable {
  private final DBusConnection connection;
  private final Service service;
  private final Duration promptTimeout;
  private TransportEncryption encryption;

  private SecretServiceWrites(DBusConnection connection, Duration promptTimeout) {
    this.connection = connection;
    this.service = new Service(connection);
    this.promptTimeout = promptTimeout;
  }

  /** A zero {@code promptTimeout} means never show an unlock prompt. */
  static SecretServiceWrites connect(String address, Duration promptTimeout) throws StoreException {
    try {
      return new SecretServiceWrites(
          DBusConnectionBuilder.forAddress(address).withShared(false).build(), promptTimeout);
    } catch (DBusException | RuntimeException e) {
      throw new BackendUnavailableException(
          "cannot connect to the D-Bus session bus at "
              + address
              + " ("
              + e.getClass().getSimpleName()
              + "); check that the bus is running, or set DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    }
  }

  /** Creates (or replaces) the item in {@code collectionPath}; returns the new item's path. */
  String create(String collectionPath, Credentials credentials) throws StoreException {
    Collection collection = new Collection(new ObjectPath("", collectionPath), service);
    if (!Boolean.FALSE.equals(locked(collection))) {
      unlock(List.of(collectionPath));
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("xdg:schema", SecretServiceStore.SCHEMA);
    attributes.put("label", SecretServiceStore.DOCKER_LABEL);
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
              ? SecretServiceStore.LOCKED
              : "the Secret Service did not create the item for " + credentials.serverUrl());
    }
    return created.a.getPath();
  }

  /**
   * Asks the service to unlock, showing its prompt for at most {@code promptTimeout}. Never calls
   * lock(): secret-service's SimpleCollection does, and leaves the user's keyring locked.
   */
  void unlock(List<String> paths) throws StoreException {
    Pair<List<ObjectPath>, ObjectPath> result =
        service.unlock(paths.stream().map(p -> new ObjectPath("", p)).toList());
    if (result == null) {
      throw new StoreException(SecretServiceStore.LOCKED);
    }
    if (result.a != null && result.a.size() == paths.size()) {
      return;
    }
    awaitPrompt(result.b);
  }

  void delete(String itemPath) throws StoreException {
    ObjectPath prompt = new Item(new ObjectPath("", itemPath), service).delete();
    if (prompt == null) {
      throw new StoreException(
          "the Secret Service refused to delete an item; " + SecretServiceStore.LOCKED);
    }
    if (!isRoot(prompt)) {
      awaitPrompt(prompt);
    }
  }

  private void awaitPrompt(ObjectPath prompt) throws StoreException {
    if (prompt == null || isRoot(prompt) || promptTimeout.isZero()) {
      throw new StoreException(SecretServiceStore.LOCKED);
    }
    Completed completed = new Prompt(service).await(prompt, promptTimeout);
    if (completed == null || completed.dismissed) {
      throw new StoreException(SecretServiceStore.LOCKED);
    }
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
