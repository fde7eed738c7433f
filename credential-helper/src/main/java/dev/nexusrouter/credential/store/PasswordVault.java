package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.StoreException;
import java.util.Optional;

/**
 * The (service, account) → password API that java-keyring offers on every platform. It has no
 * enumeration and, on Windows, a 1280-character value limit; {@link KeychainStore} builds the
 * protocol on top of it, and tests use an in-memory fake.
 */
public interface PasswordVault {
  String name();

  Optional<String> get(String service, String account) throws StoreException;

  void set(String service, String account, String password) throws StoreException;

  /** Returns false when there was nothing to delete. */
  boolean delete(String service, String account) throws StoreException;

  /** The longest value one entry may hold, in UTF-16 chars. */
  int maxValueChars();
}
