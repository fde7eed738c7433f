package dev.nexusrouter.router.testing;

/** Tear-down for fixtures a test class started. */
public final class Closing {
  private Closing() {}

  /**
   * Closes every non-null resource in order; a failure is printed and the rest are still closed, so
   * one stuck process never leaks the others.
   */
  public static void all(AutoCloseable... resources) {
    for (AutoCloseable c : resources) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        System.err.println("closing " + c + ": " + e);
      }
    }
  }
}
