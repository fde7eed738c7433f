package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.dbus.BusConnection;
import dev.nexusrouter.credential.dbus.RemoteError;
import dev.nexusrouter.credential.dbus.Variant;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Secret Service read calls (search, attributes, secret, default collection) over the helper's
 * own minimal D-Bus client, so that {@code get} and {@code list} never start dbus-java. Secrets
 * travel in a {@code dh-ietf1024-sha256-aes128-cbc-pkcs7} session ({@link DhSession}), as with
 * libsecret: a {@code plain} session would show them to anything that monitors the bus.
 */
final class SecretServiceBus implements Closeable {
  static final String SERVICE = "org.freedesktop.secrets";
  private static final String SERVICE_PATH = "/org/freedesktop/secrets";
  private static final String SERVICE_IFACE = "org.freedesktop.Secret.Service";
  private static final String ITEM_IFACE = "org.freedesktop.Secret.Item";
  private static final String COLLECTION_IFACE = "org.freedesktop.Secret.Collection";
  private static final String PROPERTIES = "org.freedesktop.DBus.Properties";
  private static final String DBUS = "org.freedesktop.DBus";
  private static final String DBUS_PATH = "/org/freedesktop/DBus";

  /** Search results: what can be read now, and what needs an unlock first. */
  record Found(List<String> unlocked, List<String> locked) {
    boolean isEmpty() {
      return unlocked.isEmpty() && locked.isEmpty();
    }
  }

  private final BusConnection bus;

  /** Calls sent with the connection check, awaited when first needed (pipelining). */
  private long aliasCall;

  private long collectionsCall;
  private long sessionCall;
  private String session;
  private DhSession crypto;

  private SecretServiceBus(BusConnection bus) {
    this.bus = bus;
  }

