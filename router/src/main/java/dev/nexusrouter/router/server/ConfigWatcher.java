package dev.nexusrouter.router.server;

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

/**
 * Polls a file's content hash and runs an action when it changes. Polling rather than a
 * WatchService: Kubernetes ConfigMaps change by swapping a {@code ..data} symlink, which directory
 * watches on the file's own folder miss.
 */
public final class ConfigWatcher implements AutoCloseable {
  private final Path file;
  private final Runnable onChange;
  private final ScheduledExecutorService scheduler;
  private byte[] last;

  public ConfigWatcher(Path file, Duration interval, Runnable onChange) {
    this.file = file;
    this.onChange = onChange;
    this.last = hash();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "config-watch");
              t.setDaemon(true);
              return t;
            });
    scheduler.scheduleWithFixedDelay(
        this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void poll() {
    byte[] now = hash();
    if (now != null && !Arrays.equals(now, last)) {
      last = now;
      onChange.run();
    }
  }

  private byte[] hash() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null; // mid-swap or removed: try again next time
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
