package dev.nexusrouter.router.server;

import io.undertow.Undertow;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import org.xnio.Xnio;

/**
 * Start-up work that does not depend on the config, done on a second thread while the main thread
 * reads and checks the config: XNIO's provider (whose first use registers its MBeans, and so builds
 * the JVM's platform MBean server) and the JDK's TLS provider tables. Both are process-wide and
 * thread-safe; whichever thread comes second waits for or reuses the first one's result, so only
 * the order changes (docs/operations.md#start-up).
 */
public final class StartupPrefetch {
  private StartupPrefetch() {}

  public static void start() {
    Thread t = new Thread(StartupPrefetch::run, "startup-prefetch");
    t.setDaemon(true);
    t.start();
  }

  private static void run() {
    try {
      Xnio.getInstance(Undertow.class.getClassLoader());
      SSLContext.getInstance("TLS");
    } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
      // the main thread meets the same failure when it gets there, and reports it once
    }
  }
}
