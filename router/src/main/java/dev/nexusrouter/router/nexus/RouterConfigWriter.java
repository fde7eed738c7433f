package dev.nexusrouter.router.nexus;

import dev.nexusrouter.router.nexus.Layout.Repository;
import dev.nexusrouter.router.nexus.Layout.Type;
import java.util.List;

/**
 * The router configuration that matches a layout: the group's connector for pulls, the hosted
 * repository's for pushes, the Nexus UI on 8081. Repositories without a connector port are reached
 * in path mode ({@code http://nexus:8081/repository/<name>}).
 */
final class RouterConfigWriter {

  /**
   * @param routerHost the registry name clients use ({@code docker pull routerHost/...})
   * @param uiHost the name of the Nexus UI site, or null to derive it from routerHost
   * @param nexusHost where the router reaches Nexus
   * @param listenAddress and listenPort: the router's own plain-HTTP listener
   * @param group and hosted: repository names, or null to pick the layout's only one
   */
  record Options(
      String routerHost,
      String uiHost,
      String nexusHost,
      String listenAddress,
      int listenPort,
      String group,
      String hosted) {}

  private RouterConfigWriter() {}

  static String write(Layout layout, Options o, String source) {
    Repository group = pick(layout, Type.GROUP, o.group(), "--group");
    Repository hosted = pick(layout, Type.HOSTED, o.hosted(), "--hosted");
    String uiHost = o.uiHost() != null ? o.uiHost() : deriveUiHost(o.routerHost());
    String nexus = hostForUrl(o.nexusHost());
    StringBuilder y = new StringBuilder();
    y.append("# nexus-router configuration generated from ").append(source).append('\n');
    y.append("# by `nexus-router nexus router-config`; check it with `nexus-router check FILE`.\n");
    y.append("listeners:\n");
    y.append("  - name: main\n");
    y.append("    address: \"").append(o.listenAddress()).append("\"\n");
    y.append("    port: ").append(o.listenPort()).append('\n');
    y.append("upstreams:\n");
    upstream(y, "group", group, nexus);
    upstream(y, "hosted", hosted, nexus);
    y.append("  ui:\n");
    y.append("    servers: [\"http://")
        .append(nexus)
        .append(':')
        .append(LayoutLoader.NEXUS_HTTP_PORT)
        .append("\"]\n");
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

  private static void upstream(StringBuilder y, String name, Repository r, String nexus) {
    y.append("  ").append(name).append(":\n");
    y.append("    # ").append(r.describe()).append('\n');
    y.append("    servers: [\"").append(url(r, nexus)).append("\"]\n");
  }

  /** Where the router reaches a repository: its HTTP connector, HTTPS connector, or path mode. */
  static String url(Repository r, String nexus) {
    if (r.docker().httpPort() != null) {
      return "http://" + nexus + ":" + r.docker().httpPort();
    }
    if (r.docker().httpsPort() != null) {
      return "https://" + nexus + ":" + r.docker().httpsPort();
    }
    return "http://" + nexus + ":" + LayoutLoader.NEXUS_HTTP_PORT + "/repository/" + r.name();
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

  private static String hostForUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
