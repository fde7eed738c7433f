package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.StoreException;

/** Opens each backend; the seam {@link BackendSelector} is tested through. */
public interface Backends {
  CredentialStore secretService() throws StoreException;

  CredentialStore macKeychain() throws StoreException;

  CredentialStore windowsCredentials() throws StoreException;

  CredentialStore file() throws StoreException;
}
