package dev.nexusrouter.credential;

import java.time.Duration;

/**
 * Ends a protocol call that a keyring never answers: docker waits for the helper with no timeout of
 * its own, so a hung Secret Service (docker/for-linux#329) would hang every pull. The deadline is
 * the {@code timeout} setting, by default the prompt timeout plus 30 s, so an unlock prompt the
 * user is typing into is not cut off.
 */
final class Watchdog {
  /** The deadline when the settings themselves cannot be read. */
  static final Duration FALLBACK = Duration.ofSeconds(30);

  private final Thread thread;

  private Watchdog(Thread thread) {
    this.thread = thread;
  }

  /**
   * Calls {@code onTimeout} from a daemon thread once {@code deadline} has passed. The thread waits
   * on a monitor rather than in {@code Thread.sleep}: sleep loads JFR's event classes, which an AOT
   * cache never holds, from the runtime image on every call (class+load log).
   */
  static Watchdog start(Duration deadline, Runnable onTimeout) {
    Thread t =
        new Thread(
            () -> {
              if (waitFor(deadline)) {
                onTimeout.run();
              }
            },
            "docker-credential-java-watchdog");
    t.setDaemon(true);
    t.start();
    return new Watchdog(t);
  }

  /** True once {@code deadline} has passed; false when interrupted (cancelled) first. */
  private static boolean waitFor(Duration deadline) {
    Object monitor = new Object();
    long end = System.nanoTime() + deadline.toNanos();
    synchronized (monitor) {
      for (long left = deadline.toNanos(); left > 0; left = end - System.nanoTime()) {
        try {
          monitor.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          return false;
        }
      }
    }
    return true;
  }

  void cancel() {
    thread.interrupt();
  }
}
