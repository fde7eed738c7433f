package dev.nexusrouter.credential.protocol;

/**
 * Texts clients compare byte for byte after trimming ({@code credentials/error.go}); docker CLI,
 * containers/image, Jib and Spring Boot all match them on stdout.
 */
public final class ProtocolMessages {
  public static final String NOT_FOUND = "credentials not found in native keychain";
  public static final String MISSING_SERVER_URL = "no credentials server URL";
  public static final String MISSING_USERNAME = "no credentials username";
  public static final String HELPER_NAME = "docker-credential-java";
  public static final String USAGE = "Usage: " + HELPER_NAME + " <store|get|erase|list|version>";

  private ProtocolMessages() {}

  /** stdin could not be read (closed, or open for writing only); the request never arrived. */
  public static final String STDIN_UNREADABLE =
      HELPER_NAME + ": cannot read the request from stdin (it is closed or not readable)";
}
