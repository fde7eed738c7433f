package dev.nexusrouter.router.migrate;

import dev.nexusrouter.router.config.Sizes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns parsed nginx configuration into a {@link Plan} and a {@link Report}. Which upstream a
 * registry host uses for pulls and pushes is found by running sample requests through the server
 * block ({@link Rewrite}), so {@code set}/{@code if}/{@code map}/{@code upstream} combinations are
 * read as nginx would read them. The reasons behind each "changed on purpose" line are in
 * docs/migration.md.
 */
final class Translator {
  static final Rewrite.Sample PULL = new Rewrite.Sample("GET", "/v2/team/app/manifests/1.0");
  static final Rewrite.Sample HEAD_MANIFEST =
      new Rewrite.Sample("HEAD", "/v2/team/app/manifests/1.0");
  static final Rewrite.Sample HEAD_BLOB =
      new Rewrite.Sample("HEAD", "/v2/team/app/blobs/sha256:" + "0".repeat(64));
  static final Rewrite.Sample UPLOAD = new Rewrite.Sample("POST", "/v2/team/app/blobs/uploads/");
  static final Rewrite.Sample PATCH =
      new Rewrite.Sample("PATCH", "/v2/team/app/blobs/uploads/5f0c0a9e");
  static final Rewrite.Sample PUT = new Rewrite.Sample("PUT", "/v2/team/app/manifests/1.0");
  static final Rewrite.Sample SEARCH = new Rewrite.Sample("GET", "/v1/search?q=app");
  static final Rewrite.Sample SEARCH_NAMED =
      new Rewrite.Sample("GET", "/v2/team/search/manifests/1.0");
  static final Rewrite.Sample ROOT = new Rewrite.Sample("GET", "/");

  /** nginx tuning with no counterpart: the router streams with its own pooled buffers. */
  private static final Set<String> TUNING =
      Set.of(
          "worker_processes",
          "pid",
          "user",
          "worker_rlimit_nofile",
          "worker_connections",
          "multi_accept",
          "use",
          "load_module",
          "sendfile",
          "tcp_nopush",
          "tcp_nodelay",
          "types_hash_max_size",
          "server_names_hash_bucket_size",
          "server_names_hash_max_size",
          "default_type",
          "types",
          "gzip",
          "gzip_vary",
          "gzip_proxied",
          "gzip_comp_level",
          "gzip_buffers",
          "gzip_http_version",
          "gzip_types",
          "gzip_disable",
          "gzip_min_length",
          "server_tokens",
          "open_file_cache",
          "ssl_buffer_size",
          "include",
          "events");

  private static final Set<String> BUFFERING =
      Set.of(
          "proxy_buffering",
          "proxy_request_buffering",
          "proxy_max_temp_file_size",
          "proxy_buffer_size",
          "proxy_buffers",
          "proxy_busy_buffers_size",
          "proxy_temp_file_write_size",
          "proxy_temp_path",
          "client_body_buffer_size",
          "client_body_temp_path");

  private static final Set<String> TLS_TUNING =
      Set.of(
          "ssl_protocols",
          "ssl_ciphers",
          "ssl_prefer_server_ciphers",
          "ssl_session_cache",
          "ssl_session_timeout",
          "ssl_session_tickets",
          "ssl_dhparam",
          "ssl_ecdh_curve",
          "ssl_stapling",
          "ssl_stapling_verify",
          "ssl_trusted_certificate",
          "ssl_conf_command");

  private static final Map<String, String> CLIENT =
      Map.of(
          "keepalive_timeout", "idle-timeout",
          "client_header_timeout", "header-timeout",
          "client_body_timeout", "body-timeout",
          "send_timeout", "send-timeout");

  private final Path prefix;
  private final Report report = new Report();
  private final Plan plan = new Plan();
  private final Map<String, Directive> upstreamBlocks = new HashMap<>();
  private final Map<String, Directive> maps = new HashMap<>();
  private final Map<String, Duration[]> timeouts = new HashMap<>();
  private Rewrite rewrite;
  private Directive http;

  private Translator(Path prefix) {
    this.prefix = prefix;
  }

  record Result(Plan plan, Report report) {}

  /**
   * @param prefix relative file names (certificates, logs, static folders) are resolved against it
   */
  static Result translate(List<Directive> main, Path prefix, int adminPort) throws NginxException {
    Translator t = new Translator(prefix);
    t.plan.adminPort = adminPort;
    t.run(main);
    return new Result(t.plan, t.report);
  }

