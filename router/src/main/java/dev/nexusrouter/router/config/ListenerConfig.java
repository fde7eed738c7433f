package dev.nexusrouter.router.config;

import java.nio.file.Path;

/**
 * One socket the router accepts connections on.
 *
 * @param port 0 picks a free port (for tests)
 * @param tls null for plain HTTP
 */
public record ListenerConfig(String name, String address, int port, Tls tls) {
  /** PEM certificate chain bundle and private key, as nginx's ssl_certificate(_key). */
  public record Tls(Path certFile, Path keyFile) {}

  public String scheme() {
    return tls == null ? "http" : "https";
  }
}
