package dev.nexusrouter.credential.protocol;

/**
 * One login as the credential-helper protocol carries it. {@code username} is {@code <token>} when
 * {@code secret} is an identity token (docker/cli {@code native_store.go}); it is kept verbatim.
 */
public record Credentials(String serverUrl, String username, String secret) {

  /** The secret never reaches a log, an exception message or a debugger's summary line. */
  @Override
  public String toString() {
    return "Credentials[serverUrl="
        + serverUrl
        + ", username="
        + username
        + ", secret="
        + (secret == null ? "null" : "<redacted>")
        + "]";
  }

  /** The same login under another key, e.g. the key the client asked for. */
  public Credentials withServerUrl(String key) {
    return new Credentials(key, username, secret);
  }
}