  private void run(List<Directive> main) throws NginxException {
    for (Directive d : main) {
      if (d.name().equals("http") && d.isBlock()) {
        http = d;
      } else if (d.name().equals("server") && d.isBlock()) {
        // a file that holds only server blocks (a sites-enabled snippet given on its own)
        http = new Directive("http", List.of(), main, d.where());
        break;
      } else {
        generic(d);
      }
    }
    if (http == null) {
      throw new NginxException("no http block and no server block: nothing to import");
    }
    if (main.contains(http)) {
      report.translated(http, "read below"); // not for the stand-in of a server-only file
    }
    for (Directive d : http.children()) {
      if (d.name().equals("upstream") && d.isBlock()) {
        upstreamBlocks.put(d.arg(0), d);
      } else if (d.name().equals("map") && d.isBlock() && d.args().size() == 2) {
        maps.put(d.arg(1).replaceFirst("^\\$", ""), d);
      }
    }
    rewrite = new Rewrite(maps);
    List<Directive> redirects = new ArrayList<>();
    for (Directive d : http.children()) {
      if (d.name().equals("server") && d.isBlock()) {
        if (isRedirectOnly(d)) {
          redirects.add(d);
        } else {
          server(d);
        }
      } else if (!d.name().equals("upstream") && !d.name().equals("map")) {
        httpLevel(d);
      }
    }
    for (Directive r : redirects) {
      redirect(r);
    }
    if (plan.hosts.isEmpty()) {
      throw new NginxException(http.where(), "no server block proxies to an upstream");
    }
    for (Directive u : upstreamBlocks.values()) {
      if (!report.has(u)) {
        report.changed(u, "not used by any translated server block; left out");
        for (Directive c : u.children()) {
          report.changed(c, "part of an unused upstream");
        }
      }
    }
    for (Directive m : maps.values()) {
      if (!report.has(m)) {
        report.changed(m, "not used for routing; left out");
      }
      for (Directive c : m.children()) {
        report.translated(c, "map entry (evaluated with the map)");
      }
    }
    report.added(
        "admin listener on "
            + plan.adminAddress
            + ":"
            + plan.adminPort
            + " (/healthz, /readyz, /metrics, /status): nginx had no equivalent");
    report.finish(List.of(http));
    report.finish(main);
  }

  private void httpLevel(Directive d) {
    switch (d.name()) {
      case "access_log" -> {
        plan.accessLog = logPath(d);
        logFormat(d, "access-log.path");
      }
      case "client_max_body_size" -> {} // read per host
      case "proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout" -> {} // per upstream
      default -> generic(d);
    }
  }

  /** Directives whose meaning does not depend on where they are. */
  private void generic(Directive d) {
    String n = d.name();
    if (TUNING.contains(n)) {
      report.changed(
          d, "nginx process/transfer tuning; the router sizes threads and buffers itself");
      if (d.isBlock()) {
        for (Directive c : d.children()) {
          if (n.equals("types")) {
            report.changed(c, "Content-Type comes from Nexus; the router does not map file types");
          } else {
            generic(c);
          }
        }
      }
    } else if (BUFFERING.contains(n)) {
      report.changed(
          d, "buffering: the router never buffers bodies, uploads and downloads always stream");
    } else if (TLS_TUNING.contains(n)) {
      report.changed(d, "TLS 1.2 and 1.3 with forward-secret AEAD suites only; not configurable");
    } else if (n.equals("log_format")) {
      report.changed(d, "the router logs in combined or json format; custom formats are not kept");
    } else if (n.equals("error_log")) {
      report.changed(
          d,
          "the router has one log of its own on stderr (journal or container log); failed"
              + " requests are in the access log with their status");
    } else if (n.equals("chunked_transfer_encoding")) {
      report.translated(d, "built in: chunked request bodies are accepted and streamed");
    } else if (n.equals("proxy_http_version")) {
      report.translated(d, "built in: HTTP/1.1 keep-alive pools to every upstream");
    } else if (n.equals("proxy_redirect")) {
      report.changed(
          d, "the router rewrites upstream Location and token-realm URLs to the client's address");
    } else if (n.equals("resolver") || n.equals("resolver_timeout")) {
      report.changed(d, "upstream host names are resolved by the JVM");
    } else if (n.equals("add_header")
        && d.arg(0).equalsIgnoreCase("Docker-Distribution-Api-Version")) {
      report.translated(d, "built in: Nexus sends it, and so do the router's own errors");
    } else if (n.equals("proxy_set_header")) {
      header(d, false);
    } else if (n.equals("http2")) {
      report.changed(d, http2Reason());
    } else if (CLIENT.containsKey(n)) {
      Duration v = Sizes.parseDuration(d.arg(0));
      if (v == null) {
        report.notUnderstood(d, "not a duration");
      } else {
        plan.client.put(CLIENT.get(n), Sizes.format(v));
        report.translated(d, "client." + CLIENT.get(n) + ": " + Sizes.format(v));
      }
    }
  }

