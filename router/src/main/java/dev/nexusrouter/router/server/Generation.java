package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.observe.AccessLog;
import dev.nexusrouter.router.observe.UpstreamHealth;
import dev.nexusrouter.router.tls.CertificateReloader;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything one configuration runs: its host dispatcher (upstream pools, hosts, routes), access
 * logs (the main one and the hosts' own), readiness checks and certificate reloaders. A reload
 * builds a whole new generation before anything changes, swaps it in atomically, and retires the
 * old one: its checks and certificate watchers stop at once, the rest is closed when the last
 * exchange that started on it completes. See docs/operations-reliability.md.
 */
final class Generation implements AutoCloseable, ExchangeCompletionListener {
  static final AttachmentKey<Generation> KEY = AttachmentKey.create(Generation.class);

  final RouterConfig config;
  final Pipeline pipeline;
  final byte[] caPem;
  final List<CertificateReloader> reloaders;
  final HostAccessLogs hostLogs;
  private final UpstreamHealth health;
  private volatile AccessLog accessLog;
  private volatile boolean ownsLog = true;

  /** Exchanges started on this generation and not completed; -1 once closed. */
  private final AtomicLong inFlight = new AtomicLong();

  private volatile boolean retired;
  private final AtomicBoolean closed = new AtomicBoolean();

  Generation(
      RouterConfig config,
      Pipeline pipeline,
      byte[] caPem,
      List<CertificateReloader> reloaders,
      AccessLog accessLog,
      HostAccessLogs hostLogs,
      UpstreamHealth health) {
    this.hostLogs = hostLogs;
    this.config = config;
    this.pipeline = pipeline;
    this.caPem = caPem;
    this.reloaders = reloaders;
    this.accessLog = accessLog;
    this.health = health;
  }

  /** Null when the admin listener is off. */
  UpstreamHealth health() {
    return health;
  }

  /** Null when access logging is off. */
  AccessLog accessLog() {
    return accessLog;
  }

  /**
   * Counts {@code exchange} as running on this generation until it completes; false when the
   * generation was already closed (the caller then takes the current one again).
   */
  boolean enter(HttpServerExchange exchange) {
    long n;
    do {
      n = inFlight.get();
      if (n < 0) {
        return false;
      }
    } while (!inFlight.compareAndSet(n, n + 1));
    exchange.putAttachment(KEY, this);
    exchange.addExchangeCompleteListener(this);
    return true;
  }

  @Override
  public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
    try {
      if (inFlight.decrementAndGet() == 0 && retired) {
        // closing joins the access log's writer: not on an I/O thread
        exchange.getConnection().getWorker().execute(this::closeIfIdle);
      }
    } finally {
      next.proceed();
    }
  }

  /** Exchanges in flight on this generation. */
  long inFlight() {
    return Math.max(0, inFlight.get());
  }

  /**
   * The next generation took over the access log (same settings): closing this one must leave it
   * open.
   */
  void handOverLog() {
    ownsLog = false;
  }

  /** Replaces the access log (SIGUSR1 after an external rotation); returns the old one. */
  AccessLog replaceLog(AccessLog fresh) {
    AccessLog old = accessLog;
    accessLog = fresh;
    ownsLog = true;
    return old;
  }

  /**
   * No longer current: checks and certificate watchers stop now; the rest closes once the exchanges
   * in flight complete.
   */
  void retire() {
    retired = true;
    if (health != null) {
      health.close();
    }
    closeReloaders(reloaders);
    closeIfIdle();
  }

  private void closeIfIdle() {
    if (inFlight.compareAndSet(0, -1)) {
      close();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    inFlight.set(-1);
    if (health != null) {
      health.close();
    }
    closeReloaders(reloaders);
    pipeline.close();
    hostLogs.close();
    AccessLog log = accessLog;
    if (log != null && ownsLog) {
      log.close();
    }
  }

  static void closeReloaders(List<CertificateReloader> rs) {
    for (CertificateReloader r : rs) {
      if (r != null) {
        r.close();
      }
    }
  }
}
