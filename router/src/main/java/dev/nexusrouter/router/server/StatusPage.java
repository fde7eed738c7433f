package dev.nexusrouter.router.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexusrouter.common.BuildInfo;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.StatusBoard;
import dev.nexusrouter.router.observe.UpstreamHealth;
import dev.nexusrouter.router.route.RegistryPath;
import dev.nexusrouter.router.route.RegistryPathParser;
import dev.nexusrouter.router.route.RouteRow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin listener's status page: {@code /status} (server-rendered HTML that polls {@code
 * status.json} once a second with a few lines of inline JavaScript), {@code /status.json}, and
 * {@code /} redirecting to {@code status}. All URLs are relative, so the page works behind a path
 * prefix; no external assets. Paths are shown without query strings; no header is ever shown, and
 * upstream URLs lose any user-info. Other paths go to the admin handler. See docs/status-page.md.
 */
final class StatusPage implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.regex.Pattern USER_INFO =
      java.util.regex.Pattern.compile("//[^/@\\s]+@");
  private static final String CSP =
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
          + " connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'";

  private final StatusBoard board;
  private final Supplier<UpstreamHealth> health;
  private final Supplier<RouterConfig> config;
  private final Clock clock;
  private final HttpHandler next;

  StatusPage(
      StatusBoard board,
      Supplier<UpstreamHealth> health,
      Supplier<RouterConfig> config,
      Clock clock,
      HttpHandler next) {
    this.board = board;
    this.health = health;
    this.config = config;
    this.clock = clock;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRequestPath();
    boolean mine = path.equals("/") || path.equals("/status") || path.equals("/status.json");
    if (!mine) {
      next.handleRequest(exchange);
      return;
    }
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    if (!exchange.getRequestMethod().equals(Methods.GET)
        && !exchange.getRequestMethod().equals(Methods.HEAD)) {
      next.handleRequest(exchange); // its 405
      return;
    }
    var h = exchange.getResponseHeaders();
    h.put(Headers.CACHE_CONTROL, "no-store");
    h.put(new HttpString("X-Content-Type-Options"), "nosniff");
    switch (path) {
      case "/" -> {
        exchange.setStatusCode(302);
        h.put(Headers.LOCATION, "status"); // relative: keeps a path prefix in front of it
        exchange.endExchange();
      }
      case "/status.json" -> {
        h.put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(JSON.writeValueAsString(snapshot()));
      }
      default -> {
        h.put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        h.put(new HttpString("Content-Security-Policy"), CSP);
        exchange.getResponseSender().send(StatusHtml.render(snapshot()));
      }
    }
  }

  /** Everything the page shows, as the JSON document {@code /status.json} serves. */
  ObjectNode snapshot() {
    RouterConfig c = config.get();
    ObjectNode root = JSON.createObjectNode();
    root.put("version", BuildInfo.version());
    root.put("time", clock.instant().toString());
    UpstreamHealth hc = health.get();
    Map<String, UpstreamHealth.Result> checks = hc == null ? Map.of() : hc.results();
    ArrayNode ups = root.putArray("upstreams");
    java.util.List<UpstreamConfig> sorted = new java.util.ArrayList<>(c.upstreams().values());
    sorted.sort(java.util.Comparator.comparing(UpstreamConfig::name));
    for (UpstreamConfig u : sorted) {
      ObjectNode n = ups.addObject();
      n.put("name", u.name());
      ArrayNode servers = n.putArray("servers");
      u.servers().forEach(s -> servers.add(withoutUserInfo(s)));
      UpstreamHealth.Result r = checks.get(u.name());
      n.put("state", r == null ? "unknown" : r.up() ? "up" : "down");
      n.put(
          "detail", r == null ? "not checked yet" : USER_INFO.matcher(r.detail()).replaceAll("//"));
      if (r != null) {
        n.put("checkedAt", r.at().toString());
        n.put("latencyMs", r.latencyMillis());
      }
      StatusBoard.UpstreamSeen seen = board.upstream(u.name());
      n.put("requests", seen == null ? 0 : seen.requests());
      if (seen != null && seen.lastError() != null) {
        n.put("lastError", seen.lastError());
        n.put("lastErrorAt", seen.lastErrorAt().toString());
      }
    }
    ArrayNode routes = root.putArray("routes");
    Map<String, String> rules = new LinkedHashMap<>();
    for (VirtualHostConfig h : c.hosts()) {
      if (h.kind() == VirtualHostConfig.Kind.REGISTRY) {
        for (RouteRow r : h.routes().rows()) {
          String rule = r.describe();
          rules.putIfAbsent(
              r.id(), rule.startsWith(r.id() + ": ") ? rule.substring(r.id().length() + 2) : rule);
        }
      } else {
        rules.putIfAbsent("ui", "UI host " + String.join(", ", h.serverNames()));
      }
    }
    for (String id : board.routesSeen()) {
      rules.putIfAbsent(id, id.equals("-") ? "answered by the router (no route)" : id);
    }
    for (var e : rules.entrySet()) {
      StatusBoard.RouteCounts k = board.routeCounts(e.getKey());
      ObjectNode n = routes.addObject();
      n.put("id", e.getKey());
      n.put("rule", e.getValue());
      n.put("count1m", k.count1m());
      n.put("errors1m", k.errors1m());
      n.put("count5m", k.count5m());
      n.put("errors5m", k.errors5m());
    }
    ArrayNode transfers = root.putArray("transfers");
    int shown = 0;
    java.util.List<StatusBoard.Transfer> inFlight = board.transfers();
    for (StatusBoard.Transfer t : inFlight) {
      if (shown++ >= 50) {
        break;
      }
      ObjectNode n = transfers.addObject();
      n.put("method", t.method());
      n.put("repository", repository(t.path()));
      n.put("path", t.path());
      n.put("route", t.route());
      n.put("upstream", t.upstream());
      n.put("bytes", t.bytes());
      n.put("bytesPerSecond", Math.round(t.bytesPerSecond()));
      n.put("ageSeconds", Math.round(t.ageSeconds() * 10) / 10.0);
    }
    root.put("inFlight", inFlight.size());
    root.put("untracked", board.untracked());
    ArrayNode errors = root.putArray("errors");
    for (StatusBoard.RouterError e : board.errors()) {
      ObjectNode n = errors.addObject();
      n.put("at", e.at().toString());
      n.put("status", e.status());
      n.put("code", e.code());
      n.put("message", e.message());
      n.put("method", e.method());
      n.put("path", e.path());
    }
    return root;
  }

  private static String repository(String path) {
    RegistryPath p = RegistryPathParser.parse(path);
    return p.name() == null ? "-" : p.name();
  }

  static String withoutUserInfo(URI u) {
    if (u.getRawUserInfo() == null) {
      return u.toString();
    }
    try {
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return u.getScheme() + "://" + u.getHost();
    }
  }
}