  private static String http2Reason() {
    return "HTTP/2 is left off (http2: false): Undertow limits HTTP/2 uploads to one 64 KiB"
        + " window per round trip, and docker/containerd pick h2 when offered";
  }

  private void header(Directive d, boolean tls) {
    String name = d.arg(0).toLowerCase(Locale.ROOT);
    String value = d.arg(1);
    switch (name) {
      case "host" -> {
        if (value.equals("$http_host") || value.equals("$host:$server_port")) {
          report.translated(d, "built in: the client's Host, port included, reaches Nexus");
        } else if (value.equals("$host")) {
          report.changed(
              d,
              "Host $host drops the port: the router forwards the client's Host as sent, port"
                  + " included, so Nexus builds Location and token-realm URLs clients can reach");
        } else {
          report.changed(d, "the router forwards the client's Host as sent");
        }
      }
      case "x-real-ip" -> report.translated(d, "built in: X-Real-IP is the client address");
      case "x-forwarded-for" ->
          report.translated(d, "built in: the client address is appended to X-Forwarded-For");
      case "x-forwarded-proto" -> {
        if (value.equals("$scheme") || (tls && value.equalsIgnoreCase("https"))) {
          report.translated(d, "built in: X-Forwarded-Proto is the listener's real scheme");
        } else {
          report.changed(
              d, "X-Forwarded-Proto is always the listener's real scheme, not a fixed value");
        }
      }
      case "x-forwarded-host", "x-forwarded-port", "x-forwarded-server" ->
          report.changed(
              d,
              "not sent: with a port in it Nexus builds host:port:port URLs; the router rewrites"
                  + " Location instead");
      case "connection", "upgrade" ->
          report.translated(d, "built in: hop-by-hop headers are handled by the proxy");
      default -> report.notUnderstood(d, "the router does not add custom request headers");
    }
  }

  private boolean isRedirectOnly(Directive server) {
    Directive ret = null;
    for (Directive d : server.children()) {
      switch (d.name()) {
        case "listen", "server_name", "access_log", "error_log" -> {}
        case "return" -> ret = d;
        case "location" -> {
          if (d.children().size() == 1 && d.children().get(0).name().equals("return")) {
            ret = d.children().get(0);
          } else {
            return false;
          }
        }
        default -> {
          return false;
        }
      }
    }
    return ret != null
        && (ret.arg(0).equals("301") || ret.arg(0).equals("302") || ret.arg(0).equals("308"))
        && ret.arg(1).startsWith("https://");
  }

  private void server(Directive s) throws NginxException {
    report.translated(s, "hosts[" + plan.hosts.size() + "]");
    boolean tls = listeners(s);
    Plan.Host h = new Plan.Host();
    h.from = s.where().toString();
    if (!names(s, h)) {
      report.changed(s, "every name belongs to an earlier server block: not a host of its own");
      markAll(s);
      return;
    }
    Rewrite.Outcome pull = rewrite.run(s, PULL);
    Rewrite.Outcome push = rewrite.run(s, PUT);
    Rewrite.Outcome root = rewrite.run(s, ROOT);
    String why = registryReason(s, pull, push);
    if (why != null) {
      registry(s, h, pull, push, why);
    } else if (root.kind() == Rewrite.Kind.PROXY) {
      h.upstream = upstream(root, s);
      report.translated(root.at(), "ui host: upstream " + h.upstream);
    } else {
      throw new NginxException(
          s.where(), "server block neither proxies '/' nor routes registry requests");
    }
    for (Directive d : s.children()) {
      serverChild(d, s, h, tls);
    }
    maxBody(s, h, push.location() != null ? push.location() : root.location());
    plan.hosts.add(h);
  }

