package dev.nexusrouter.router.nexus;

import dev.nexusrouter.router.nexus.Layout.Repository;
import dev.nexusrouter.router.nexus.Layout.Type;
import java.net.URI;
import java.util.List;

/**
 * The router configuration that matches a layout: the group's connector for pulls, the hosted
 * repository's for pushes, the Nexus UI at the Nexus base URL. Connectors are reached on the base
 * URL's host; repositories without a connector port are reached in path mode ({@code
 * <base>/repository/<name>}).
 */
final class RouterConfigWriter {

  /**
   * @param routerHost the registry name clients use ({@code docker pull routerHost/...})
   * @param uiHost the name of the Nexus UI site, or null to derive it from routerHost
   * @param nexus the Nexus base URL as the router reaches it (scheme, host and port; no path)
   * @param listenAddress and listenPort: the router's own plain-HTTP listener
   * @param group and hosted: repository names, or null to pick the layout's only one
   */
  record Options(
      String routerHost,
      String uiHost,
      URI nexus,
      String listenAddress,
      int listenPort,
      String group,
      String hosted) {}

  private RouterConfigWriter() {}

  static String write(Layout layout, Options o, String source) {
    Repository group = pick(layout, Type.GROUP, o.group(), "--group");
    Repository hosted = pick(layout, Type.HOSTED, o.hosted(), "--hosted");
    String uiHost = o.uiHost() != null ? o.uiHost() : deriveUiHost(o.routerHost());
    String host = o.nexus().getHost();
    String ui = base(o.nexus());
    StringBuilder y = new StringBuilder();
    y.append("# nexus-router configuration generated from ").append(source).append('\n');
    y.append("# by `nexus-router nexus router-config`; check it with `nexus-router check FILE`.\n");
    y.append("listeners:\n");
    y.append("  - name: main\n");
    y.append("    address: \"").append(o.listenAddress()).append("\"\n");
    y.append("    port: ").append(o.listenPort()).append('\n');
    y.append("upstreams:\n");
    upstream(y, "group", group, host, ui);
    upstream(y, "hosted", hosted, host, ui);
    y.append("  ui:\n");
    y.append("    servers: [\"").append(ui).append("\"]\n");
    y.append("hosts:\n");
    y.append("  - server-names: [\"").append(o.routerHost()).append("\"]\n");
    y.append("    default: true\n");
    y.append("    kind: registry\n");
    y.append("    group: group\n");
    y.append("    hosted: hosted\n");
    y.append("  - server-names: [\"").append(uiHost).append("\"]\n");
    y.append("    kind: ui\n");
    y.append("    upstream: ui\n");
    return y.toString();
  }

  private static void upstream(
      StringBuilder y, String name, Repository r, String host, String base) {
    y.append("  ").append(name).append(":\n");
    y.append("    # ").append(r.describe()).append('\n');
    y.append("    servers: [\"").append(url(r, host, base)).append("\"]\n");
  }

  /**
   * Where the router reaches a repository: its HTTP connector, HTTPS connector (both on the Nexus
   * host), or path mode under the base URL.
   */
  static String url(Repository r, String host, String base) {
    if (r.docker().httpPort() != null) {
      return "http://" + host + ":" + r.docker().httpPort();
    }
    if (r.docker().httpsPort() != null) {
      return "https://" + host + ":" + r.docker().httpsPort();
    }
    return base + "/repository/" + r.name();
  }

  /** {@code scheme://host:port} of a base URL, the port always written out. */
  static String base(URI nexus) {
    int port = nexus.getPort();
    if (port < 0) {
      port = "https".equals(nexus.getScheme()) ? 443 : 80;
    }
    return nexus.getScheme() + "://" + nexus.getHost() + ":" + port;
  }

  private static Repository pick(Layout layout, Type type, String name, String option) {
    List<Repository> all = layout.ofType(type);
    if (name != null) {
      return all.stream()
          .filter(r -> r.name().equals(name))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "the layout has no docker "
                          + type.wireName()
                          + " '"
                          + name
                          + "'"
                          + names(all)));
    }
    if (all.size() != 1) {
      throw new IllegalArgumentException(
          "the layout has "
              + all.size()
              + " docker "
              + type.wireName()
              + " repositories; choose one with "
              + option
              + names(all));
    }
    return all.get(0);
  }

  private static String names(List<Repository> all) {
    return all.isEmpty()
        ? ""
        : " (" + String.join(", ", all.stream().map(Repository::name).toList()) + ")";
  }

  /** registry.example.com -> nexus.example.com, as in the seed; otherwise nexus.<host>. */
  static String deriveUiHost(String routerHost) {
    if (routerHost.startsWith("registry.")) {
      return "nexus." + routerHost.substring("registry.".length());
    }
    return "nexus." + routerHost;
  }
}
