package dev.nexusrouter.router.server;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.ExchangeTags;
import dev.nexusrouter.router.proxy.HeadFallback;
import dev.nexusrouter.router.proxy.LocationRewriter;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.proxy.Upstream;
import dev.nexusrouter.router.route.AcceptShape;
import dev.nexusrouter.router.route.PathKind;
import dev.nexusrouter.router.route.RegistryMethods;
import dev.nexusrouter.router.route.RegistryPath;
import dev.nexusrouter.router.route.RegistryPathParser;
import dev.nexusrouter.router.route.RequestFacts;
import dev.nexusrouter.router.route.RouteRow;
import dev.nexusrouter.router.route.Target;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A registry host: parses the path once, picks the first matching route row, and forwards to the
 * upstream the row names.
 */
final class RegistryHostHandler implements HttpHandler {
  private static final Logger LOG = Logger.getLogger("nexus-router.routing");

  private final VirtualHostConfig host;
  private final Map<String, Upstream> upstreams;
  private final LocationRewriter rewriter;
  private final AtomicLong unclassified;
  private final Function<String, String> repositoryUpstream;

  RegistryHostHandler(
      VirtualHostConfig host,
      Map<String, Upstream> upstreams,
      Map<String, Upstream> byRepository,
      LocationRewriter rewriter,
      AtomicLong unclassified) {
    this.host = host;
    this.upstreams = upstreams;
    this.rewriter = rewriter;
    this.unclassified = unclassified;
    this.repositoryUpstream =
        repository -> {
          Upstream u = byRepository.get(repository);
          return u == null ? null : u.name();
        };
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String rawPath = Upstream.rawPath(exchange);
    RegistryPath path = RegistryPathParser.parse(rawPath);
    // ';' starts a path parameter, which Nexus's Jetty strips before matching: "manifests;x/1"
    // would be a manifest to Nexus but not to the route table (a HEAD would go to hosted instead
    // of group). No repository name, tag or digest may contain it, so it is refused.
    if (path.kind() == PathKind.INVALID || rawPath.indexOf(';') >= 0) {
      RegistryErrors.send(
          exchange,
          RegistryError.of(400, "NAME_INVALID", "invalid repository path")
              .withDetail(
                  "encoded slashes, dot segments, empty segments and path parameters are not accepted"));
      return;
    }
    String method = exchange.getRequestMethod().toString();
    if (!RegistryMethods.contains(method)) {
      // route rows can only name these methods; anything else ("get", TRACE, CONNECT, FOO) would
      // reach an upstream only through a catch-all row, which Nexus might read differently
      RegistryErrors.send(
          exchange,
          RegistryError.of(405, "UNSUPPORTED", "method not allowed")
              .withDetail("registry hosts accept " + String.join(", ", RegistryMethods.ORDER)));
      return;
    }
    RequestFacts facts = new RequestFacts(method, path, acceptTypes(exchange, method, path));
    RouteRow row = host.routes().match(facts);
    ExchangeTags tags = ExchangeTags.of(exchange);
    if (row == null) {
      RegistryErrors.send(
          exchange, RegistryError.of(404, "NOT_FOUND", "no route for this request"));
      return;
    }
    tags.route = row.id();
    String name = row.target().resolve(method, path, host, repositoryUpstream);
    Upstream upstream = name == null ? null : upstreams.get(name);
    if (upstream == null) {
      RegistryErrors.send(
          exchange,
          RegistryError.of(404, "NAME_UNKNOWN", "no upstream serves this repository path"));
      return;
    }
    if (row.unclassified()) {
      tags.unclassified = true;
      long n = unclassified.incrementAndGet();
      if (n <= 100 || Long.bitCount(n) == 1) {
        // rare by design; logged so the table can grow a row for it (never the query string)
        LOG.info(
            () ->
                "unclassified request #"
                    + n
                    + ": "
                    + method
                    + " "
                    + path.kind().wireName()
                    + " -> "
                    + upstream.name());
      }
    }
    if (path.repository() != null) {
      stripRepositoryPrefix(exchange, rawPath);
    }
    exchange.addResponseCommitListener(rewriter);
    if (row.target().kind() == Target.Kind.HOSTED_THEN_GROUP) {
      HeadFallback.forward(exchange, upstream, upstreams.get(host.group()));
      return;
    }
    upstream.forward(exchange, host.maxBodySize());
  }

  private static void stripRepositoryPrefix(HttpServerExchange exchange, String rawPath) {
    int end = rawPath.indexOf('/', "/repository/".length());
    exchange.setRequestURI(rawPath.substring(end), false);
    exchange.setRequestPath(rawPath.substring(end));
    exchange.setRelativePath(rawPath.substring(end));
  }

  /**
   * Concrete media types in {@code Accept}, counted only for HEAD of a manifest or blob: the one
   * place where the Accept shape tells a push existence check from a pull resolve
   * (docs/client-request-shapes.md). Every other request skips the scan.
   */
  static int acceptTypes(HttpServerExchange exchange, String method, RegistryPath path) {
    if (!method.equals("HEAD")
        || (path.kind() != PathKind.MANIFEST && path.kind() != PathKind.BLOB)) {
      return 0;
    }
    return AcceptShape.count(exchange.getRequestHeaders().get(Headers.ACCEPT));
  }
}