  private static String registryReason(Directive s, Rewrite.Outcome pull, Rewrite.Outcome push) {
    if (pull.kind() != Rewrite.Kind.PROXY || push.kind() != Rewrite.Kind.PROXY) {
      return null;
    }
    if (!Objects.equals(pull.value(), push.value())) {
      return "pulls and pushes go to different upstreams";
    }
    if (pull.location() != null
        && String.valueOf(Rewrite.prefixOf(pull.location())).startsWith("/v2")) {
      return "it has a /v2/ location";
    }
    for (Directive d : s.children()) {
      if (d.name().equals("chunked_transfer_encoding")
          || (d.name().equals("add_header")
              && d.arg(0).equalsIgnoreCase("Docker-Distribution-Api-Version"))) {
        return "it sets " + d.name() + " (a Docker registry recipe)";
      }
    }
    if (pull.value().contains("/repository/")) {
      return "it proxies to a Nexus repository path";
    }
    return null;
  }

  private void registry(
      Directive s, Plan.Host h, Rewrite.Outcome pull, Rewrite.Outcome push, String why)
      throws NginxException {
    h.registry = true;
    h.group = upstream(pull, s);
    h.hosted = upstream(push, s);
    String rule = "registry host (" + why + "): pulls -> " + h.group + ", pushes -> " + h.hosted;
    List<Rewrite.Outcome> runs = new ArrayList<>(List.of(pull, push));
    for (Rewrite.Sample w : List.of(UPLOAD, PATCH)) {
      Rewrite.Outcome o = rewrite.run(s, w);
      runs.add(o);
      if (o.kind() == Rewrite.Kind.PROXY && !upstream(o, s).equals(h.hosted)) {
        report.changed(
            o.at(),
            w.method()
                + " uploads went to "
                + upstream(o, s)
                + "; the router sends every write"
                + " to hosted ("
                + h.hosted
                + ")");
      }
    }
    for (Rewrite.Sample head : List.of(HEAD_MANIFEST, HEAD_BLOB)) {
      Rewrite.Outcome o = rewrite.run(s, head);
      runs.add(o);
      if (o.kind() == Rewrite.Kind.PROXY && !upstream(o, s).equals(h.group)) {
        Directive cond = condition(o, pull, "request_method");
        report.changed(
            cond,
            "`~* GET` misses HEAD: nginx sent HEAD requests (manifest and blob checks of every"
                + " pull) to "
                + upstream(o, s)
                + "; the router sends pulls' HEADs to group ("
                + h.group
                + ") and a push's blob checks to hosted");
      }
    }
    Rewrite.Outcome search = rewrite.run(s, SEARCH);
    String searchLoc = search.location() == null ? "" : Rewrite.prefixOf(search.location());
    if (search.location() != pull.location()
        && !String.valueOf(searchLoc).startsWith("/v1")
        && search.kind() == Rewrite.Kind.PROXY) {
      // e.g. location / proxying to the Nexus UI next to location /v2/
      report.notUnderstood(
          search.location(),
          "a host is either a registry or the UI: give the UI its own server_name (kind: ui)");
      report.notUnderstood(search.at(), "see its location");
    } else if (search.kind() == Rewrite.Kind.PROXY) {
      runs.add(search);
      String v1 = upstream(search, s);
      if (!v1.equals(h.hosted)) {
        h.v1 = v1;
      }
    }
    Rewrite.Outcome named = rewrite.run(s, SEARCH_NAMED);
    runs.add(named);
    if (named.kind() == Rewrite.Kind.PROXY && !upstream(named, s).equals(h.group)) {
      Directive cond = condition(named, pull, "uri");
      report.changed(
          cond,
          "'/search' matched anywhere in the URI: nginx also sent pulls of repositories or tags"
              + " containing '/search' (e.g. team/search) to "
              + upstream(named, s)
              + "; the router sends only /v1/search to "
              + (h.v1 == null ? h.hosted : h.v1));
    }
    for (Rewrite.Outcome o : runs) {
      for (Directive d : o.used()) {
        report.translated(d, rule);
      }
      if (o.at() != null && o.at().name().equals("proxy_pass")) {
        report.translated(o.at(), rule);
      }
    }
  }

