package dev.nexusrouter.router.nexus;

/**
 * A failure talking to Nexus, with a one-line message meant for the user. Messages never contain
 * credentials: request bodies are not echoed, and only Nexus's own error text is quoted.
 */
final class NexusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NexusException(String message) {
    super(message, null, false, false);
  }
}
