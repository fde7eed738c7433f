package dev.nexusrouter.router.observe;

import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import org.xnio.XnioExecutor;

/**
 * Everything the router keeps about one exchange, in one attachment: the bounded labels logs and
 * metrics read (route row, upstream, error kinds) and the proxy's own facts (timeouts, body limit,
 * the upstream connection). One object per exchange, only touched from the exchange's I/O thread,
 * so plain fields suffice.
 */
public final class ExchangeTags {
  public static final AttachmentKey<ExchangeTags> KEY = AttachmentKey.create(ExchangeTags.class);

  /** Route row id, for logs and metrics ("-" when no row was involved, e.g. static files). */
  public String route = "-";

  /** Upstream name ("-" when the router answered itself). */
  public String upstream = "-";

  public boolean unclassified;

  /** Request body bytes read from the client. */
  public long requestBytes;

  /**
   * Why the upstream failed (refused, connect_timeout, response_timeout, reset, body_limit, cut,
   * bad_framing), or null.
   */
  public String upstreamError;

  /** Code and message of an error the router answered itself ("UNAVAILABLE upstream …"). */
  public String routerError;

  /**
   * The access log that owns this exchange when its host has one of its own (or a marker for a host
   * whose log is off); null = the top-level log.
   */
  public Object logOwner;

  /** The upstream read timeout that applies to this exchange, in milliseconds. */
  public long readTimeoutMillis;

  /** The upstream connection, once obtained; closed to abort the upstream request. */
  public ClientConnection connection;

  /** Why the upstream request failed, as Undertow reported it to the proxy; null otherwise. */
  public IOException failure;

  public boolean connectTimedOut;
  public boolean responseTimedOut;
  public boolean bodyLimitExceeded;

  /** The body limit that applies to this exchange in bytes, 0 = none. */
  public long maxBodySize;

  /** The pending upstream read timeout, started when the request body ends; null otherwise. */
  public XnioExecutor.Key responseTimer;

  public static ExchangeTags of(HttpServerExchange exchange) {
    ExchangeTags t = exchange.getAttachment(KEY);
    if (t == null) {
      t = new ExchangeTags();
      exchange.putAttachment(KEY, t);
    }
    return t;
  }

  /** Cancels the pending upstream read timeout, if any. */
  public void cancelResponseTimer() {
    if (responseTimer != null) {
      responseTimer.remove();
      responseTimer = null;
    }
  }
}
