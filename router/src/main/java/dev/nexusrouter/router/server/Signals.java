package dev.nexusrouter.router.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * POSIX signal handlers through {@code sun.misc.Signal} (module jdk.unsupported), called
 * reflectively because the compiler treats that API's use as a warning, and warnings are errors
 * here. Returns false where the JVM does not offer the signal (e.g. HUP on Windows) or will not
 * deliver it (the process was started with it ignored, as under {@code nohup}).
 */
public final class Signals {
  private Signals() {}

  public static boolean on(String name, Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object sig = signal.getConstructor(String.class).newInstance(name);
      InvocationHandler ih =
          (Object proxy, Method m, Object[] args) -> {
            if (m.getName().equals("handle")) {
              action.run();
            }
            return null;
          };
      Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, ih);
      Object previous = signal.getMethod("handle", signal, handler).invoke(null, sig, h);
      // a signal the starting process ignored (nohup ignores HUP) is left ignored by the JVM: the
      // handler is recorded but never called
      return previous != handler.getField("SIG_IGN").get(null);
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
