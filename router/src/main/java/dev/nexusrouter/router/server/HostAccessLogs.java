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

  private final RouterConfig config;
  private final Clock clock;

  /** Replaced as a whole by {@link #reopen}; a null value is a host whose log is off. */
  private volatile Map<VirtualHostConfig, AccessLog> logs;

  private HostAccessLogs(RouterConfig config, Clock clock) throws IOException {
    this.config = config;
    this.clock = clock;
    this.logs = openAll();
  }

  static HostAccessLogs open(RouterConfig config, Clock clock) throws IOException {
    return new HostAccessLogs(config, clock);
  }

  private Map<VirtualHostConfig, AccessLog> openAll() throws IOException {
    Map<VirtualHostConfig, AccessLog> out = new IdentityHashMap<>();
    try {
      for (VirtualHostConfig h : config.hosts()) {
        RouterConfig.AccessLog a = h.accessLog();
        if (a != null) {
          out.put(
              h, AccessLog.open(a.path(), a.format(), a.maxSize(), a.maxFiles(), a.group(), clock));
        }
      }
    } catch (IOException | RuntimeException e) {
      closeAll(out);
      throw e;
    }
    return out;
  }

  /** {@code next}, preceded by attaching the host's own log when it has one. */
  HttpHandler wrap(VirtualHostConfig host, HttpHandler next) {
    if (host.accessLog() == null) {
      return next;
    }
    return exchange -> {
      AccessLog log = logs.get(host);
      ExchangeTags.of(exchange).logOwner = log == null ? OFF : log;
      if (log != null) {
        log.attach(exchange);
      }
      next.handleRequest(exchange);
    };
  }

  /** Reopens every host's file (after an external rotation; SIGUSR1 with the top-level log). */
  void reopen() throws IOException {
    Map<VirtualHostConfig, AccessLog> old = logs;
    logs = openAll();
    closeAll(old);
  }

  @Override
  public void close() {
    closeAll(logs);
  }

  private static void closeAll(Map<VirtualHostConfig, AccessLog> logs) {
    for (AccessLog l : logs.values()) {
      if (l != null) {
        l.close();
      }
    }
  }
}
