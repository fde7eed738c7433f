package dev.nexusrouter.router.server;

import dev.nexusrouter.common.DaemonThreads;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The one path through which a running server changes: SIGHUP, the config file watcher and SIGUSR1
 * all queue work on a single thread, so a reload and a log reopen never overlap. Requests that
 * arrive while one is queued are merged into it (a storm of signals is one reload), and a watcher
 * change to content that was just loaded is not loaded twice. A rejected reload is logged with its
 * reason and changes nothing; the watcher keeps running. See docs/operations-reliability.md.
 */
public final class ReloadControl implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("nexus-router");
  private static final int NONE = 0;
  private static final int WATCHER = 1;
  private static final int SIGNAL = 2;

  private final RouterServer server;
  private final Path file;
  private final ExecutorService serial;
  private final AtomicInteger pendingReload = new AtomicInteger(NONE);
  private final AtomicBoolean pendingReopen = new AtomicBoolean();
  private final ConfigWatcher watcher;
  private byte[] lastLoaded; // only touched on the serial thread

  ReloadControl(RouterServer server, Path file, Duration poll) {
    this.server = server;
    this.file = file;
    this.serial = Executors.newSingleThreadExecutor(DaemonThreads.named("reload"));
    this.lastLoaded = file == null ? null : ConfigWatcher.hash(file);
    this.watcher =
        file == null ? null : new ConfigWatcher(file, poll, () -> requestReload(WATCHER));
  }

  /**
   * Starts watching {@code file} (null: the built-in defaults, nothing to watch) and installs the
   * HUP (reload) and USR1 (reopen the access log) handlers.
   */
  public static ReloadControl start(RouterServer server, Path file) {
    ReloadControl c = new ReloadControl(server, file, Duration.ofSeconds(2));
    if (!Signals.on("HUP", () -> c.requestReload(SIGNAL))) {
      LOG.warning(
          "SIGHUP will not reload: this process was started with it ignored (nohup?) or the"
              + " platform has no SIGHUP; the config file is still watched");
    }
    Signals.on("USR1", c::requestReopen);
    return c;
  }

  /** Queues a reload (SIGHUP); merged with one already queued. */
  public void requestReload() {
    requestReload(SIGNAL);
  }

  private void requestReload(int kind) {
    if (pendingReload.getAndAccumulate(kind, Math::max) == NONE) {
      submit(this::reload);
    }
  }

  /** Queues reopening the access log (SIGUSR1); merged with one already queued. */
  public void requestReopen() {
    if (pendingReopen.compareAndSet(false, true)) {
      submit(this::reopen);
    }
  }

  private void submit(Runnable task) {
    try {
      serial.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down: nothing more to apply
    }
  }

  private void reload() {
    int kind = pendingReload.getAndSet(NONE);
    try {
      if (file == null) {
        LOG.info("reload: running on built-in defaults; re-reading certificates only");
        server.reloadCertificates();
        return;
      }
      byte[] hash = ConfigWatcher.hash(file);
      if (kind == WATCHER && hash != null && Arrays.equals(hash, lastLoaded)) {
        return; // a signal already loaded this content
      }
      lastLoaded = hash;
      if (watcher != null) {
        watcher.seen(hash);
      }
      server.reload(ConfigLoader.load(file));
      LOG.info(() -> "reloaded " + file);
    } catch (ConfigException e) {
      LOG.warning(
          "reload rejected, keeping the running configuration\n" + e.report().stripTrailing());
    } catch (Exception e) {
      LOG.warning("reload rejected, keeping the running configuration: " + reason(e));
    }
  }

  private void reopen() {
    pendingReopen.set(false);
    try {
      server.reopenAccessLog();
    } catch (Exception e) {
      LOG.warning("cannot reopen the access log: " + reason(e));
    }
  }

  /** The exception's own message, or its type when it has none; never a stack trace. */
  static String reason(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    serial.shutdownNow();
    try {
      serial.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
