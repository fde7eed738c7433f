package dev.nexusrouter.router.config;

import dev.nexusrouter.router.route.RouteRow;

/**
 * The effective route table as text, one block per host (UI hosts included): what {@code
 * nexus-router routes} prints and the admin {@code /routes} page serves.
 */
public final class RoutesText {
  private RoutesText() {}

  public static String of(RouterConfig c) {
    StringBuilder sb = new StringBuilder();
    for (VirtualHostConfig h : c.hosts()) {
      sb.append("host ").append(String.join(", ", h.serverNames()));
      if (h.kind() == VirtualHostConfig.Kind.UI) {
        sb.append(" (ui -> ").append(h.upstream()).append(")\n");
        continue;
      }
      sb.append(" (group=").append(h.group()).append(", hosted=").append(h.hosted());
      sb.append(", v1=").append(h.v1()).append(")\n");
      for (RouteRow r : h.routes().rows()) {
        sb.append("  ").append(r.describe()).append('\n');
      }
    }
    return sb.toString();
  }
}