  /** The if-directive the difference comes from, or the proxy_pass when there is none. */
  private static Directive condition(Rewrite.Outcome o, Rewrite.Outcome other, String var) {
    List<Directive> all = new ArrayList<>(o.used());
    all.addAll(other.used());
    for (Directive d : all) {
      if (d.name().equals("if") && String.join(" ", d.args()).contains(var)) {
        return d;
      }
    }
    for (Directive d : all) {
      if (d.name().equals("map") && d.arg(0).contains(var)) {
        return d;
      }
    }
    return o.at();
  }

  private void serverChild(Directive d, Directive s, Plan.Host h, boolean tls) {
    switch (d.name()) {
      case "listen", "server_name", "ssl_certificate", "ssl_certificate_key", "ssl" -> {}
      case "access_log" -> {
        h.logPath = logPath(d);
        logFormat(d, "hosts[].access-log.path");
      }
      case "client_max_body_size",
          "proxy_connect_timeout",
          "proxy_read_timeout",
          "proxy_send_timeout",
          "set",
          "if" -> {}
      case "location" -> location(d, s, h, tls);
      case "proxy_pass" -> {}
      default -> generic(d);
    }
  }

  private void location(Directive loc, Directive s, Plan.Host h, boolean tls) {
    String p = Rewrite.prefixOf(loc);
    Directive staticDir = null;
    for (Directive c : loc.children()) {
      if (c.name().equals("root") || c.name().equals("alias")) {
        staticDir = c;
      }
    }
    if (staticDir != null) {
      if (p != null && (p.equals("/download") || p.equals("/download/"))) {
        h.downloadDir =
            staticDir.name().equals("alias")
                ? file(staticDir.arg(0))
                : file(staticDir.arg(0)) + "/download";
        report.translated(loc, "download-dir: " + h.downloadDir);
        report.translated(staticDir, "download-dir: " + h.downloadDir);
      } else {
        report.notUnderstood(loc, "static files are served only from download-dir at /download/");
      }
    } else if (!report.has(loc)) {
      boolean used = false;
      for (Directive c : loc.children()) {
        used |= report.has(c);
      }
      if (used) {
        report.translated(loc, "handled by the host's routing");
      } else {
        report.notUnderstood(loc, "no sample request reaches this location");
      }
    }
    for (Directive c : loc.children()) {
      switch (c.name()) {
        case "proxy_pass", "root", "alias", "set", "if", "client_max_body_size" -> {
          if (!report.has(c)) {
            report.notUnderstood(c, "not reached by any registry or UI request");
          }
        }
        case "proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout" -> {
          if (!report.has(c)) {
            report.notUnderstood(c, "its location proxies nowhere the router routes to");
          }
        }
        case "proxy_set_header" -> header(c, tls);
        case "access_log" -> {
          h.logPath = logPath(c);
          report.changed(c, "a location's log becomes the whole host's access log");
        }
        default -> {
          if (!report.has(c)) {
            generic(c);
          }
        }
      }
    }
  }

