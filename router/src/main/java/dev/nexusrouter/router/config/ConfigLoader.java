package dev.nexusrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.router.route.RouteRow;
import dev.nexusrouter.router.route.RouteTable;
import dev.nexusrouter.router.route.Target;
import dev.nexusrouter.router.tls.KeyPassphrase;
import dev.nexusrouter.router.tls.ServerTls;
import dev.nexusrouter.router.tls.TlsEngine;
import dev.nexusrouter.router.tls.TlsException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns YAML into a {@link RouterConfig}, or a {@link ConfigException} listing every problem with
 * its YAML path. Unknown keys are errors: a typo must never silently fall back to a default.
 */
public final class ConfigLoader {
  static final String BUILT_IN = "/dev/nexusrouter/router/config/default-config.yaml";

  /** Registry-side upstream timeouts: the seed's proxy_*_timeout 3600. */
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(3600);

  /** UI-side: the seed's proxy_send_timeout 120 / proxy_read_timeout 300, nginx's 60 s connect. */
  static final Duration UI_CONNECT = Duration.ofSeconds(60);

  static final Duration UI_READ = Duration.ofSeconds(300);
  static final Duration UI_WRITE = Duration.ofSeconds(120);

  /** nginx's large_client_header_buffers is 4 x 8k; registry tokens make 64 KiB a safe ceiling. */
  static final long DEFAULT_MAX_HEADER_SIZE = 64 * 1024;

  /** Client connections per listener; see docs/operations-reliability.md for the memory bound. */
  static final int DEFAULT_MAX_CONNECTIONS = 4096;

  private static final Pattern SERVER_NAME =
      Pattern.compile(
          "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9a-fA-F:.]+\\]|\\*");

  static final String REMOVED_PUSH_WINDOW = "push-window";

  private ConfigLoader() {}

  public static RouterConfig builtIn() {
    Problems problems = new Problems();
    JsonNode tree = Yaml.readResource(BUILT_IN, problems);
    return build(tree, "built-in defaults", problems);
  }

  public static RouterConfig load(Path file) {
    Problems problems = new Problems();
    JsonNode tree = Yaml.readFile(file, problems);
    return build(tree, file.toString(), problems);
  }

  /** {@link #load} the file, or the {@link #builtIn} defaults when there is none (null). */
  public static RouterConfig loadOrBuiltIn(Path file) {
    return file == null ? builtIn() : load(file);
  }

  static RouterConfig build(JsonNode tree, String source, Problems problems) {
    if (!problems.isEmpty()) {
      problems.throwIfAny(source);
    }
    Fields root = Fields.of(tree, "", problems);
    if (root == null) {
      problems.throwIfAny(source);
    }
    List<ListenerConfig> listeners = readListeners(root, problems);
    long maxBody = root.bytes("max-body-size", 0);
    rejectPushWindow(root, problems);
    Map<String, UpstreamDraft> drafts = readUpstreams(root, problems);
    List<VirtualHostConfig> hosts = readHosts(root, drafts, maxBody, problems);
    RouterConfig.AccessLog accessLog =
        readAccessLog(root, new RouterConfig.AccessLog("stdout", "combined", 0, 5, null));
    RouterConfig.ClientTimeouts client = readClient(root);
    boolean http2 = root.bool("http2", false);
    RouterConfig.Admin admin = readAdmin(root);
    Duration shutdown = root.duration("shutdown-timeout", Duration.ofSeconds(30));
    Path dataDir = root.file("data-dir");
    Path caFile = root.file("ca-file");
    long maxHeader = root.bytes("max-header-size", DEFAULT_MAX_HEADER_SIZE);
    TlsEngine.Setting tlsEngine = readTlsEngine(root);
    if (maxHeader > 0 && maxHeader < 1024) {
      problems.add("max-header-size", "must be at least 1k (or 0 for no router limit)");
    }
    root.finish();
    Map<String, UpstreamConfig> upstreams = resolveUpstreams(drafts, hosts);
    problems.throwIfAny(source);
    return new RouterConfig(
        listeners,
        hosts,
        upstreams,
        accessLog,
        client,
        http2,
        admin,
        shutdown,
        dataDir == null ? Path.of("nexus-router-data") : dataDir,
        caFile,
        maxHeader,
        tlsEngine);
  }

