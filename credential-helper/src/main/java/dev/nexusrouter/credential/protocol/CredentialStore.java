package dev.nexusrouter.credential.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * Where logins live. Keys are exact: normalisation is the protocol's job ({@link ServerUrls}), so
 * every backend stores what the client gave and answers only for that key.
 */
public interface CredentialStore {

  /** A short name for messages and {@code doctor}, e.g. {@code secretservice}. */
  String name();

  /** The login stored under exactly {@code serverUrl}. */
  Optional<Credentials> get(String serverUrl) throws StoreException;

  /** Stores or replaces the login for {@code credentials.serverUrl()} (any other username too). */
  void store(Credentials credentials) throws StoreException;

  /** Removes every login stored under exactly {@code serverUrl}; false when there was none. */
  boolean erase(String serverUrl) throws StoreException;

  /** Server URL to username for every Docker login, read without secrets where possible. */
  Map<String, String> list() throws StoreException;

  /**
   * Records that this account keeps its logins here, so that a later call that cannot reach this
   * store fails instead of quietly using another one. Only the platform keyrings record anything.
   */
  default void claim() throws StoreException {}

  /**
   * Releases connections. A D-Bus reader thread left blocked in a socket read makes the JVM's exit
   * wait up to 300 ms for "threads in native" (HotSpot VM_Exit), on every call from docker.
   */
  default void close() {}
}
