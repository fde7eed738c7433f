package dev.nexusrouter.router.migrate;

import dev.nexusrouter.router.config.Sizes;
import java.nio.file.Path;
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

  /** The samples as the report names them. */
  static final String SAMPLES =
      String.join(
          ", ",
          java.util.stream.Stream.of(
                  PULL, HEAD_MANIFEST, HEAD_BLOB, UPLOAD, PATCH, PUT, SEARCH, SEARCH_NAMED, ROOT)
              .map(x -> x.method() + " " + x.uri())
              .toList());

  private final Path prefix;
  private final Report report = new Report();
  private final Plan plan = new Plan();
  private final Map<String, Directive> upstreamBlocks = new HashMap<>();
  private final Map<String, Directive> maps = new HashMap<>();
  private Rewrite rewrite;
  private final CommonDirectives common;
  private final ListenerReader listeners;
  private UpstreamResolver upstreams;
  private Directive http;

  private Translator(Path prefix) {
    this.prefix = prefix;
    this.common = new CommonDirectives(report, plan);
    this.listeners = new ListenerReader(report, plan, this::file);
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
    AccessControl.classify(main, report);
    for (Directive d : main) {
      if (d.name().equals("http") && d.isBlock()) {
        http = d;
      } else if (d.name().equals("server") && d.isBlock()) {
        // a file that holds only server blocks (a sites-enabled snippet given on its own)
        http = new Directive("http", List.of(), main, d.where());
        break;
      } else {
        common.generic(d);
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
    upstreams = new UpstreamResolver(report, plan, upstreamBlocks, http);
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
    if (main.contains(http)) {
      report.finish(List.of(http)); // not the stand-in of a server-only file: it has no line
    }
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
      default -> common.generic(d);
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
    Rewrite.Outcome pull = rewrite.run(s, PULL);
    Rewrite.Outcome push = rewrite.run(s, PUT);
    Rewrite.Outcome root = rewrite.run(s, ROOT);
    String why = registryReason(s, pull, push);
    if (why == null && root.kind() != Rewrite.Kind.PROXY) {
      leftOut(
          s,
          "serves neither registry requests nor '/' through proxy_pass (static files,"
              + " redirects or a default site): not a host of the router");
      return;
    }
    try {
      // resolve the main upstreams before anything is added for this block: a proxy_pass the
      // router cannot express leaves the whole block out, listeners included
      upstreams.upstream(why != null ? pull : root, s);
      upstreams.upstream(why != null ? push : root, s);
    } catch (NginxException e) {
      leftOut(s, e.getMessage());
      return;
    }
    report.translated(s, "hosts[" + plan.hosts.size() + "]");
    ListenerReader.Listen listen = listeners.read(s);
    boolean tls = listen.tls();
    pendingDefault = listen.defaultServer();
    Plan.Host h = new Plan.Host();
    h.from = s.where().toString();
    if (!names(s, h)) {
      report.changed(s, "every name belongs to an earlier server block: not a host of its own");
      markAll(s, Report.Status.CHANGED, "part of a server block merged into an earlier one");
      return;
    }
    if (why != null) {
      registry(s, h, pull, push, why);
    } else {
      h.upstream = upstreams.upstream(root, s);
      report.translated(root.at(), "ui host: upstream " + h.upstream);
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
    h.group = upstreams.upstream(pull, s);
    h.hosted = upstreams.upstream(push, s);
    String rule = "registry host (" + why + "): pulls -> " + h.group + ", pushes -> " + h.hosted;
    List<Rewrite.Outcome> runs = new ArrayList<>(List.of(pull, push));
    for (Rewrite.Sample w : List.of(UPLOAD, PATCH)) {
      Rewrite.Outcome o = rewrite.run(s, w);
      runs.add(o);
      if (o.kind() == Rewrite.Kind.PROXY && !upstreams.upstream(o, s).equals(h.hosted)) {
        report.changed(
            o.at(),
            w.method()
                + " uploads went to "
                + upstreams.upstream(o, s)
                + "; the router sends every write"
                + " to hosted ("
                + h.hosted
                + ")");
      }
    }
    for (Rewrite.Sample head : List.of(HEAD_MANIFEST, HEAD_BLOB)) {
      Rewrite.Outcome o = rewrite.run(s, head);
      runs.add(o);
      if (o.kind() == Rewrite.Kind.PROXY && !upstreams.upstream(o, s).equals(h.group)) {
        misroute(
            o,
            pull,
            "request_method",
            "`~* GET` misses HEAD: nginx sent HEAD requests (manifest and blob checks of every"
                + " pull) to "
                + upstreams.upstream(o, s)
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
      String v1 = upstreams.upstream(search, s);
      if (!v1.equals(h.hosted)) {
        h.v1 = v1;
      }
    }
    Rewrite.Outcome named = rewrite.run(s, SEARCH_NAMED);
    runs.add(named);
    if (named.kind() == Rewrite.Kind.PROXY && !upstreams.upstream(named, s).equals(h.group)) {
      misroute(
          named,
          pull,
          "uri",
          "'/search' matched anywhere in the URI: nginx also sent pulls of repositories or tags"
              + " containing '/search' (e.g. team/search) to "
              + upstreams.upstream(named, s)
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

  /**
   * A sample request nginx sent elsewhere than the router will: the line goes on the condition the
   * difference comes from ({@link #condition}).
   */
  private void misroute(Rewrite.Outcome o, Rewrite.Outcome pull, String var, String why) {
    report.changed(condition(o, pull, var), why);
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
      default -> common.generic(d);
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
        report.notUnderstood(
            loc,
            "none of the sample requests the importer routes through each host reaches this"
                + " location ("
                + SAMPLES
                + "); check by hand where requests to it should go");
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
        case "proxy_set_header" -> common.header(c, tls);
        case "access_log" -> {
          h.logPath = logPath(c);
          report.changed(c, "a location's log becomes the whole host's access log");
        }
        default -> {
          if (!report.has(c)) {
            common.generic(c);
          }
        }
      }
    }
  }

  /** A server block the output does not contain: its line says why, every child points there. */
  private void leftOut(Directive s, String why) {
    report.notUnderstood(s, why);
    markAll(s, Report.Status.NOT_UNDERSTOOD, "part of a server block that was left out");
  }

  private void markAll(Directive block, Report.Status status, String note) {
    for (Directive d : block.children()) {
      if (!report.has(d)) {
        report.put(d, status, note + " (see its line)");
      }
      if (d.isBlock()) {
        markAll(d, status, note);
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
            listeners.read(new Directive("server", List.of(), List.of(d), r.where()));
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
        default -> common.generic(d);
      }
    }
    pendingDefault = false;
    report.changed(
        r,
        "https-redirect-port on the hosts it names; note that the router serves every host on"
            + " every listener");
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
    return Directive.effective(name, loc, server, http);
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
