package dev.nexusrouter.router.config;

import dev.nexusrouter.router.tls.TlsEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole, validated router configuration.
 *
 * @param dataDir where the embedded CA and its certificates live
 * @param caFile the CA certificate served at {@code /download/ca.crt}; null = the embedded CA's
 *     when a listener uses it, else none
 * @param http2 offer h2 by ALPN on TLS listeners (off by default: Undertow caps HTTP/2 uploads at
 *     one 64 KiB window per round trip and Go clients negotiate h2; see
 *     docs/undertow-notes.md#http2-uploads)
 * @param maxHeaderSize largest request head (request line and all headers) in bytes; larger ones
 *     get 431 with registry JSON (0 = only Undertow's parser limit applies)
 * @param tlsEngine OpenSSL or the JDK for the TLS listeners (docs/tls.md#tls-engine)
 */
public record RouterConfig(
    List<ListenerConfig> listeners,
    List<VirtualHostConfig> hosts,
    Map<String, UpstreamConfig> upstreams,
    AccessLog accessLog,
    ClientTimeouts client,
    boolean http2,
    Admin admin,
    Duration shutdownTimeout,
    java.nio.file.Path dataDir,
    java.nio.file.Path caFile,
    long maxHeaderSize,
    TlsEngine.Setting tlsEngine) {
  public RouterConfig {
    listeners = List.copyOf(listeners);
    hosts = List.copyOf(hosts);
    upstreams = Map.copyOf(upstreams);
  }

  /**
   * The admin listener: {@code /healthz}, {@code /readyz}, {@code /routes}, {@code /metrics}.
   *
   * @param port 0 picks a free port; the listener is off when {@code enabled} is false
   */
  public record Admin(boolean enabled, String address, int port) {}

  /**
   * Where and how requests are logged.
   *
   * @param path a file, {@code stdout}, or {@code off}
   * @param format {@code combined} (nginx's, plus route and upstream) or {@code json}
   * @param maxSize rotate the file when it grows past this many bytes (0 = never; the file is also
   *     reopened on SIGUSR1 for external rotation)
   * @param maxFiles rotated files kept ({@code path.1} … {@code path.N})
   * @param group a group that may read the log files (mode 0640, folder 0750), or null: 0600/0700
   */
  public record AccessLog(String path, String format, long maxSize, int maxFiles, String group) {}

  /**
   * Client-side timeouts, separate from the upstream ones so a stalled client cannot hold a
   * connection for the upstream's hour.
   *
   * @param idle keep-alive connection with no request in flight
   * @param header time to receive a request's headers
   * @param bodyRead gap between two reads of a request body (nginx client_body_timeout)
   * @param send gap between two writes the client does not accept (nginx send_timeout)
   * @param maxConnections open client connections per main listener; beyond it new connections wait
   *     in the kernel's accept queue (nginx worker_connections). Bounds what clients can make the
   *     router hold, see docs/operations-reliability.md
   */
  public record ClientTimeouts(
      Duration idle, Duration header, Duration bodyRead, Duration send, int maxConnections) {}
}
