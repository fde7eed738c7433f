package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.AccessLog;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The access logs of hosts that have their own ({@code hosts[].access-log}, nginx's server-level
 * {@code access_log}). A host's log replaces the top-level one for its requests, as in nginx. One
 * set per configuration: a reload opens the new set and closes the old one after the swap.
 */
final class HostAccessLogs implements AutoCloseable {
  /** Owner marker for a host whose log is {@code off}: the top-level log skips its requests. */
  private static final Object OFF = new Object();

  private final Map<VirtualHostConfig, AccessLog> logs = new IdentityHashMap<>();

  private HostAccessLogs() {}

  static HostAccessLogs open(RouterConfig config, Clock clock) throws IOException {
    HostAccessLogs out = new HostAccessLogs();
    try {
      for (VirtualHostConfig h : config.hosts()) {
        RouterConfig.AccessLog a = h.accessLog();
        if (a != null) {
          out.logs.put(h, AccessLog.open(a.path(), a.format(), a.maxSize(), a.maxFiles(), clock));
        }
      }
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
    return out;
  }

  /** {@code next}, preceded by attaching the host's own log when it has one. */
  HttpHandler wrap(VirtualHostConfig host, HttpHandler next) {
    if (!logs.containsKey(host)) {
      return next;
    }
    AccessLog log = logs.get(host);
    return exchange -> {
      ExchangeTags.of(exchange).logOwner = log == null ? OFF : log;
      if (log != null) {
        log.attach(exchange);
      }
      next.handleRequest(exchange);
    };
  }

  @Override
  public void close() {
    for (AccessLog l : logs.values()) {
      if (l != null) {
        l.close();
      }
    }
  }
}
