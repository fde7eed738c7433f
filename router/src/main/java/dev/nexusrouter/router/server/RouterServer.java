package dev.nexusrouter.router.server;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.config.ListenerConfig;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.AccessLog;
import dev.nexusrouter.router.observe.ExchangeTags;
import dev.nexusrouter.router.proxy.LocationRewriter;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.proxy.Upstream;
import dev.nexusrouter.router.route.PushContextTracker;
import dev.nexusrouter.router.tls.ServerTls;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.xnio.Options;
import org.xnio.Sequence;

/** Assembles the handler chain from a {@link RouterConfig} and runs it on Undertow. */
public final class RouterServer implements AutoCloseable {
  static {
    // Closing an upstream connection (response timeout, body limit, aborted client) goes through
    // Undertow's ConnectionUtils.cleanClose, which drains the peer for up to 10 s before the
    // failure reaches the client. Read once when that class loads, so set it before any use.
    if (System.getProperty("io.undertow.max-drain-time") == null) {
      System.setProperty("io.undertow.max-drain-time", "200");
    }
  }

  private final RouterConfig config;
  private final Undertow undertow;
  private final AccessLog accessLog;
  private final AtomicLong unclassified;

  private RouterServer(
      RouterConfig config, Undertow undertow, AccessLog accessLog, AtomicLong unclassified) {
    this.config = config;
    this.undertow = undertow;
    this.accessLog = accessLog;
    this.unclassified = unclassified;
  }

  /** Builds and starts the server; throws on TLS material or bind failures. */
  public static RouterServer start(RouterConfig config, Clock clock) throws IOException {
    AccessLog log = AccessLog.open(config.accessLog().path(), config.accessLog().format(), clock);
    AtomicLong unclassified = new AtomicLong();
    HttpHandler root = buildChain(config, log, unclassified);
    Undertow.Builder b = Undertow.builder();
    int cores = Runtime.getRuntime().availableProcessors();
    b.setIoThreads(Math.max(2, cores));
    b.setWorkerThreads(Math.max(4, cores * 2));
    // 0 = unbounded; Undertow's 2 MiB default would cut every layer upload (pitfall 1)
    b.setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L);
    b.setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true);
    b.setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis(config.client().idle()));
    b.setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(config.client().header()));
    b.setServerOption(UndertowOptions.ENABLE_HTTP2, config.http2());
    // client-side read/write timeouts are socket options, not server options (pitfall 11)
    b.setSocketOption(Options.READ_TIMEOUT, millis(config.client().bodyRead()));
    b.setSocketOption(Options.WRITE_TIMEOUT, millis(config.client().send()));
    for (ListenerConfig l : config.listeners()) {
      if (l.tls() == null) {
        b.addHttpListener(l.port(), l.address());
      } else {
        SSLContext ctx = ServerTls.context(ServerTls.load(l.tls().certFile(), l.tls().keyFile()));
        b.addListener(
            new Undertow.ListenerBuilder()
                .setType(Undertow.ListenerType.HTTPS)
                .setPort(l.port())
                .setHost(l.address())
                .setSslContext(ctx)
                .setOverrideSocketOptions(
                    org.xnio.OptionMap.create(
                        Options.SSL_ENABLED_PROTOCOLS, Sequence.of(ServerTls.PROTOCOLS))));
      }
    }
    b.setHandler(root);
    Undertow undertow = b.build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      if (log != null) {
        log.close();
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException("cannot listen: " + cause.getMessage(), cause);
    }
    return new RouterServer(config, undertow, log, unclassified);
  }

  private static HttpHandler buildChain(
      RouterConfig config, AccessLog log, AtomicLong unclassified) {
    RegistryErrors errors = new RegistryErrors();
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
    for (VirtualHostConfig h : config.hosts()) {
      HttpHandler handler =
          h.kind() == VirtualHostConfig.Kind.REGISTRY
              ? new RegistryHostHandler(
                  h,
                  upstreams,
                  byRepository,
                  new PushContextTracker(h.pushWindow(), System::nanoTime),
                  rewriter,
                  unclassified)
              : new UiHostHandler(h, upstreams.get(h.upstream()), rewriter);
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
    if (fallback == null) {
      fallback =
          exact.isEmpty()
              ? wildcards.get(0).getValue()
              : firstHostHandler(config, exact, wildcards);
    }
    wildcards.sort(
        Comparator.comparingInt((Map.Entry<String, HttpHandler> e) -> e.getKey().length())
            .reversed());
    HostDispatcher dispatcher = new HostDispatcher(exact, wildcards, fallback);
    return exchange -> {
      ExchangeTags.of(exchange);
      if (log != null) {
        log.attach(exchange);
      }
      exchange.addDefaultResponseListener(errors);
      dispatcher.handleRequest(exchange);
    };
  }

  /** nginx's rule: without an explicit default, the first server block takes unknown names. */
  private static HttpHandler firstHostHandler(
      RouterConfig config,
      Map<String, HttpHandler> exact,
      List<Map.Entry<String, HttpHandler>> wildcards) {
    for (String name : config.hosts().get(0).serverNames()) {
      if (exact.containsKey(name)) {
        return exact.get(name);
      }
    }
    return wildcards.isEmpty() ? exact.values().iterator().next() : wildcards.get(0).getValue();
  }

  /** Bound addresses, in listener order, as {@code scheme://host:port}. */
  public List<String> addresses() {
    List<String> out = new ArrayList<>();
    for (Undertow.ListenerInfo li : undertow.getListenerInfo()) {
      InetSocketAddress a = (InetSocketAddress) li.getAddress();
      out.add(li.getProtcol() + "://" + a.getHostString() + ":" + a.getPort());
    }
    return out;
  }

  /** The bound port of listener {@code i} (useful when the config asked for port 0). */
  public int port(int i) {
    return ((InetSocketAddress) undertow.getListenerInfo().get(i).getAddress()).getPort();
  }

  public RouterConfig config() {
    return config;
  }

  public long unclassifiedCount() {
    return unclassified.get();
  }

  @Override
  public void close() {
    undertow.stop();
    if (accessLog != null) {
      accessLog.close();
    }
  }

  private static int millis(java.time.Duration d) {
    long ms = d.toMillis();
    return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) ms;
  }
}
