package dev.nexusrouter.common;

import java.util.concurrent.ThreadFactory;

/** Background threads that never keep the JVM from exiting. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads, all called {@code name} (thread dumps show whose they are). */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
