package dev.nexusrouter.credential.store;

import com.github.javakeyring.KeyringStorageType;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real backends. Each one is only class-loaded when opened, so {@code version} and the file
 * store never load D-Bus, JNA or java-keyring.
 */
public final class SystemBackends implements Backends {
  private final Settings settings;
  private final Map<String, String> env;
  private final String osName;

  public SystemBackends(Settings settings, Map<String, String> env, String osName) {
    this.settings = settings;
    this.env = env;
    this.osName = osName;
  }

  @Override
  public CredentialStore secretService() throws StoreException {
    if (Settings.isWindows(osName) || Settings.isMac(osName)) {
      throw new BackendUnavailableException("the Secret Service is a Linux/BSD desktop service");
    }
    String address = SessionBus.address(env, Files::exists);
    SecretServiceStore store = null;
    try {
      store =
          SecretServiceStore.connect(
              address,
              settings.promptTimeout(),
              settings.file().resolveSibling("secretservice.lock"),
              settings.keyringMarker());
      store.requireLoginCollection();
      return store;
    } catch (BackendUnavailableException e) {
      if (store != null) {
        store.close();
      }
      // Every reason names the bus it was about, so a stale or foreign address is visible.
      throw e.getMessage().contains(address)
          ? e
          : new BackendUnavailableException(
              e.getMessage() + " (D-Bus session bus " + address + ")");
    }
  }

  @Override
  public String keyringClaim() {
    Path marker = settings.keyringMarker();
    return Files.exists(marker) ? marker.toString() : null;
  }

  @Override
  public boolean fileStoreExists() {
    return Files.exists(settings.file());
  }

  @Override
  public CredentialStore macKeychain() throws StoreException {
    if (!Settings.isMac(osName)) {
      throw new BackendUnavailableException("the macOS Keychain exists only on macOS");
    }
    return new KeychainStore(
        JavaKeyringVault.open(KeyringStorageType.OSX_KEYCHAIN),
        settings.file().resolveSibling("keychain.lock"));
  }

  @Override
  public CredentialStore windowsCredentials() throws StoreException {
    if (!Settings.isWindows(osName)) {
      throw new BackendUnavailableException("Windows Credential Manager exists only on Windows");
    }
    return new KeychainStore(
        JavaKeyringVault.open(KeyringStorageType.WINDOWS_CREDENTIAL_STORE),
        settings.file().resolveSibling("wincred.lock"));
  }

  @Override
  public CredentialStore file() throws StoreException {
    return new FileStore(settings.file(), settings.keyFile(), settings.passphrase(env));
  }
}
