package dev.nexusrouter.router.config;

import dev.nexusrouter.router.route.RouteTable;
import dev.nexusrouter.router.route.Target;
import java.nio.file.Path;
import java.util.List;

/**
 * A server block: the names it answers to and what it does.
 *
 * @param serverNames exact names or {@code *.example.com} wildcards, matched against the Host
 *     header without its port
 * @param isDefault takes requests whose Host matches no other host
 * @param kind registry routing or the Nexus UI
 * @param group registry hosts: upstream for pulls (docker(group))
 * @param hosted registry hosts: upstream for pushes (docker(hosted))
 * @param v1 registry hosts: upstream for {@code /v1/search} and {@code /v1/_ping}
 * @param upstream UI hosts: the Nexus UI upstream
 * @param downloadDir served at {@code /download/} (the seed's nginx static folder), or null
 * @param maxBodySize largest request body in bytes, 0 = no limit
 * @param routes the effective table: user rows first, then (unless disabled) the defaults
 * @param serveCa answer {@code /download/ca.crt} with the router's CA certificate
 * @param httpsRedirectPort plain-HTTP requests get a 301 to HTTPS on this port (0 = off)
 * @param accessLog this host's own access log (nginx's per-server access_log), or null: its
 *     requests go to the top-level log
 */
public record VirtualHostConfig(
    List<String> serverNames,
    boolean isDefault,
    Kind kind,
    String group,
    String hosted,
    String v1,
    String upstream,
    Path downloadDir,
    long maxBodySize,
    RouteTable routes,
    boolean serveCa,
    int httpsRedirectPort,
    RouterConfig.AccessLog accessLog)
    implements Target.Roles {

  /** What a host does with its requests. */
  public enum Kind {
    REGISTRY,
    UI
  }

  public VirtualHostConfig {
    serverNames = List.copyOf(serverNames);
  }
}