  /** Listener per (address, port); returns whether this server speaks TLS. */
  private boolean listeners(Directive s) throws NginxException {
    Directive cert = find(s, "ssl_certificate");
    Directive key = find(s, "ssl_certificate_key");
    Directive sslOn = find(s, "ssl");
    boolean tls = false;
    for (Directive l : s.children()) {
      if (!l.name().equals("listen")) {
        continue;
      }
      String addr = l.arg(0);
      if (addr.startsWith("unix:")) {
        report.notUnderstood(l, "unix sockets are not supported");
        continue;
      }
      String host = "0.0.0.0";
      String port = addr;
      int colon = addr.lastIndexOf(':');
      if (addr.startsWith("[")) {
        report.changed(
            l,
            "one listener per port on 0.0.0.0; IPv6 [::] listens are merged into it (set"
                + " address: '::' for dual stack)");
        continue;
      }
      if (colon >= 0) {
        host = addr.substring(0, colon).equals("*") ? "0.0.0.0" : addr.substring(0, colon);
        port = addr.substring(colon + 1);
      } else if (!port.matches("\\d+")) {
        host = addr;
        port = "80";
      }
      boolean ssl = l.args().contains("ssl") || (sslOn != null && sslOn.arg(0).equals("on"));
      tls |= ssl;
      int portNo = Integer.parseInt(port);
      Plan.Listener existing = null;
      for (Plan.Listener x : plan.listeners) {
        if (x.address.equals(host) && x.port == portNo) {
          existing = x;
        }
      }
      List<String> extras = new ArrayList<>(l.args().subList(1, l.args().size()));
      extras.remove("ssl");
      if (extras.remove("default_server") | extras.remove("default")) {
        pendingDefault = true;
      }
      if (extras.remove("http2")) {
        report.changed(l, http2Reason());
      }
      if (!extras.isEmpty()) {
        report.changed(l, "listen options " + extras + " have no router equivalent");
      }
      if (existing == null) {
        Plan.Listener x = new Plan.Listener();
        x.address = host;
        x.port = portNo;
        x.from = l.where().toString();
        if (ssl) {
          if (cert == null || key == null) {
            throw new NginxException(l.where(), "ssl listener without ssl_certificate/_key");
          }
          x.cert = file(cert.arg(0));
          x.key = file(key.arg(0));
          report.translated(cert, "listeners[].tls.cert-file");
          report.translated(key, "listeners[].tls.key-file");
        }
        x.name = (ssl ? "https" : "http") + (portNo == 443 || portNo == 80 ? "" : "-" + portNo);
        plan.listeners.add(x);
        report.translated(l, "listeners[" + (plan.listeners.size() - 1) + "] " + x.name);
      } else {
        if ((existing.cert != null) != ssl) {
          throw new NginxException(l.where(), "port " + portNo + " is both TLS and plain");
        }
        if (ssl && cert != null && !file(cert.arg(0)).equals(existing.cert)) {
          report.changed(
              cert,
              "one certificate per listener: "
                  + existing.cert
                  + " (from "
                  + existing.from
                  + ") is used; it must cover this host's names");
          report.changed(key, "see ssl_certificate");
        } else if (ssl) {
          report.translated(cert, "same certificate as listener " + existing.name);
          report.translated(key, "same key as listener " + existing.name);
        }
        report.translated(l, "listener " + existing.name + " (shared)");
      }
    }
    if (sslOn != null) {
      report.translated(sslOn, "listeners with tls");
    }
    return tls;
  }

  /** A merged-away server block's directives: each is covered by the block's own line. */
  private void markAll(Directive s) {
    for (Directive d : s.children()) {
      if (!report.has(d)) {
        report.changed(d, "part of a server block merged into an earlier one (see its line)");
      }
      if (d.isBlock()) {
        markAll(d);
      }
    }
  }

  /** Set by a {@code listen … default_server} of the server being read. */
  private boolean pendingDefault;

  /** Reads server_name into the host; false when every name already belongs to a host. */
  private boolean names(Directive s, Plan.Host h) {
    Set<String> names = new LinkedHashSet<>();
    int duplicates = 0;
    boolean underscore = false;
    for (Directive d : s.children()) {
      if (!d.name().equals("server_name")) {
        continue;
      }
      List<String> skipped = new ArrayList<>();
      for (String n : d.args()) {
        String l = n.toLowerCase(Locale.ROOT);
        if (l.equals("_") || l.isEmpty()) {
          underscore = true;
        } else if (l.startsWith("~")) {
          skipped.add(n);
        } else if (l.startsWith(".")) {
          names.add("*" + l);
          names.add(l.substring(1));
        } else if (l.endsWith(".*")) {
          skipped.add(n);
        } else {
          names.add(l);
        }
      }
      List<String> taken = new ArrayList<>();
      for (Plan.Host other : plan.hosts) {
        for (String n : other.names) {
          if (names.remove(n)) {
            taken.add(n + " (" + other.from + ")");
          }
        }
      }
      duplicates += taken.size();
      if (!taken.isEmpty()) {
        report.changed(
            d,
            "hosts are chosen by name, not by port: "
                + String.join(", ", taken)
                + " already belong to an earlier server block, whose routing applies");
      } else if (skipped.isEmpty()) {
        report.translated(d, "server-names");
      } else {
        report.changed(
            d,
            "regex and trailing-wildcard names are not supported, left out: "
                + String.join(" ", skipped));
      }
    }
    h.names.addAll(names);
    if (names.isEmpty() && duplicates > 0) {
      return false;
    }
    boolean anyDefault = plan.hosts.stream().anyMatch(x -> x.isDefault);
    if ((pendingDefault || underscore || names.isEmpty()) && !anyDefault) {
      h.isDefault = true;
    }
    pendingDefault = false;
    return true;
  }

