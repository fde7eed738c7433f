package dev.nexusrouter.router.proxy;

import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import org.xnio.XnioExecutor;

/**
 * Per-exchange facts shared by the router, the upstream client wrapper, the error listener and the
 * access log. Only touched from the exchange's I/O thread, so plain fields suffice.
 */
public final class ProxyState {
  public static final AttachmentKey<ProxyState> KEY = AttachmentKey.create(ProxyState.class);

  /** Route row id, for logs and metrics ("-" when no row was involved, e.g. static files). */
  public String route = "-";

  /** Upstream name ("-" when the router answered itself). */
  public String upstream = "-";

  public boolean unclassified;

  /** The upstream read timeout that applies to this exchange, in milliseconds. */
  public long readTimeoutMillis;

  /** The upstream connection, once obtained; closed to abort the upstream request. */
  public ClientConnection connection;

  /** Why the upstream request failed, as Undertow reported it to the proxy; null otherwise. */
  public java.io.IOException failure;

  public boolean connectTimedOut;
  public boolean responseTimedOut;
  public boolean bodyLimitExceeded;
  public long maxBodySize;
  public long requestBytes;
  public XnioExecutor.Key responseTimer;

  public static ProxyState of(HttpServerExchange exchange) {
    ProxyState s = exchange.getAttachment(KEY);
    if (s == null) {
      s = new ProxyState();
      exchange.putAttachment(KEY, s);
    }
    return s;
  }

  void cancelResponseTimer() {
    if (responseTimer != null) {
      responseTimer.remove();
      responseTimer = null;
    }
  }
}
