package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ListenerConfig;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.observe.AccessLog;
import dev.nexusrouter.router.observe.Metrics;
import dev.nexusrouter.router.observe.StatusBoard;
import dev.nexusrouter.router.observe.UpstreamHealth;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.route.RegistryMethods;
import dev.nexusrouter.router.tls.CertificateReloader;
import dev.nexusrouter.router.tls.ServerTls;
import dev.nexusrouter.router.tls.TlsException;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * Runs a {@link RouterConfig} on Undertow: the front handler ({@link FrontHandler}), the admin
 * listener, reloads that swap the whole pipeline atomically, and graceful shutdown.
 */
public final class RouterServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("nexus-router");

  static {
    // Closing an upstream connection (response timeout, body limit, aborted client) goes through
    // Undertow's ConnectionUtils.cleanClose, which drains the peer for up to 10 s before the
    // failure reaches the client. Read once when that class loads, so set it before any use.
    if (System.getProperty("io.undertow.max-drain-time") == null) {
      System.setProperty("io.undertow.max-drain-time", "200");
    }
    // Client-initiated TLS 1.2 renegotiation costs the server a full handshake per request of the
    // client and has no use for registry clients; nginx refuses it too. JSSE reads this once, when
    // its server handshake class loads, so it must be set before the first TLS connection.
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
  }

  private final Clock clock;
  private final Metrics metrics = new Metrics(RegistryMethods.ALL);
  private final StatusBoard status;
  private final AtomicLong unclassified = new AtomicLong();
  private final RegistryErrors errors = new RegistryErrors(() -> this.draining);
  private final GracefulShutdownHandler graceful;
  private final FrontHandler front;

  /** The configuration in force and everything built from it; replaced whole by a reload. */
  private volatile Generation current;

  private final ListenerTls tls = new ListenerTls(this::swapContext);
  private volatile Undertow undertow;
  private volatile boolean draining;

  private RouterServer(RouterConfig config, Clock clock) throws IOException {
    this.clock = clock;
    this.status = new StatusBoard(clock, System::nanoTime);
    this.current = generation(config, null);
    // each exchange stays on the generation it started on (see FrontHandler)
    this.graceful =
        new GracefulShutdownHandler(
            ex -> ex.getAttachment(Generation.KEY).pipeline.dispatcher().handleRequest(ex));
    this.front = new FrontHandler(() -> current, metrics, status, errors, graceful);
  }

  /** Builds and starts the server; throws on TLS material or bind failures. */
  public static RouterServer start(RouterConfig config, Clock clock) throws IOException {
    RouterServer s;
    try {
      s = new RouterServer(config, clock);
    } catch (TlsException e) {
      throw new IOException(e.getMessage(), e);
    } catch (ConfigException e) {
      throw new IOException(e.report().stripTrailing(), e);
    }
    try {
      s.undertow = s.build();
      s.undertow.start();
    } catch (RuntimeException e) {
      s.closeResources();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String which = Preflight.bindFailure(config); // Undertow's message names no socket
      throw new IOException(
          "cannot listen: " + (which != null ? which : cause.getMessage()), cause);
    }
    try {
      // a new connection's first request byte (after the TLS handshake) must arrive within the
      // header timeout (docs/undertow-notes.md#silent-connections)
      for (Undertow.ListenerInfo info : s.undertow.getListenerInfo()) {
        HeaderDeadline.install(info, millis(s.current.config.client().header()));
      }
    } catch (RuntimeException e) {
      // the listeners are bound by now: release them, and report this failure, not a bind error
      s.undertow.stop();
      s.closeResources();
      throw new IOException(e.getMessage(), e);
    }
    s.publishCertificateExpiry(s.current);
    return s;
  }

  /**
   * At most {@code client.max-connections} open client connections per main listener: XNIO stops
   * accepting at the mark and resumes below it (new connections wait in the kernel's accept queue
   * meanwhile).
   */
  private static OptionMap connectionCap(RouterConfig c) {
    int max = c.client().maxConnections();
    // low water = high water: accepting resumes as soon as one connection closes (XNIO splits
    // both marks across the I/O threads, and a lower mark could round to 0 for a thread)
    return OptionMap.create(Options.CONNECTION_HIGH_WATER, max, Options.CONNECTION_LOW_WATER, max);
  }

  private Undertow build() {
    Generation g = current;
    RouterConfig c = g.config;
    Undertow.Builder b = Undertow.builder();
    int cores = Runtime.getRuntime().availableProcessors();
    b.setIoThreads(Math.max(2, cores));
    b.setWorkerThreads(Math.max(4, cores * 2));
    // Bodies stream through pooled direct buffers. Undertow's default is 16 KiB; with 64 KiB a
    // 1 GiB layer costs a quarter of the read/write syscalls and upstream chunk headers (measured
    // in BENCHMARKS.md). Memory stays bounded: a proxied exchange holds two or three buffers.
    b.setBufferSize(64 * 1024);
    b.setDirectBuffers(true);
    // 0 = unbounded; Undertow's 2 MiB default would cut every layer upload, and max-body-size is
    // enforced by BodyConduit instead (docs/undertow-notes.md#upload-size-limit)
    b.setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L);
    b.setServerOption(
        UndertowOptions.MAX_HEADER_SIZE, FrontHandler.parserHeaderLimit(c.maxHeaderSize()));
    b.setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true);
    b.setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis(c.client().idle()));
    b.setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(c.client().header()));
    b.setServerOption(UndertowOptions.ENABLE_HTTP2, c.http2());
    // client-side read/write timeouts work only as socket options: XNIO ignores them as server
    // options (docs/undertow-notes.md#client-timeouts)
    b.setSocketOption(Options.READ_TIMEOUT, millis(c.client().bodyRead()));
    b.setSocketOption(Options.WRITE_TIMEOUT, millis(c.client().send()));
    for (int i = 0; i < c.listeners().size(); i++) {
      ListenerConfig l = c.listeners().get(i);
      Undertow.ListenerBuilder lb =
          new Undertow.ListenerBuilder()
              .setPort(l.port())
              .setHost(l.address())
              .setRootHandler(front);
      if (l.tls() == null) {
        lb.setType(Undertow.ListenerType.HTTP).setOverrideSocketOptions(connectionCap(c));
      } else {
        lb.setType(Undertow.ListenerType.HTTPS)
            .setSslContext(g.reloaders.get(i).context())
            .setOverrideSocketOptions(
                OptionMap.builder()
                    .addAll(connectionCap(c))
                    .set(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(ServerTls.PROTOCOLS))
                    .getMap());
      }
      b.addListener(lb);
    }
    if (c.admin().enabled()) {
      b.addListener(
          new Undertow.ListenerBuilder()
              .setType(Undertow.ListenerType.HTTP)
              .setPort(c.admin().port())
              .setHost(c.admin().address())
              .setRootHandler(
                  new StatusPage(
                      status,
                      () -> current.health(),
                      () -> current.config,
                      clock,
                      new AdminHandler(
                          metrics, () -> current.health(), () -> current.config, () -> draining))));
    }
    return b.build();
  }

  private void swapContext(int index, ListenerConfig l, SSLContext ctx) {
    Undertow u = undertow;
    if (u != null) {
      u.getListenerInfo().get(index).setSslContext(ctx); // new connections only
      LOG.info("listener " + l.name() + ": new certificate in use for new connections");
      publishCertificateExpiry(current);
    }
  }

  /**
   * Builds everything {@code c} runs, or nothing: on any failure the parts built so far are closed
   * and the exception propagates. With the same access-log settings as {@code previous}, the log is
   * taken over rather than opened twice.
   */
  private Generation generation(RouterConfig c, Generation previous) throws IOException {
    List<CertificateReloader> reloaders = List.of();
    AccessLog log = null;
    boolean sharedLog = previous != null && sameLog(previous.config, c);
    HostAccessLogs hostLogs = null;
    UpstreamHealth health = null;
    try {
      Preflight.requireFolders(c);
      reloaders = tls.prepare(c);
      byte[] ca = tls.caPem(c);
      log = sharedLog ? previous.accessLog() : openLog(c, clock);
      hostLogs = HostAccessLogs.open(c, clock);
      Pipeline pipeline = Pipeline.build(c, ca, unclassified, hostLogs);
      health = health(c, clock);
      return new Generation(c, pipeline, ca, reloaders, log, hostLogs, health);
    } catch (IOException | RuntimeException e) {
      Generation.closeReloaders(reloaders);
      if (log != null && !sharedLog) {
        log.close();
      }
      if (hostLogs != null) {
        hostLogs.close();
      }
      if (health != null) {
        health.close();
      }
      throw e;
    }
  }

  /**
   * Applies a new configuration: a new pipeline (routes, hosts, upstream pools), access log and
   * health checks, and fresh certificates for TLS listeners. Requests in flight finish on the old
   * pipeline. Listener addresses and ports, timeouts of client connections and HTTP/2 need a
   * restart; a change there is refused with that reason and the old configuration is kept.
   */
  public synchronized void reload(RouterConfig next) throws IOException {
    Generation old = current;
    List<String> fixed = restartOnlyChanges(old.config, next);
    if (!fixed.isEmpty()) {
      throw new ConfigException("reload", fixed);
    }
    Generation fresh = generation(next, old); // complete before anything changes
    if (fresh.accessLog() != null && fresh.accessLog() == old.accessLog()) {
      old.handOverLog();
    }
    current = fresh;
    for (int i = 0; i < fresh.reloaders.size(); i++) {
      if (fresh.reloaders.get(i) != null) {
        undertow.getListenerInfo().get(i).setSslContext(fresh.reloaders.get(i).context());
      }
    }
    publishCertificateExpiry(fresh);
    old.retire();
  }

  /** Re-reads the TLS files now (SIGHUP); bad files are logged and the old certificate stays. */
  public synchronized void reloadCertificates() {
    for (CertificateReloader r : current.reloaders) {
      if (r != null) {
        r.reload();
      }
    }
  }

  /**
   * Reopens the access log file (after an external rotation; SIGUSR1). Serialised with {@link
   * #reload}, so it never replaces the log of a generation that is being swapped out.
   */
  public synchronized void reopenAccessLog() throws IOException {
    Generation g = current;
    AccessLog old = g.replaceLog(openLog(g.config, clock));
    if (old != null) {
      old.close();
    }
    g.hostLogs.reopen();
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
    if (a.maxHeaderSize() != b.maxHeaderSize()) {
      // Undertow's parser limit is derived from it when the listeners start
      out.add("max-header-size: changed; restart to apply");
    }
    return out;
  }

  /**
   * Stops accepting requests (new ones get 503), lets exchanges in flight finish up to {@code
   * deadline}, then closes everything. Returns whether everything finished in time.
   */
  public boolean shutdown(Duration deadline) {
    draining = true;
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

  private void publishCertificateExpiry(Generation g) {
    RouterConfig c = g.config;
    List<CertificateReloader> rs = g.reloaders;
    for (int i = 0; i < rs.size() && i < c.listeners().size(); i++) {
      if (rs.get(i) != null) {
        metrics.certificateExpiry(
            c.listeners().get(i).name(),
            rs.get(i).certificate().getNotAfter().toInstant(),
            clock::instant);
      }
    }
  }

  private static AccessLog openLog(RouterConfig c, Clock clock) throws IOException {
    var a = c.accessLog();
    return AccessLog.open(a.path(), a.format(), a.maxSize(), a.maxFiles(), a.group(), clock);
  }

  /** Readiness checks run only when the admin listener exists to report them. */
  private static UpstreamHealth health(RouterConfig c, Clock clock) {
    if (!c.admin().enabled()) {
      return null;
    }
    List<UpstreamHealth.Check> checks = new ArrayList<>();
    for (UpstreamConfig u : c.upstreams().values()) {
      String base = u.servers().get(0).toString().replaceAll("/+$", "");
      boolean ui = u.role() == UpstreamConfig.Role.UI;
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
      out.add(i < current.config.listeners().size() ? url : url + " (admin)");
    }
    return out;
  }

  /** The bound port of listener {@code i}; the admin listener comes after the main ones. */
  public int port(int i) {
    return ((InetSocketAddress) undertow.getListenerInfo().get(i).getAddress()).getPort();
  }

  /** The admin listener's bound port, or -1 when it is disabled. */
  public int adminPort() {
    RouterConfig c = current.config;
    return c.admin().enabled() ? port(c.listeners().size()) : -1;
  }

  public RouterConfig config() {
    return current.config;
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
    current.close();
  }

  private static int millis(Duration d) {
    long ms = d.toMillis();
    return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) ms;
  }
}
