package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.StoreException;

/** Opens each backend; the seam {@link BackendSelector} is tested through. */
public interface Backends {
  CredentialStore secretService() throws StoreException;

  CredentialStore macKeychain() throws StoreException;

  CredentialStore windowsCredentials() throws StoreException;

  CredentialStore file() throws StoreException;

  /**
   * Where the marker lives that says this account has used the platform keyring, or null when it
   * never did: then {@code auto} may fall back to the file store.
   */
  String keyringClaim();

  /**
   * Whether the encrypted file store exists (a stat, no key derivation): then {@code auto} mode
   * keeps its logins visible behind the keyring ({@link KeyringOverFile}).
   */
  boolean fileStoreExists();
}