  private void redirect(Directive r) {
    int httpsPort = 443;
    for (Plan.Listener l : plan.listeners) {
      if (l.cert != null) {
        httpsPort = l.port;
        break;
      }
    }
    Set<String> names = new LinkedHashSet<>();
    for (Directive d : r.children()) {
      if (d.name().equals("server_name")) {
        names.addAll(d.args());
        report.translated(d, "hosts with these names get https-redirect-port");
      }
    }
    boolean all = names.isEmpty() || names.contains("_");
    for (Plan.Host h : plan.hosts) {
      if (all || h.names.stream().anyMatch(names::contains)) {
        h.redirectPort = httpsPort;
      }
    }
    report.translated(r, "https-redirect-port: " + httpsPort + " on the hosts it names");
    for (Directive d : r.children()) {
      switch (d.name()) {
        case "listen" -> {
          try {
            listeners(new Directive("server", List.of(), List.of(d), r.where()));
          } catch (NginxException e) {
            report.notUnderstood(d, e.getMessage());
          }
        }
        case "return" -> report.translated(d, "https-redirect-port: " + httpsPort);
        case "location" -> {
          report.translated(d, "https redirect");
          for (Directive c : d.children()) {
            report.translated(c, "https-redirect-port: " + httpsPort);
          }
        }
        case "server_name" -> {}
        default -> generic(d);
      }
    }
    pendingDefault = false;
    report.changed(
        r,
        "https-redirect-port on the hosts it names; note that the router serves every host on"
            + " every listener");
  }

  /** The plan upstream for a proxy outcome: an upstream block, or a URL of its own. */
  private String upstream(Rewrite.Outcome o, Directive server) throws NginxException {
    String url = o.value();
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      throw new NginxException(o.at().where(), "proxy_pass '" + url + "' is not a URL");
    }
    String sch = url.substring(0, scheme);
    String rest = url.substring(scheme + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String uri = slash < 0 ? "" : rest.substring(slash);
    String pathPrefix = pathPrefix(uri, o);
    Directive block = upstreamBlocks.get(authority);
    String name = (block != null ? authority : authority.replaceAll("[^A-Za-z0-9]+", "_"));
    if (!pathPrefix.isEmpty()) {
      name = name + "_" + pathPrefix.substring(pathPrefix.lastIndexOf('/') + 1);
    }
    Plan.Upstream u = plan.upstreams.get(name);
    if (u == null) {
      u = new Plan.Upstream();
      u.name = name;
      if (block != null) {
        u.from = block.where().toString();
        report.translated(block, "upstreams." + name);
        for (Directive c : block.children()) {
          upstreamServer(c, sch, pathPrefix, u);
        }
        if (u.servers.isEmpty()) {
          throw new NginxException(block.where(), "upstream " + authority + " has no server");
        }
      } else {
        u.from = o.at().where().toString();
        u.servers.add(sch + "://" + authority + pathPrefix);
      }
      plan.upstreams.put(name, u);
    }
    timeouts(u, o.location(), server, o.at());
    return name;
  }

  private void upstreamServer(Directive c, String scheme, String pathPrefix, Plan.Upstream u) {
    switch (c.name()) {
      case "server" -> {
        if (c.arg(0).startsWith("unix:")) {
          report.notUnderstood(c, "unix sockets are not supported");
          return;
        }
        u.servers.add(scheme + "://" + c.arg(0) + pathPrefix);
        if (c.args().size() > 1) {
          report.changed(
              c,
              "server options "
                  + c.args().subList(1, c.args().size())
                  + " are not supported: servers are used in turn, GET/HEAD retried on the next");
        } else {
          report.translated(c, "upstreams." + u.name + ".servers");
        }
      }
      case "keepalive", "keepalive_timeout", "keepalive_requests" ->
          report.changed(
              c, "pooled per I/O thread: upstreams." + u.name + ".keepalive (64 per thread)");
      default -> report.notUnderstood(c, "upstream option without a router equivalent");
    }
  }

  /** {@code /repository/NAME} when proxy_pass carries a Nexus repository path, else "". */
  private String pathPrefix(String uri, Rewrite.Outcome o) throws NginxException {
    if (uri.isEmpty() || uri.equals("/")) {
      return "";
    }
    String loc = o.location() == null ? null : Rewrite.prefixOf(o.location());
    String p = uri;
    if (loc != null && p.endsWith(loc)) {
      p = p.substring(0, p.length() - loc.length());
    } else if (loc != null && loc.equals("/")) {
      p = p.replaceAll("/+$", "");
    } else {
      p = p.replaceAll("/v2/?$", "").replaceAll("/+$", "");
    }
    if (p.matches("/repository/[A-Za-z0-9._-]+")) {
      return p;
    }
    throw new NginxException(
        o.at().where(),
        "proxy_pass URI '" + uri + "' is neither empty nor a Nexus /repository/NAME path");
  }