  /**
   * Connects to the session bus at a {@code unix:path=} address and checks that a Secret Service
   * runs there or can be activated.
   */
  static SecretServiceBus connect(String address) throws StoreException {
    BusConnection bus;
    try {
      bus = BusConnection.open(socketPath(address));
    } catch (IOException e) {
      throw new BackendUnavailableException(
          "cannot connect to the D-Bus session bus at "
              + address
              + " ("
              + e.getMessage()
              + "); check that the bus is running, or set DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    }
    SecretServiceBus service = new SecretServiceBus(bus);
    try {
      service.requireService();
      return service;
    } catch (StoreException | RuntimeException e) {
      service.close();
      throw e;
    }
  }

  /** The socket of a {@code unix:path=...[,guid=...]} address, with D-Bus %-escapes decoded. */
  static Path socketPath(String address) throws StoreException {
    for (String part : address.substring(address.indexOf(':') + 1).split(",")) {
      if (part.startsWith("path=")) {
        try {
          return Path.of(unescape(part.substring(5)));
        } catch (IllegalArgumentException e) { // a bad %xx escape or an invalid path
          throw new BackendUnavailableException(
              "the D-Bus address " + address + " has an invalid socket path");
        }
      }
    }
    throw new BackendUnavailableException("the D-Bus address " + address + " names no socket path");
  }

  private static String unescape(String value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        out.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Checks the service is there, with the default-collection check already on its way: one round
   * trip instead of three; a Secret Service that is missing answers it with an error nobody reads.
   * The encrypted session is opened only by calls that move a secret ({@link #session}): {@code
   * list} never pays for the key agreement, on either side of the bus.
   */
  private void requireService() throws StoreException {
    try {
      long owner = bus.send(DBUS, DBUS_PATH, DBUS, "NameHasOwner", "s", SERVICE);
      aliasCall = bus.send(SERVICE, SERVICE_PATH, SERVICE_IFACE, "ReadAlias", "s", "default");
      collectionsCall =
          bus.send(SERVICE, SERVICE_PATH, PROPERTIES, "Get", "ss", SERVICE_IFACE, "Collections");
      if (Boolean.TRUE.equals(bus.await(owner).get(0))) {
        return;
      }
      List<?> activatable =
          (List<?>) bus.call(DBUS, DBUS_PATH, DBUS, "ListActivatableNames", "").get(0);
      if (activatable.contains(SERVICE)) {
        return;
      }
    } catch (BusConnection.AuthenticationRefused e) {
      throw new BackendUnavailableException(
          "cannot connect to the D-Bus session bus ("
              + e.getMessage()
              + "); check that the bus is running, or set DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    } catch (IOException | RuntimeException e) {
      throw new BackendUnavailableException(SecretServiceStore.NO_SERVICE);
    }
    throw new BackendUnavailableException(SecretServiceStore.NO_SERVICE);
  }

  /** The default (login) collection's path; fails when there is none to write to. */
  String defaultCollection() throws StoreException {
    long alias =
        aliasCall > 0 ? aliasCall : send(SERVICE_PATH, SERVICE_IFACE, "ReadAlias", "s", "default");
    long all =
        collectionsCall > 0
            ? collectionsCall
            : send(SERVICE_PATH, PROPERTIES, "Get", "ss", SERVICE_IFACE, "Collections");
    aliasCall = 0;
    collectionsCall = 0;
    String path;
    List<?> collections;
    try {
      path = (String) await(alias, "ReadAlias").get(0);
      collections = (List<?>) ((Variant) await(all, "Get").get(0)).value();
    } catch (StoreException | RuntimeException e) {
      // No usable default collection (e.g. an activatable service that fails to start): in auto
      // mode that means the file store, as when the alias is missing.
      throw new BackendUnavailableException(SecretServiceStore.NO_LOGIN_COLLECTION);
    }
    // gnome-keyring started by D-Bus activation aliases "default" to a login collection that
    // does not exist yet, so check the path is really there.
    if ("/".equals(path) || !collections.contains(path)) {
      throw new BackendUnavailableException(SecretServiceStore.NO_LOGIN_COLLECTION);
    }
    return path;
  }

  Found search(Map<String, String> attributes) throws StoreException {
    return awaitSearch(sendSearch(attributes));
  }

  /** Sends SearchItems without waiting; {@link #awaitSearch} reads the answer. */
  long sendSearch(Map<String, String> attributes) throws StoreException {
    return send(SERVICE_PATH, SERVICE_IFACE, "SearchItems", "a{ss}", attributes);
  }

  @SuppressWarnings("unchecked")
  Found awaitSearch(long call) throws StoreException {
    List<Object> reply = await(call, "SearchItems");
    return new Found((List<String>) reply.get(0), (List<String>) reply.get(1));
  }

  /**
   * Items' attributes, asked for all at once: readable while the collection is locked. An item the
   * service refuses (deleted since the search) is left out.
   */
  List<Map<String, String>> attributes(List<String> items) throws StoreException {
    List<Long> calls = new ArrayList<>();
    for (String item : items) {
      calls.add(send(item, PROPERTIES, "Get", "ss", ITEM_IFACE, "Attributes"));
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (long call : calls) {
      try {
        out.add(BusConnection.stringMap(((Variant) bus.await(call).get(0)).value()));
      } catch (RemoteError e) {
        continue; // this item only; the connection is fine
      } catch (IOException | RuntimeException e) {
        throw new StoreException(
            "the Secret Service did not answer Get (" + e.getMessage() + "); " + RESTART);
      }
    }
    return out;
  }

  /**
   * An unlocked item: its attributes and secret, in one round trip. The caller clears the secret.
   */
  Entry read(String item) throws StoreException {
    String encrypted = session();
    long attributes = send(item, PROPERTIES, "Get", "ss", ITEM_IFACE, "Attributes");
    long secret = send(item, ITEM_IFACE, "GetSecret", "o", encrypted);
    Map<String, String> attrs;
    try {
      attrs = BusConnection.stringMap(((Variant) await(attributes, "Get").get(0)).value());
    } catch (StoreException | RuntimeException e) {
      bus.discard(secret); // its reply holds the secret: read and clear it, never keep it
      throw e;
    }
    List<?> value = (List<?>) await(secret, "GetSecret").get(0);
    byte[] iv = (byte[]) value.get(1);
    byte[] cipher = (byte[]) value.get(2);
    try {
      return new Entry(attrs, crypto.decrypt(iv, cipher));
    } catch (IOException e) {
      throw new StoreException(
          "the Secret Service's answer to GetSecret did not decrypt; " + RESTART);
    } finally {
      java.util.Arrays.fill(cipher, (byte) 0);
    }
  }

  /** An item's attributes and secret bytes. */
  record Entry(Map<String, String> attributes, byte[] secret) {}

  private long sendOpenSession() throws IOException {
    return bus.send(
        SERVICE,
        SERVICE_PATH,
        SERVICE_IFACE,
        "OpenSession",
        "sv",
        DhSession.ALGORITHM,
        new Variant("ay", crypto.publicKey()));
  }

  /** Sends OpenSession for the encrypted session without waiting; {@link #session} reads it. */
  void prepareSession() throws StoreException {
    if (session != null || sessionCall != 0) {
      return;
    }
    try {
      if (crypto != null) {
        crypto.clear();
      }
      crypto = DhSession.create();
      sessionCall = sendOpenSession();
    } catch (IOException | RuntimeException e) {
      throw new StoreException(
          "the Secret Service did not answer OpenSession (" + e.getMessage() + "); " + RESTART);
    }
  }

  /**
   * The encrypted session, its key agreed on first use. A shared value that starts with a zero byte
   * is ambiguous between implementations (see DhSession#agree): that session is dropped for a new
   * one, which 255 times in 256 needs no second try.
   */
  private String session() throws StoreException {
    for (int attempt = 0; session == null && attempt < 8; attempt++) {
      prepareSession();
      long call = sessionCall;
      sessionCall = 0;
      List<Object> reply = await(call, "OpenSession");
      try {
        if (crypto.agree((byte[]) ((Variant) reply.get(0)).value())) {
          session = (String) reply.get(1);
        }
      } catch (IOException | RuntimeException e) {
        throw new StoreException(
            "the Secret Service did not agree on an encrypted session ("
                + e.getMessage()
                + "); "
                + RESTART);
      }
    }
    if (session == null) {
      throw new StoreException(
          "the Secret Service did not agree on an encrypted session; " + RESTART);
    }
    return session;
  }

  /**
   * CreateItem(replace=true) in {@code collection}, the secret encrypted in the session; returns
   * the item's path, or null when the service needs a prompt first (a locked collection): the
   * caller then takes the prompting path.
   */
  String create(String collection, Map<String, String> attributes, String label, byte[] secret)
      throws StoreException {
    String encrypted = session();
    byte[][] sealed;
    try {
      sealed = crypto.encrypt(secret);
    } catch (IOException e) {
      throw new StoreException("cannot encrypt for the Secret Service; " + RESTART);
    }
    Map<String, Variant> properties = new LinkedHashMap<>();
    properties.put(ITEM_IFACE + ".Label", new Variant("s", label));
    properties.put(ITEM_IFACE + ".Attributes", new Variant("a{ss}", attributes));
    List<Object> reply;
    try {
      long call =
          bus.send(
              SERVICE,
              collection,
              COLLECTION_IFACE,
              "CreateItem",
              "a{sv}(oayays)b",
              properties,
              List.of(encrypted, sealed[0], sealed[1], "text/plain"),
              true);
      java.util.Arrays.fill(sealed[1], (byte) 0);
      reply = bus.await(call);
    } catch (RemoteError e) {
      if (e.name().equals("org.freedesktop.Secret.Error.IsLocked")) {
        return null;
      }
      throw new StoreException(
          "the Secret Service refused CreateItem (" + e.name() + "); " + RESTART);
    } catch (IOException | RuntimeException e) {
      throw new StoreException(
          "the Secret Service did not answer CreateItem (" + e.getMessage() + "); " + RESTART);
    }
    String item = (String) reply.get(0);
    return "/".equals(item) ? null : item;
  }

  /** Item.Delete without a prompt; false when the service wants one (the caller prompts). */
  boolean delete(String item) throws StoreException {
    try {
      return "/".equals(bus.call(SERVICE, item, ITEM_IFACE, "Delete", "").get(0));
    } catch (RemoteError e) {
      if (e.name().equals("org.freedesktop.Secret.Error.IsLocked")) {
        return false;
      }
      if (e.name().equals("org.freedesktop.Secret.Error.NoSuchObject")
          || e.name().equals("org.freedesktop.DBus.Error.UnknownObject")) {
        return true; // deleted meanwhile by another process
      }
      throw new StoreException("the Secret Service refused Delete (" + e.name() + "); " + RESTART);
    } catch (IOException | RuntimeException e) {
      throw new StoreException(
          "the Secret Service did not answer Delete (" + e.getMessage() + "); " + RESTART);
    }
  }

  private List<Object> call(String path, String iface, String member, String sig, Object... args)
      throws StoreException {
    return await(send(path, iface, member, sig, args), member);
  }

  private long send(String path, String iface, String member, String sig, Object... args)
      throws StoreException {
    try {
      return bus.send(SERVICE, path, iface, member, sig, args);
    } catch (IOException | RuntimeException e) {
      throw new StoreException(
          "the Secret Service did not answer " + member + " (" + e.getMessage() + "); " + RESTART);
    }
  }

  private List<Object> await(long call, String member) throws StoreException {
    try {
      return bus.await(call);
    } catch (RemoteError e) {
      if (e.name().equals("org.freedesktop.Secret.Error.IsLocked")) {
        throw new StoreException(SecretServiceStore.LOCKED);
      }
      throw new StoreException(
          "the Secret Service refused " + member + " (" + e.name() + "); " + RESTART);
    } catch (IOException | RuntimeException e) {
      throw new StoreException(
          "the Secret Service did not answer " + member + " (" + e.getMessage() + "); " + RESTART);
    }
  }

  private static final String RESTART =
      "restart it (gnome-keyring-daemon) or set DOCKER_CREDENTIAL_JAVA_BACKEND=file";

  @Override
  public void close() {
    if (crypto != null) {
      crypto.clear();
    }
    try {
      bus.close();
    } catch (IOException ignored) {
      // Closing a Unix socket we own; nothing to report.
    }
  }
}