  private static TlsEngine.Setting readTlsEngine(Fields root) {
    String name = root.string("tls-engine", TlsEngine.DEFAULT.yamlName());
    TlsEngine.Setting s = TlsEngine.Setting.parse(name);
    if (s == null) {
      root.problems().add("tls-engine", "must be auto, openssl or jdk, found '" + name + "'");
      return TlsEngine.Setting.AUTO;
    }
    return s;
  }

  private static List<ListenerConfig> readListeners(Fields root, Problems problems) {
    List<ListenerConfig> out = new ArrayList<>();
    JsonNode node = root.raw("listeners");
    if (node == null || !node.isArray() || node.isEmpty()) {
      problems.add("listeners", "at least one listener is required");
      return out;
    }
    Set<String> names = new HashSet<>();
    Set<String> sockets = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      Fields f = Fields.of(node.get(i), "listeners[" + i + "]", problems);
      if (f == null) {
        continue;
      }
      String name = f.string("name", "listener-" + i);
      String address = f.string("address", "0.0.0.0");
      int port = f.integer("port", 0, 0, 65535);
      if (!f.has("port")) {
        problems.add(f.pathOf("port"), "a port is required");
      }
      ListenerConfig.Tls tls = null;
      Fields t = f.has("tls") ? Fields.of(f.raw("tls"), f.pathOf("tls"), problems) : null;
      if (t != null) {
        tls = readTls(t, problems);
      }
      if (!names.add(name)) {
        problems.add(f.pathOf("name"), "duplicate listener name '" + name + "'");
      }
      if (port > 0 && !sockets.add(address + ":" + port)) {
        problems.add(f.pathOf("port"), "another listener already uses " + address + ":" + port);
      }
      f.finish();
      out.add(new ListenerConfig(name, address, port, tls));
    }
    return out;
  }

  /** {@code tls: {}} (no files) selects the embedded CA; otherwise both files are required. */
  private static ListenerConfig.Tls readTls(Fields t, Problems problems) {
    Path cert = t.file("cert-file");
    Path key = t.file("key-file");
    Path passFile = t.file("key-passphrase-file");
    String passEnv = t.string("key-passphrase-env", null);
    t.finish();
    if (cert == null && key != null) {
      problems.add(t.pathOf("cert-file"), "required with key-file (PEM certificate chain bundle)");
    }
    if (key == null && cert != null) {
      problems.add(t.pathOf("key-file"), "required with cert-file (PEM private key)");
    }
    if (passFile != null && passEnv != null) {
      problems.add(t.path(), "use key-passphrase-file or key-passphrase-env, not both");
    }
    ListenerConfig.Tls tls = new ListenerConfig.Tls(cert, key, passFile, passEnv);
    if (cert != null && key != null) {
      try {
        ServerTls.load(cert, key, passphrase(tls, System.getenv()));
      } catch (TlsException e) {
        problems.add(t.path(), e.getMessage());
      }
    }
    return tls;
  }

  /** The key passphrase source of a listener; never the passphrase itself in config. */
  public static KeyPassphrase passphrase(ListenerConfig.Tls tls, Map<String, String> env) {
    return KeyPassphrase.of(tls.passphraseFile(), tls.passphraseEnv(), env);
  }

  /** Upstream settings before host kinds decide the default timeouts. */
  private record UpstreamDraft(
      String name,
      List<URI> servers,
      List<String> aliases,
      Duration connect,
      Duration read,
      Duration write,
      Duration maxRequestTime,
      int connectionsPerThread,
      int maxQueue,
      Duration idle) {}

  private static Map<String, UpstreamDraft> readUpstreams(Fields root, Problems problems) {
    Map<String, UpstreamDraft> out = new LinkedHashMap<>();
    JsonNode node = root.raw("upstreams");
    if (node == null || !node.isObject() || node.isEmpty()) {
      problems.add("upstreams", "at least one upstream is required (a mapping of name to servers)");
      return out;
    }
    for (var e : node.properties()) {
      String path = "upstreams." + e.getKey();
      Fields f = Fields.of(e.getValue(), path, problems);
      if (f == null) {
        continue;
      }
      List<URI> servers = new ArrayList<>();
      List<String> raw = f.strings("servers");
      if (raw.isEmpty()) {
        problems.add(f.pathOf("servers"), "at least one server URL is required");
      }
      for (int i = 0; i < raw.size(); i++) {
        String p = f.pathOf("servers") + "[" + i + "]";
        URI u = f.uri("servers", raw.get(i), p);
        if (u == null) {
          continue;
        }
        if (!u.getScheme().equals("http") && !u.getScheme().equals("https")) {
          problems.add(p, "scheme must be http or https, found '" + u.getScheme() + "'");
        } else if (u.getRawQuery() != null || u.getRawFragment() != null) {
          problems.add(p, "must not have a query or fragment");
        } else {
          servers.add(u);
        }
      }
      Set<String> paths = new HashSet<>();
      for (URI u : servers) {
        paths.add(u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", ""));
      }
      if (paths.size() > 1) {
        problems.add(f.pathOf("servers"), "all servers of one upstream must use the same path");
      }
      List<String> aliases = f.strings("aliases");
      Duration connect = f.duration("connect-timeout", null);
      Duration read = f.duration("read-timeout", null);
      Duration write = f.duration("write-timeout", null);
      Duration maxRequest = f.duration("max-request-time", Duration.ofHours(24));
      int perThread = 64;
      // queue rather than refuse: with 1,000 clients at once, 64 connections per I/O thread and a
      // queue of 256 answered some requests 503 (faults/LoadFaultsIT); waiting is cheap
      int queue = 4096;
      Duration idle = Duration.ofSeconds(20);
      if (f.has("keepalive")) {
        Fields k = Fields.of(f.raw("keepalive"), f.pathOf("keepalive"), problems);
        if (k != null) {
          perThread = k.integer("connections-per-thread", perThread, 1, 100_000);
          queue = k.integer("max-queue", queue, 0, 1_000_000);
          idle = k.duration("idle-timeout", idle);
          k.finish();
        }
      }
      f.finish();
      out.put(
          e.getKey(),
          new UpstreamDraft(
              e.getKey(),
              servers,
              aliases,
              connect,
              read,
              write,
              maxRequest,
              perThread,
              queue,
              idle));
    }
    return out;
  }

  private static List<VirtualHostConfig> readHosts(
      Fields root, Map<String, UpstreamDraft> upstreams, long globalMaxBody, Problems problems) {
    List<VirtualHostConfig> out = new ArrayList<>();
    JsonNode node = root.raw("hosts");
    if (node == null || !node.isArray() || node.isEmpty()) {
      problems.add("hosts", "at least one host is required");
      return out;
    }
    List<RouteRow> defaults = RouteRows.defaults();
    Map<String, String> seenNames = new HashMap<>();
    int defaultCount = 0;
    for (int i = 0; i < node.size(); i++) {
      String path = "hosts[" + i + "]";
      Fields f = Fields.of(node.get(i), path, problems);
      if (f == null) {
        continue;
      }
      List<String> names = new ArrayList<>();
      for (String n : f.strings("server-names")) {
        String lower = n.toLowerCase(Locale.ROOT);
        if (!SERVER_NAME.matcher(lower).matches()) {
          problems.add(
              f.pathOf("server-names"),
              "invalid server name '" + n + "' (a host name, *.domain, or *)");
        } else if (seenNames.containsKey(lower)) {
          problems.add(
              f.pathOf("server-names"), "'" + n + "' is already used by " + seenNames.get(lower));
        } else {
          seenNames.put(lower, path);
          names.add(lower);
        }
      }
      boolean isDefault = f.bool("default", false);
      if (isDefault) {
        defaultCount++;
      }
      if (names.isEmpty() && !isDefault) {
        problems.add(f.pathOf("server-names"), "a host needs server names, or default: true");
      }
      String kindText = f.string("kind", "registry");
      VirtualHostConfig.Kind kind =
          switch (kindText) {
            case "registry" -> VirtualHostConfig.Kind.REGISTRY;
            case "ui" -> VirtualHostConfig.Kind.UI;
            default -> {
              problems.add(f.pathOf("kind"), "must be registry or ui, found '" + kindText + "'");
              yield VirtualHostConfig.Kind.REGISTRY;
            }
          };
      long maxBody = f.bytes("max-body-size", globalMaxBody);
      Path download = f.file("download-dir");
      rejectPushWindow(f, problems);
      boolean serveCa = f.bool("serve-ca", true);
      int redirectPort = f.integer("https-redirect-port", 0, 0, 65535);
      RouterConfig.AccessLog hostLog = readAccessLog(f, null);
      String group = null;
      String hosted = null;
      String v1 = null;
      String upstream = null;
      RouteTable table = new RouteTable(List.of());
      if (kind == VirtualHostConfig.Kind.REGISTRY) {
        group = requireUpstream(f, "group", upstreams, true);
        hosted = requireUpstream(f, "hosted", upstreams, true);
        v1 = f.has("v1") ? requireUpstream(f, "v1", upstreams, true) : hosted;
        List<RouteRow> userRows = RouteRows.read(f.raw("routes"), f.pathOf("routes"), problems);
        boolean withDefaults = f.bool("default-routes", true);
        checkRowTargets(userRows, f.pathOf("routes"), upstreams, problems);
        table = RouteTable.of(userRows, withDefaults ? defaults : List.of());
        if (!withDefaults
            && userRows.stream()
                .noneMatch(
                    r ->
                        r.methods().isEmpty()
                            && r.kinds().isEmpty()
                            && r.condition() == dev.nexusrouter.router.route.Condition.ALWAYS
                            && r.repository() == null)) {
          problems.add(
              f.pathOf("routes"),
              "without the default routes the table needs a catch-all row (methods: any, paths: any)");
        }
      } else {
        upstream = requireUpstream(f, "upstream", upstreams, true);
      }
      f.finish();
      out.add(
          new VirtualHostConfig(
              names,
              isDefault,
              kind,
              group,
              hosted,
              v1,
              upstream,
              download,
              maxBody,
              table,
              serveCa,
              redirectPort,
              hostLog));
    }
    if (defaultCount > 1) {
      problems.add("hosts", "only one host may be default: true");
    }
    return out;
  }

  /**
   * {@code push-window} (0.1) timed a per-client push context; routing no longer keeps any state,
   * so a config that still sets it is told what replaced it rather than having it silently ignored.
   */
  private static void rejectPushWindow(Fields f, Problems problems) {
    // has() also marks the key as read, so it is reported here and not again as unknown
    if (f.present().contains(REMOVED_PUSH_WINDOW) | f.has(REMOVED_PUSH_WINDOW)) {
      problems.add(
          f.pathOf(REMOVED_PUSH_WINDOW),
          "push-window was removed in 0.2: routing keeps no per-client state any more; a HEAD is"
              + " routed by its Accept header (one media type: push check -> hosted; several:"
              + " pull -> group; none: hosted, a 404 retried once on the group). Delete this key"
              + " (see docs/client-request-shapes.md)");
    }
  }

  private static String requireUpstream(
      Fields f, String key, Map<String, UpstreamDraft> upstreams, boolean required) {
    String name = f.string(key, null);
    if (name == null) {
      if (required) {
        problems(f).add(f.pathOf(key), "required: the name of an upstream");
      }
      return null;
    }
    if (!upstreams.containsKey(name)) {
      problems(f)
          .add(
              f.pathOf(key),
              "undefined upstream '"
                  + name
                  + "' (defined: "
                  + String.join(", ", upstreams.keySet())
                  + ")");
    }
    return name;
  }

  private static Problems problems(Fields f) {
    return f.problems();
  }

  private static void checkRowTargets(
      List<RouteRow> rows, String path, Map<String, UpstreamDraft> upstreams, Problems problems) {
    for (int i = 0; i < rows.size(); i++) {
      Target t = rows.get(i).target();
      if (t.kind() == Target.Kind.UPSTREAM && !upstreams.containsKey(t.upstream())) {
        problems.add(
            path + "[" + i + "].to",
            "undefined upstream '" + t.upstream() + "' (or use group, hosted, v1, legacy)");
      }
    }
  }

  /** {@code access-log} under {@code parent} (top level or a host); {@code absent} when missing. */
  private static RouterConfig.AccessLog readAccessLog(
      Fields parent, RouterConfig.AccessLog absent) {
    Fields f =
        parent.has("access-log")
            ? Fields.of(parent.raw("access-log"), parent.pathOf("access-log"), parent.problems())
            : null;
    if (f == null) {
      return absent;
    }
    String path = f.string("path", "stdout");
    String format = f.string("format", "combined");
    if (!format.equals("combined") && !format.equals("json")) {
      parent.problems().add(f.pathOf("format"), "must be combined or json, found '" + format + "'");
    }
    long maxSize = f.bytes("max-size", 0);
    int maxFiles = f.integer("max-files", 5, 1, 1000);
    String group = f.string("group", null);
    f.finish();
    return new RouterConfig.AccessLog(path, format, maxSize, maxFiles, group);
  }

  private static RouterConfig.Admin readAdmin(Fields root) {
    Fields f = root.has("admin") ? Fields.of(root.raw("admin"), "admin", root.problems()) : null;
    if (f == null) {
      return new RouterConfig.Admin(false, "127.0.0.1", 9090); // opt-in: no surprise port
    }
    boolean enabled = f.bool("enabled", true);
    String address = f.string("address", "127.0.0.1");
    int port = f.integer("port", 9090, 0, 65535);
    f.finish();
    return new RouterConfig.Admin(enabled, address, port);
  }

  private static RouterConfig.ClientTimeouts readClient(Fields root) {
    Fields f = root.has("client") ? Fields.of(root.raw("client"), "client", root.problems()) : null;
    Duration idle = Duration.ofSeconds(75);
    Duration header = Duration.ofSeconds(60);
    Duration body = Duration.ofSeconds(300);
    Duration send = Duration.ofSeconds(300);
    int maxConnections = DEFAULT_MAX_CONNECTIONS;
    if (f != null) {
      idle = f.duration("idle-timeout", idle);
      header = f.duration("header-timeout", header);
      body = f.duration("body-timeout", body);
      send = f.duration("send-timeout", send);
      maxConnections = f.integer("max-connections", maxConnections, 1, 1_000_000);
      f.finish();
    }
    return new RouterConfig.ClientTimeouts(idle, header, body, send, maxConnections);
  }

  private static Map<String, UpstreamConfig> resolveUpstreams(
      Map<String, UpstreamDraft> drafts, List<VirtualHostConfig> hosts) {
    Set<String> registrySide = new HashSet<>();
    for (VirtualHostConfig h : hosts) {
      if (h.kind() == VirtualHostConfig.Kind.REGISTRY) {
        registrySide.add(h.group());
        registrySide.add(h.hosted());
        registrySide.add(h.v1());
        for (RouteRow r : h.routes().rows()) {
          if (r.target().kind() == Target.Kind.UPSTREAM) {
            registrySide.add(r.target().upstream());
          }
        }
      }
    }
    Map<String, UpstreamConfig> out = new LinkedHashMap<>();
    for (UpstreamDraft d : drafts.values()) {
      boolean ui = !registrySide.contains(d.name());
      out.put(
          d.name(),
          new UpstreamConfig(
              d.name(),
              d.servers(),
              d.aliases(),
              orDefault(d.connect(), ui ? UI_CONNECT : REGISTRY_TIMEOUT),
              orDefault(d.read(), ui ? UI_READ : REGISTRY_TIMEOUT),
              orDefault(d.write(), ui ? UI_WRITE : REGISTRY_TIMEOUT),
              d.maxRequestTime(),
              d.connectionsPerThread(),
              d.maxQueue(),
              d.idle(),
              ui ? UpstreamConfig.Role.UI : UpstreamConfig.Role.REGISTRY));
    }
    return out;
  }

  private static Duration orDefault(Duration d, Duration def) {
    return d == null ? def : d;
  }
}
