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

  /** Calls {@code onTimeout} from a daemon thread once {@code deadline} has passed. */
  static Watchdog start(Duration deadline, Runnable onTimeout) {
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(deadline.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              onTimeout.run();
            },
            "docker-credential-java-watchdog");
    t.setDaemon(true);
    t.start();
    return new Watchdog(t);
  }

  void cancel() {
    thread.interrupt();
  }
}
