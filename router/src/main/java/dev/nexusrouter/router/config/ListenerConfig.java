package dev.nexusrouter.router.config;

import java.nio.file.Path;

/**
 * One socket the router accepts connections on.
 *
 * @param port 0 picks a free port (for tests)
 * @param tls null for plain HTTP
 */
public record ListenerConfig(String name, String address, int port, Tls tls) {
  /**
   * PEM certificate chain bundle and private key, as nginx's ssl_certificate(_key). Both null: the
   * router's embedded CA issues a certificate in the data directory.
   *
   * @param passphraseFile file holding the passphrase of an encrypted key, or null
   * @param passphraseEnv environment variable holding it, or null
   */
  public record Tls(Path certFile, Path keyFile, Path passphraseFile, String passphraseEnv) {
    public boolean embedded() {
      return certFile == null && keyFile == null;
    }
  }

  public String scheme() {
    return tls == null ? "http" : "https";
  }
}
