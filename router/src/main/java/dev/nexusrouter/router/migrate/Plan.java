package dev.nexusrouter.router.migrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The router configuration the importer builds, written out as YAML with a comment naming the nginx
 * line behind each part. Plain holders: the {@link Translator} fills them in one pass.
 */
final class Plan {
  static final class Listener {
    String name;
    String address;
    int port;
    String cert;
    String key;
    String from;
  }

  static final class Upstream {
    String name;
    List<String> servers = new ArrayList<>();
    String connect;
    String read;
    String write;
    String from;
  }

  static final class Host {
    List<String> names = new ArrayList<>();
    boolean isDefault;
    boolean registry;
    String group;
    String hosted;
    String v1;
    String upstream;
    String downloadDir;
    String maxBody;
    int redirectPort;
    String logPath;
    String from;
  }

  final List<Listener> listeners = new ArrayList<>();
  final Map<String, Upstream> upstreams = new LinkedHashMap<>();
  final List<Host> hosts = new ArrayList<>();
  final Map<String, String> client = new LinkedHashMap<>();
  String accessLog;
  String adminAddress = "127.0.0.1";
  int adminPort = 9090;

  String toYaml(String source) {
    StringBuilder y = new StringBuilder();
    y.append("# nexus-router configuration imported from ").append(source).append('\n');
    y.append("# by `nexus-router import-nginx`; read its report, then run `nexus-router check`.\n");
    y.append("listeners:\n");
    for (Listener l : listeners) {
      y.append("  - name: ").append(q(l.name)).append("   # ").append(l.from).append('\n');
      y.append("    address: ").append(q(l.address)).append('\n');
      y.append("    port: ").append(l.port).append('\n');
      if (l.cert != null) {
        y.append("    tls:\n");
        y.append("      cert-file: ").append(q(l.cert)).append('\n');
        y.append("      key-file: ").append(q(l.key)).append('\n');
      }
    }
    y.append("upstreams:\n");
    for (Upstream u : upstreams.values()) {
      y.append("  ").append(q(u.name)).append(":   # ").append(u.from).append('\n');
      y.append("    servers: [")
          .append(String.join(", ", u.servers.stream().map(Plan::q).toList()))
          .append("]\n");
      field(y, "    ", "connect-timeout", u.connect);
      field(y, "    ", "read-timeout", u.read);
      field(y, "    ", "write-timeout", u.write);
    }
    y.append("hosts:\n");
    for (Host h : hosts) {
      y.append("  - server-names: [")
          .append(String.join(", ", h.names.stream().map(Plan::q).toList()))
          .append("]   # ")
          .append(h.from)
          .append('\n');
      if (h.isDefault) {
        y.append("    default: true\n");
      }
      if (h.registry) {
        y.append("    kind: registry\n");
        field(y, "    ", "group", h.group);
        field(y, "    ", "hosted", h.hosted);
        field(y, "    ", "v1", h.v1);
      } else {
        y.append("    kind: ui\n");
        field(y, "    ", "upstream", h.upstream);
      }
      field(y, "    ", "download-dir", h.downloadDir);
      field(y, "    ", "max-body-size", h.maxBody);
      if (h.redirectPort > 0) {
        y.append("    https-redirect-port: ").append(h.redirectPort).append('\n');
      }
      if (h.logPath != null) {
        y.append("    access-log: {path: ").append(q(h.logPath)).append("}\n");
      }
    }
    if (accessLog != null) {
      y.append("access-log: {path: ").append(q(accessLog)).append("}\n");
    }
    if (!client.isEmpty()) {
      y.append("client:\n");
      for (var e : client.entrySet()) {
        field(y, "  ", e.getKey(), e.getValue());
      }
    }
    y.append("admin: {address: ")
        .append(q(adminAddress))
        .append(", port: ")
        .append(adminPort)
        .append("}   # /healthz /readyz /metrics /status\n");
    return y.toString();
  }

  private static void field(StringBuilder y, String indent, String key, String value) {
    if (value != null) {
      y.append(indent).append(key).append(": ").append(q(value)).append('\n');
    }
  }

  /** A YAML double-quoted scalar (JSON string syntax, which YAML 1.2 accepts as is). */
  static String q(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
