package dev.nexusrouter.router.server;

import dev.nexusrouter.common.DaemonThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polls a file's content hash and runs an action when it changes. Polling rather than a
 * WatchService: Kubernetes ConfigMaps change by swapping a {@code ..data} symlink, which directory
 * watches on the file's own folder miss. A failing action never stops the polling (a scheduled
 * executor silently cancels a task that throws).
 */
final class ConfigWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("nexus-router");
  private final Path file;
  private final Runnable onChange;
  private final ScheduledExecutorService scheduler;
  private volatile byte[] last;

  ConfigWatcher(Path file, Duration interval, Runnable onChange) {
    this.file = file;
    this.onChange = onChange;
    this.last = hash(file);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("config-watch"));
    scheduler.scheduleWithFixedDelay(
        this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Content that was loaded by other means (a signal): not a change any more. */
  void seen(byte[] hash) {
    if (hash != null) {
      last = hash;
    }
  }

  private void poll() {
    try {
      byte[] now = hash(file);
      if (now != null && !Arrays.equals(now, last)) {
        last = now;
        onChange.run();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "config watcher: " + ReloadControl.reason(e));
    }
  }

  /** SHA-256 of the file's content, or null while it cannot be read (mid-swap or removed). */
  static byte[] hash(Path file) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
