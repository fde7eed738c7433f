package dev.nexusrouter.credential.store;

import com.github.javakeyring.BackendNotSupportedException;
import com.github.javakeyring.Keyring;
import com.github.javakeyring.KeyringStorageType;
import com.github.javakeyring.PasswordAccessException;
import dev.nexusrouter.credential.protocol.StoreException;
import java.util.Locale;
import java.util.Optional;

/**
 * macOS Keychain or Windows Credential Manager through java-keyring 1.0.4. Its errors are
 * exceptions with native codes in the message and, sometimes, unchecked; they are turned into
 * one-line messages here, never passed through.
 */
public final class JavaKeyringVault implements PasswordVault {
  /**
   * CRED_MAX_CREDENTIAL_BLOB_SIZE is 2560 bytes and java-keyring writes UTF-16LE, so 1280 chars;
   * keep a margin.
   */
  static final int WINDOWS_MAX_CHARS = 1200;

  private final Keyring keyring;
  private final KeyringStorageType type;

  private JavaKeyringVault(Keyring keyring, KeyringStorageType type) {
    this.keyring = keyring;
    this.type = type;
  }

  public static JavaKeyringVault open(KeyringStorageType type) throws StoreException {
    try {
      return new JavaKeyringVault(Keyring.create(type), type);
    } catch (BackendNotSupportedException | RuntimeException | LinkageError e) {
      throw new BackendUnavailableException(
          "the "
              + label(type)
              + " is not available on this machine ("
              + e.getClass().getSimpleName()
              + "); set DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    }
  }

  @Override
  public String name() {
    return type == KeyringStorageType.WINDOWS_CREDENTIAL_STORE ? "wincred" : "keychain";
  }

  @Override
  public Optional<String> get(String service, String account) throws StoreException {
    try {
      return Optional.ofNullable(keyring.getPassword(service, account));
    } catch (PasswordAccessException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw failure("read", e);
    } catch (RuntimeException e) {
      throw failure("read", e);
    }
  }

  @Override
  public void set(String service, String account, String password) throws StoreException {
    try {
      keyring.setPassword(service, account, password);
    } catch (PasswordAccessException | RuntimeException e) {
      throw failure("write", e);
    }
  }

  @Override
  public boolean delete(String service, String account) throws StoreException {
    try {
      keyring.deletePassword(service, account);
      return true;
    } catch (PasswordAccessException e) {
      if (isNotFound(e)) {
        return false;
      }
      throw failure("delete", e);
    } catch (RuntimeException e) {
      throw failure("delete", e);
    }
  }

  @Override
  public int maxValueChars() {
    return type == KeyringStorageType.WINDOWS_CREDENTIAL_STORE ? WINDOWS_MAX_CHARS : 1 << 20;
  }

  /** ERROR_NOT_FOUND (1168) on Windows, errSecItemNotFound (-25300) on macOS. */
  static boolean isNotFound(Exception e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return message.contains("1168")
        || message.contains("-25300")
        || message.contains("could not be found")
        || message.contains("not found");
  }

  private StoreException failure(String what, Exception e) {
    return new StoreException(
        "cannot "
            + what
            + " the "
            + label(type)
            + " ("
            + e.getClass().getSimpleName()
            + "); unlock it"
            + (type == KeyringStorageType.WINDOWS_CREDENTIAL_STORE
                ? ""
                : " with `security -v unlock-keychain ~/Library/Keychains/login.keychain-db`")
            + " or set DOCKER_CREDENTIAL_JAVA_BACKEND=file");
  }

  private static String label(KeyringStorageType type) {
    return type == KeyringStorageType.WINDOWS_CREDENTIAL_STORE
        ? "Windows Credential Manager"
        : "macOS Keychain";
  }
}
