package dev.nexusrouter.router.tls;

/** A certificate or key problem, with a message fit to show the user as is. */
public final class TlsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TlsException(String message) {
    super(message, null, false, false);
  }
}
