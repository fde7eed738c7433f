package dev.nexusrouter.router.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A Nexus connector (or path-addressed repository) the router forwards to.
 *
 * @param servers one or more base URLs; a path such as {@code /repository/hub-group} selects Nexus
 *     path mode (the prefix is added on the way in and removed from Location/realm on the way out)
 * @param aliases other authorities ({@code host:port}) under which the upstream may name itself in
 *     Location or realm headers; rewritten to the client-facing address like the server URLs
 * @param readTimeout wait between two reads from the upstream, counted after the request body was
 *     sent (nginx proxy_read_timeout)
 * @param writeTimeout upstream not accepting request body bytes (nginx proxy_send_timeout)
 * @param maxRequestTime hard cap on one exchange, uploads included
 * @param connectionsPerThread keep-alive pool size per I/O thread
 * @param idleTimeout how long an idle pooled connection is kept (keep it below Nexus's Jetty idle
 *     timeout, 30 s by default)
 * @param role decided once by the loader: an upstream any registry host (its group, hosted, v1 or a
 *     route row) sends to is a registry upstream; the others serve only UI hosts
 */
public record UpstreamConfig(
    String name,
    List<URI> servers,
    List<String> aliases,
    Duration connectTimeout,
    Duration readTimeout,
    Duration writeTimeout,
    Duration maxRequestTime,
    int connectionsPerThread,
    int maxQueue,
    Duration idleTimeout,
    Role role) {

  /** What an upstream serves, which decides its default timeouts and its readiness check. */
  public enum Role {
    REGISTRY,
    UI
  }

  public UpstreamConfig {
    servers = List.copyOf(servers);
    aliases = List.copyOf(aliases);
  }

  /** The path-mode prefix (e.g. {@code /repository/hub-group}) or "" for a port connector. */
  public String pathPrefix() {
    String p = servers.isEmpty() ? null : servers.get(0).getRawPath();
    if (p == null || p.isEmpty() || p.equals("/")) {
      return "";
    }
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** The Nexus repository name of a path-mode upstream, or null. */
  public String repository() {
    String p = pathPrefix();
    return p.startsWith("/repository/") ? p.substring("/repository/".length()) : null;
  }
}