  private void timeouts(Plan.Upstream u, Directive loc, Directive server, Directive at) {
    String[] names = {"proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout"};
    Duration[] seen = timeouts.computeIfAbsent(u.name, k -> new Duration[3]);
    for (int i = 0; i < 3; i++) {
      Directive d = effective(names[i], loc, server);
      if (d == null) {
        continue;
      }
      Duration v = Sizes.parseDuration(d.arg(0));
      if (v == null) {
        report.notUnderstood(d, "not a duration");
        continue;
      }
      String key =
          switch (i) {
            case 0 -> "connect-timeout";
            case 1 -> "read-timeout";
            default -> "write-timeout";
          };
      if (seen[i] != null && !seen[i].equals(v)) {
        Duration max = seen[i].compareTo(v) >= 0 ? seen[i] : v;
        report.changed(
            d,
            "upstreams."
                + u.name
                + "."
                + key
                + ": locations disagree ("
                + Sizes.format(seen[i])
                + " / "
                + Sizes.format(v)
                + "), the longer is kept");
        v = max;
      } else {
        report.translated(d, "upstreams." + u.name + "." + key + ": " + Sizes.format(v));
      }
      seen[i] = v;
      String text = Sizes.format(v);
      switch (i) {
        case 0 -> u.connect = text;
        case 1 -> u.read = text;
        default -> u.write = text;
      }
    }
  }

  private void maxBody(Directive s, Plan.Host h, Directive loc) {
    Directive d = effective("client_max_body_size", loc, s);
    for (Directive x : all("client_max_body_size", s)) {
      if (x != d && !report.has(x)) {
        report.changed(x, "one max-body-size per host: the one the host's requests use is kept");
      }
    }
    if (d == null) {
      return;
    }
    long n = Sizes.parseBytes(d.arg(0));
    if (n < 0) {
      report.notUnderstood(d, "not a size");
    } else if (h.registry) {
      report.changed(
          d,
          "the "
              + d.arg(0)
              + " cap is lifted on the registry host: nginx needed this line only to raise its"
              + " 1 MiB default, and it makes any layer larger than "
              + d.arg(0)
              + " fail with 413; the router streams bodies of any size (add max-body-size to"
              + " keep a cap)");
    } else {
      h.maxBody = d.arg(0).toLowerCase(Locale.ROOT);
      report.translated(d, "max-body-size: " + h.maxBody);
    }
  }

  /** The directive in force: the location's own, else the server's, else the http block's. */
  private Directive effective(String name, Directive loc, Directive server) {
    for (Directive scope : new Directive[] {loc, server, http}) {
      if (scope != null && scope.isBlock()) {
        Directive d = find(scope, name);
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }

  private List<Directive> all(String name, Directive server) {
    List<Directive> out = new ArrayList<>();
    for (Directive scope : new Directive[] {server, http}) {
      for (Directive d : scope.children()) {
        if (d.name().equals(name)) {
          out.add(d);
        }
        if (scope == server && d.name().equals("location") && d.isBlock()) {
          for (Directive c : d.children()) {
            if (c.name().equals(name)) {
              out.add(c);
            }
          }
        }
      }
    }
    return out;
  }

  private static Directive find(Directive block, String name) {
    Directive found = null;
    for (Directive d : block.children()) {
      if (d.name().equals(name)) {
        found = d;
      }
    }
    return found;
  }

  private String logPath(Directive d) {
    String p = d.arg(0);
    return p.equals("off") ? "off" : file(p);
  }

  private void logFormat(Directive d, String key) {
    String fmt = d.args().size() > 1 ? d.arg(1) : "combined";
    if (!fmt.equals("combined") && !d.arg(0).equals("off")) {
      report.changed(
          d,
          key
              + ": log format '"
              + fmt
              + "' becomes the router's combined format (nginx combined + route, upstream, rt)");
    } else if (d.args().size() > 2) {
      report.changed(d, key + ": options " + d.args().subList(2, d.args().size()) + " dropped");
    } else {
      report.translated(d, key);
    }
  }

  private String file(String name) {
    Path p = Path.of(name);
    return (p.isAbsolute() ? p : prefix.resolve(p)).normalize().toString();
  }
}
