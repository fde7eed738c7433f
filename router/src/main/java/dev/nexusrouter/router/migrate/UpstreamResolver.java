package dev.nexusrouter.router.migrate;

import dev.nexusrouter.router.config.Sizes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The plan's upstreams: an nginx {@code upstream} block keeps its name and servers, a {@code
 * proxy_pass} to a URL gets an upstream of its own, a {@code /repository/NAME} URI becomes a
 * path-mode upstream; the proxy timeouts in force where it is used become its timeouts.
 */
final class UpstreamResolver {
  private final Report report;
  private final Plan plan;
  private final Map<String, Directive> upstreamBlocks;
  private final Directive http;
  private final Map<String, Duration[]> timeouts = new HashMap<>();

  UpstreamResolver(
      Report report, Plan plan, Map<String, Directive> upstreamBlocks, Directive http) {
    this.report = report;
    this.plan = plan;
    this.upstreamBlocks = upstreamBlocks;
    this.http = http;
  }

  /** The plan upstream for a proxy outcome: an upstream block, or a URL of its own. */
  String upstream(Rewrite.Outcome o, Directive server) throws NginxException {
    String url = o.value();
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      throw new NginxException(
          o.at().where(), "proxy_pass '" + Redact.text(url) + "' is not a URL");
    }
    String sch = url.substring(0, scheme);
    String rest = url.substring(scheme + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    if (authority.contains("@")) {
      // the router sends no credentials of its own upstream, and the output must not carry them
      throw new NginxException(
          o.at().where(),
          "proxy_pass '"
              + Redact.text(url)
              + "' carries credentials (user:password@): the router does not send credentials"
              + " upstream; needs manual work (give the client its own Nexus login)");
    }
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
        "proxy_pass URI '"
            + Redact.text(uri)
            + "' is neither empty nor a Nexus /repository/NAME path");
  }

  private void timeouts(Plan.Upstream u, Directive loc, Directive server, Directive at) {
    String[] names = {"proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout"};
    Duration[] seen = timeouts.computeIfAbsent(u.name, k -> new Duration[3]);
    for (int i = 0; i < 3; i++) {
      Directive d = Directive.effective(names[i], loc, server, http);
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
}
