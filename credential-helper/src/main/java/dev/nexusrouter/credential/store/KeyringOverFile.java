package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.ServerUrls;
import dev.nexusrouter.credential.protocol.StoreException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code auto} mode's keyring when the encrypted file store also exists: logins stored there while
 * no keyring was reachable (or while {@code backend=file} was set) stay visible once the keyring is
 * back, instead of vanishing behind it (credential-helper/README.md, "Which backend, and never
 * two"). The keyring always wins: the file answers only for a server the keyring has no login for
 * under any equivalent key, {@code list} shows the file's logins the keyring does not shadow, a
 * {@code store} moves the server's login into the keyring (the file's copy is removed), and an
 * {@code erase} removes it from both, so {@code docker logout} really logs out.
 *
 * <p>A file store that cannot be read here (a passphrase given only to another environment, a
 * damaged file) is skipped: it could not serve a login anyway, and a pull must not fail because of
 * it. {@code doctor} reports it.
 */
final class KeyringOverFile implements CredentialStore {
  /** Opens the file store when first needed (its key derivation is not free). */
  @FunctionalInterface
  interface FileOpener {
    CredentialStore open() throws StoreException;
  }

  private final CredentialStore keyring;
  private final FileOpener fileOpener;
  private CredentialStore file;
  private boolean fileUnreadable;

  /** The keyring's list, read once per call (a get that misses asks for it twice). */
  private Map<String, String> keyringLogins;

  KeyringOverFile(CredentialStore keyring, FileOpener fileOpener) {
    this.keyring = keyring;
    this.fileOpener = fileOpener;
  }

  @Override
  public String name() {
    return keyring.name();
  }

  @Override
  public Optional<Credentials> get(String serverUrl) throws StoreException {
    Optional<Credentials> found = keyring.get(serverUrl);
    if (found.isPresent() || keyringServes(serverUrl)) {
      return found;
    }
    CredentialStore f = file();
    if (f == null) {
      return Optional.empty();
    }
    try {
      return f.get(serverUrl);
    } catch (StoreException e) {
      fileUnreadable = true;
      return Optional.empty();
    }
  }

  @Override
  public void store(Credentials credentials) throws StoreException {
    keyring.store(credentials);
    keyringLogins = null;
    eraseFromFile(credentials.serverUrl());
  }

  @Override
  public boolean erase(String serverUrl) throws StoreException {
    boolean erased = keyring.erase(serverUrl);
    keyringLogins = null;
    return eraseFromFile(serverUrl) || erased;
  }

  @Override
  public Map<String, String> list() throws StoreException {
    Map<String, String> fromKeyring = keyringLogins();
    Map<String, String> merged = new TreeMap<>();
    Map<String, String> fromFile = fileList();
    Set<String> shadowed = canonical(fromKeyring);
    for (Map.Entry<String, String> e : fromFile.entrySet()) {
      if (!shadowed.contains(ServerUrls.canonical(e.getKey()))) {
        merged.put(e.getKey(), e.getValue());
      }
    }
    merged.putAll(fromKeyring);
    return merged;
  }

  @Override
  public void claim() throws StoreException {
    keyring.claim();
  }

  @Override
  public void close() {
    keyring.close();
    if (file != null) {
      file.close();
    }
  }

  /** Whether the keyring holds a login under a key equivalent to {@code serverUrl}. */
  private boolean keyringServes(String serverUrl) throws StoreException {
    return canonical(keyringLogins()).contains(ServerUrls.canonical(serverUrl));
  }

  private Map<String, String> keyringLogins() throws StoreException {
    if (keyringLogins == null) {
      keyringLogins = keyring.list();
    }
    return keyringLogins;
  }

  private static Set<String> canonical(Map<String, String> logins) {
    Set<String> keys = new HashSet<>();
    for (String server : logins.keySet()) {
      keys.add(ServerUrls.canonical(server));
    }
    return keys;
  }

  private Map<String, String> fileList() {
    CredentialStore f = file();
    if (f == null) {
      return Map.of();
    }
    try {
      return f.list();
    } catch (StoreException e) {
      fileUnreadable = true;
      return Map.of();
    }
  }

  /** Removes the file's login for {@code serverUrl} under every equivalent key. */
  private boolean eraseFromFile(String serverUrl) {
    CredentialStore f = file();
    if (f == null) {
      return false;
    }
    String canonical = ServerUrls.canonical(serverUrl);
    boolean erased = false;
    try {
      for (String key : f.list().keySet()) {
        if (ServerUrls.canonical(key).equals(canonical)) {
          erased |= f.erase(key);
        }
      }
    } catch (StoreException e) {
      fileUnreadable = true;
    }
    return erased;
  }

  private CredentialStore file() {
    if (file == null && !fileUnreadable) {
      try {
        file = fileOpener.open();
      } catch (StoreException e) {
        fileUnreadable = true;
      }
    }
    return fileUnreadable ? null : file;
  }
}
