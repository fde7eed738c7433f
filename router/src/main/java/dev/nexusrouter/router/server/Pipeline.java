package dev.nexusrouter.router.server;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.proxy.LocationRewriter;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.proxy.Upstream;
import io.undertow.server.HttpHandler;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything one configuration builds: upstream pools, virtual hosts and the host dispatcher. A
 * reload builds a new pipeline and swaps it in; exchanges in flight keep the one they started on.
 */
final class Pipeline implements AutoCloseable {
  private final HttpHandler dispatcher;
  private final List<Upstream> upstreams;

  private Pipeline(HttpHandler dispatcher, List<Upstream> upstreams) {
    this.dispatcher = dispatcher;
    this.upstreams = List.copyOf(upstreams);
  }

  /** Closes the upstream pools; only once no exchange runs on this pipeline any more. */
  @Override
  public void close() {
    for (Upstream u : upstreams) {
      u.close();
    }
  }

  HttpHandler dispatcher() {
    return dispatcher;
  }

  /**
   * @param caPem the CA certificate served at {@code /download/ca.crt}, or null
   */
  static Pipeline build(RouterConfig config, byte[] caPem, AtomicLong unclassified) {
    return build(config, caPem, unclassified, null);
  }

  /**
   * @param hostLogs the hosts' own access logs, or null when no host has one
   */
  static Pipeline build(
      RouterConfig config, byte[] caPem, AtomicLong unclassified, HostAccessLogs hostLogs) {
    LocationRewriter rewriter = new LocationRewriter(config.upstreams().values());
    HttpHandler noTarget =
        ex ->
            RegistryErrors.send(
                ex, RegistryError.of(503, "UNAVAILABLE", "no upstream server available"));
    Map<String, Upstream> upstreams = new LinkedHashMap<>();
    Map<String, Upstream> byRepository = new HashMap<>();
    for (UpstreamConfig u : config.upstreams().values()) {
      Upstream up = new Upstream(u, noTarget);
      upstreams.put(u.name(), up);
      if (u.repository() != null) {
        byRepository.put(u.repository(), up);
      }
    }
    Map<String, HttpHandler> exact = new HashMap<>();
    List<Map.Entry<String, HttpHandler>> wildcards = new ArrayList<>();
    HttpHandler fallback = null;
    HttpHandler first = null;
    for (VirtualHostConfig h : config.hosts()) {
      HttpHandler handler =
          h.kind() == VirtualHostConfig.Kind.REGISTRY
              ? new RegistryHostHandler(h, upstreams, byRepository, rewriter, unclassified)
              : new UiHostHandler(h, upstreams.get(h.upstream()), rewriter);
      handler = new HostFront(h, caPem, handler);
      if (hostLogs != null) {
        handler = hostLogs.wrap(h, handler);
      }
      first = first == null ? handler : first;
      for (String name : h.serverNames()) {
        if (name.equals("*")) {
          fallback = fallback == null ? handler : fallback;
        } else if (name.startsWith("*.")) {
          wildcards.add(new AbstractMap.SimpleEntry<>(name.substring(1), handler));
        } else {
          exact.put(name, handler);
        }
      }
      if (h.isDefault()) {
        fallback = handler;
      }
    }
    // nginx's rule: without an explicit default, the first server block takes unknown names
    HttpHandler dflt = fallback != null ? fallback : first;
    wildcards.sort(
        Comparator.comparingInt((Map.Entry<String, HttpHandler> e) -> e.getKey().length())
            .reversed());
    return new Pipeline(
        new HostDispatcher(exact, wildcards, dflt), new ArrayList<>(upstreams.values()));
  }
}
