package dev.nexusrouter.credential.protocol;

/**
 * A backend failure with a one-line, actionable message for the user. Messages never contain a
 * secret; causes are kept for {@code doctor --verbose} only and never printed by the protocol.
 */
public class StoreException extends Exception {

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
