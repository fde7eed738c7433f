package dev.nexusrouter.router.testing;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;

/** A plain Undertow server for unit tests: 127.0.0.1, an ephemeral port. */
public final class Loopback {
  private Loopback() {}

  /** Builds on {@code builder} (for server options) one plain listener and starts it. */
  public static Undertow start(Undertow.Builder builder, HttpHandler handler) {
    Undertow server = builder.addHttpListener(0, "127.0.0.1", handler).build();
    server.start();
    return server;
  }

  /** The port the first listener of {@code server} is bound to. */
  public static int port(Undertow server) {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }
}
