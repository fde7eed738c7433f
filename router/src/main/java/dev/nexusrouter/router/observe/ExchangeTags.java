package dev.nexusrouter.router.observe;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/** Which route row and upstream served an exchange: bounded labels for logs and metrics. */
public final class ExchangeTags {
  public static final AttachmentKey<ExchangeTags> KEY = AttachmentKey.create(ExchangeTags.class);

  public String route = "-";
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

  public static ExchangeTags of(HttpServerExchange exchange) {
    ExchangeTags t = exchange.getAttachment(KEY);
    if (t == null) {
      t = new ExchangeTags();
      exchange.putAttachment(KEY, t);
    }
    return t;
  }
}
