package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.StoreException;

/**
 * The backend cannot be used on this machine at all (no bus, no service, no login keyring, wrong
 * OS), as opposed to a usable backend failing now (locked keyring). Automatic selection falls back
 * to the file store only on this kind.
 */
public final class BackendUnavailableException extends StoreException {
  public BackendUnavailableException(String message) {
    super(message);
  }
}
