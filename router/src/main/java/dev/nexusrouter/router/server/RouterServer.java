package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ListenerConfig;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.AccessLog;
import dev.nexusrouter.router.observe.ExchangeTags;
import dev.nexusrouter.router.observe.Metrics;
import dev.nexusrouter.router.observe.UpstreamHealth;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.tls.ServerTls;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * Runs a {@link RouterConfig} on Undertow: the handler chain (assembled in {@link #root}), the
 * admin listener, reloads that swap the whole pipeline atomically, and graceful shutdown.
 */
public final class RouterServer implements AutoCloseable {
  static {
    // Closing an upstream connection (response timeout, body limit, aborted client) goes through
    // Undertow's ConnectionUtils.cleanClose, which drains the peer for up to 10 s before the
    // failure reaches the client. Read once when that class loads, so set it before any use.
    if (System.getProperty("io.undertow.max-drain-time") == null) {
      System.setProperty("io.undertow.max-drain-time", "200");
    }
  }

  private final Clock clock;
  private final Metrics metrics = new Metrics();
  private final AtomicLong unclassified = new AtomicLong();
  private final RegistryErrors errors = new RegistryErrors();
  private final GracefulShutdownHandler graceful;
  private volatile RouterConfig config;
  private volatile Pipeline pipeline;
  private volatile AccessLog accessLog;
  private volatile UpstreamHealth health;
  private Undertow undertow;

  private RouterServer(RouterConfig config, Clock clock) throws IOException {
    this.clock = clock;
    this.config = config;
    this.pipeline = Pipeline.build(config, unclassified);
    this.accessLog = openLog(config, clock);
    this.health = health(config, clock);
    this.graceful = new GracefulShutdownHandler(ex -> pipeline.dispatcher().handleRequest(ex));
  }

  /** Builds and starts the server; throws on TLS material or bind failures. */
  public static RouterServer start(RouterConfig config, Clock clock) throws IOException {
    RouterServer s = new RouterServer(config, clock);
    try {
      s.undertow = s.build();
      s.undertow.start();
    } catch (RuntimeException e) {
      s.closeResources();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException("cannot listen: " + cause.getMessage(), cause);
    }
    s.publishCertificateExpiry(config);
    return s;
  }

  /** The main listeners' handler chain, outermost first; see the method body. */
  private void root(io.undertow.server.HttpServerExchange exchange) throws Exception {
    ExchangeTags.of(exchange);
    AccessLog log = accessLog;
    if (log != null) {
      log.attach(exchange); // 1. access log on completion
    }
    metrics.begin(exchange, !exchange.isRequestComplete()); // 2. metrics on completion
    exchange.addDefaultResponseListener(errors); // 3. registry JSON for every router error
    graceful.handleRequest(exchange); // 4. 503 once shutting down, else host -> route -> upstream
  }

  private Undertow build() {
    RouterConfig c = config;
    Undertow.Builder b = Undertow.builder();
    int cores = Runtime.getRuntime().availableProcessors();
    b.setIoThreads(Math.max(2, cores));
    b.setWorkerThreads(Math.max(4, cores * 2));
    // Bodies stream through pooled direct buffers. Undertow's default is 16 KiB; with 64 KiB a
    // 1 GiB layer costs a quarter of the read/write syscalls and upstream chunk headers (measured
    // in BENCHMARKS.md). Memory stays bounded: a proxied exchange holds two or three buffers.
    b.setBufferSize(64 * 1024);
    b.setDirectBuffers(true);
    // 0 = unbounded; Undertow's 2 MiB default would cut every layer upload (pitfall 1)
    b.setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L);
    b.setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true);
    b.setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis(c.client().idle()));
    b.setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(c.client().header()));
    b.setServerOption(UndertowOptions.ENABLE_HTTP2, c.http2());
    // client-side read/write timeouts are socket options, not server options (pitfall 11)
    b.setSocketOption(Options.READ_TIMEOUT, millis(c.client().bodyRead()));
    b.setSocketOption(Options.WRITE_TIMEOUT, millis(c.client().send()));
    for (ListenerConfig l : c.listeners()) {
      Undertow.ListenerBuilder lb =
          new Undertow.ListenerBuilder()
              .setPort(l.port())
              .setHost(l.address())
              .setRootHandler(this::root);
      if (l.tls() == null) {
        lb.setType(Undertow.ListenerType.HTTP);
      } else {
        lb.setType(Undertow.ListenerType.HTTPS)
            .setSslContext(sslContext(l))
            .setOverrideSocketOptions(
                OptionMap.create(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(ServerTls.PROTOCOLS)));
      }
      b.addListener(lb);
    }
    if (c.admin().enabled()) {
      b.addListener(
          new Undertow.ListenerBuilder()
              .setType(Undertow.ListenerType.HTTP)
              .setPort(c.admin().port())
              .setHost(c.admin().address())
              .setRootHandler(new AdminHandler(metrics, () -> health, () -> config)));
    }
    return b.build();
  }

  private static SSLContext sslContext(ListenerConfig l) {
    return ServerTls.context(ServerTls.load(l.tls().certFile(), l.tls().keyFile()));
  }

  /**
   * Applies a new configuration: a new pipeline (routes, hosts, upstream pools), access log and
   * health checks, and fresh certificates for TLS listeners. Requests in flight finish on the old
   * pipeline. Listener addresses and ports, timeouts of client connections and HTTP/2 need a
   * restart; a change there is refused with that reason and the old configuration is kept.
   */
  public synchronized void reload(RouterConfig next) throws IOException {
    List<String> fixed = restartOnlyChanges(config, next);
    if (!fixed.isEmpty()) {
      throw new ConfigException("reload", fixed);
    }
    List<SSLContext> contexts = new ArrayList<>();
    for (ListenerConfig l : next.listeners()) {
      contexts.add(l.tls() == null ? null : sslContext(l)); // all built before anything changes
    }
    AccessLog oldLog = accessLog;
    AccessLog newLog = sameLog(config, next) ? oldLog : openLog(next, clock);
    Pipeline newPipeline = Pipeline.build(next, unclassified);
    UpstreamHealth oldHealth = health;
    pipeline = newPipeline;
    accessLog = newLog;
    health = health(next, clock);
    config = next;
    for (int i = 0; i < contexts.size(); i++) {
      if (contexts.get(i) != null) {
        undertow.getListenerInfo().get(i).setSslContext(contexts.get(i)); // new connections only
      }
    }
    publishCertificateExpiry(next);
    if (oldHealth != null) {
      oldHealth.close();
    }
    if (newLog != oldLog && oldLog != null) {
      oldLog.close();
    }
  }

  /** Re-reads TLS files of the current configuration (SIGHUP without config changes). */
  public void reloadCertificates() {
    RouterConfig c = config;
    for (int i = 0; i < c.listeners().size(); i++) {
      ListenerConfig l = c.listeners().get(i);
      if (l.tls() != null) {
        undertow.getListenerInfo().get(i).setSslContext(sslContext(l));
      }
    }
    publishCertificateExpiry(c);
  }

  /** Reopens the access log file (after an external rotation; SIGUSR1). */
  public void reopenAccessLog() throws IOException {
    AccessLog old = accessLog;
    accessLog = openLog(config, clock);
    if (old != null) {
      old.close();
    }
  }

  private static boolean sameLog(RouterConfig a, RouterConfig b) {
    return a.accessLog().equals(b.accessLog());
  }

  private static List<String> restartOnlyChanges(RouterConfig a, RouterConfig b) {
    List<String> out = new ArrayList<>();
    if (a.listeners().size() != b.listeners().size()) {
      out.add("listeners: the number of listeners changed; restart to apply");
      return out;
    }
    for (int i = 0; i < a.listeners().size(); i++) {
      ListenerConfig x = a.listeners().get(i);
      ListenerConfig y = b.listeners().get(i);
      if (!x.address().equals(y.address())
          || x.port() != y.port()
          || (x.tls() == null) != (y.tls() == null)) {
        out.add("listeners[" + i + "]: address, port or TLS on/off changed; restart to apply");
      }
    }
    if (!a.admin().equals(b.admin())) {
      out.add("admin: changed; restart to apply");
    }
    if (!a.client().equals(b.client()) || a.http2() != b.http2()) {
      out.add("client/http2: changed; restart to apply");
    }
    return out;
  }

  /**
   * Stops accepting requests (new ones get 503), lets exchanges in flight finish up to {@code
   * deadline}, then closes everything. Returns whether everything finished in time.
   */
  public boolean shutdown(Duration deadline) {
    graceful.shutdown();
    boolean drained;
    try {
      drained = graceful.awaitShutdown(deadline.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    close();
    return drained;
  }

  private void publishCertificateExpiry(RouterConfig c) {
    for (ListenerConfig l : c.listeners()) {
      if (l.tls() != null) {
        var chain = dev.nexusrouter.router.tls.PemFiles.readCertificates(l.tls().certFile());
        metrics.certificateExpiry(l.name(), chain.get(0).getNotAfter().toInstant(), clock::instant);
      }
    }
  }

  private static AccessLog openLog(RouterConfig c, Clock clock) throws IOException {
    var a = c.accessLog();
    return AccessLog.open(a.path(), a.format(), a.maxSize(), a.maxFiles(), clock);
  }

  /** Readiness checks run only when the admin listener exists to report them. */
  private static UpstreamHealth health(RouterConfig c, Clock clock) {
    if (!c.admin().enabled()) {
      return null;
    }
    Set<String> uiOnly = new HashSet<>(c.upstreams().keySet());
    for (VirtualHostConfig h : c.hosts()) {
      if (h.kind() == VirtualHostConfig.Kind.REGISTRY) {
        uiOnly.remove(h.group());
        uiOnly.remove(h.hosted());
        uiOnly.remove(h.v1());
      }
    }
    List<UpstreamHealth.Check> checks = new ArrayList<>();
    for (UpstreamConfig u : c.upstreams().values()) {
      String base = u.servers().get(0).toString().replaceAll("/+$", "");
      boolean ui = uiOnly.contains(u.name());
      URI url = URI.create(base + (ui ? "/service/rest/v1/status/writable" : "/v2/"));
      checks.add(new UpstreamHealth.Check(u.name(), url, !ui));
    }
    return new UpstreamHealth(checks, Duration.ofSeconds(5), Duration.ofSeconds(2), clock);
  }

  /** Bound addresses, in order, as {@code scheme://host:port}; the admin one is marked. */
  public List<String> addresses() {
    List<String> out = new ArrayList<>();
    List<Undertow.ListenerInfo> infos = undertow.getListenerInfo();
    for (int i = 0; i < infos.size(); i++) {
      InetSocketAddress a = (InetSocketAddress) infos.get(i).getAddress();
      String url = infos.get(i).getProtcol() + "://" + a.getHostString() + ":" + a.getPort();
      out.add(i < config.listeners().size() ? url : url + " (admin)");
    }
    return out;
  }

  /** The bound port of listener {@code i}; the admin listener comes after the main ones. */
  public int port(int i) {
    return ((InetSocketAddress) undertow.getListenerInfo().get(i).getAddress()).getPort();
  }

  /** The admin listener's bound port, or -1 when it is disabled. */
  public int adminPort() {
    return config.admin().enabled() ? port(config.listeners().size()) : -1;
  }

  public RouterConfig config() {
    return config;
  }

  public Metrics metrics() {
    return metrics;
  }

  public long unclassifiedCount() {
    return unclassified.get();
  }

  @Override
  public void close() {
    if (undertow != null) {
      undertow.stop();
    }
    closeResources();
  }

  private void closeResources() {
    AccessLog log = accessLog;
    if (log != null) {
      log.close();
    }
    if (health != null) {
      health.close();
    }
  }

  private static int millis(Duration d) {
    long ms = d.toMillis();
    return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) ms;
  }
}
