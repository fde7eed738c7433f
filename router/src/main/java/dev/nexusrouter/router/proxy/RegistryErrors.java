package dev.nexusrouter.router.proxy;

import dev.nexusrouter.common.Html;
import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.xnio.channels.ReadTimeoutException;
import org.xnio.channels.WriteTimeoutException;

/**
 * Errors the router authors itself, as registry JSON with {@code Docker-Distribution-Api-Version}.
 * Also the {@link DefaultResponseListener} that turns Undertow's empty proxy error responses
 * (503/500/504) into the right status and body: 503 when the upstream could not be reached, 504 on
 * a timeout, 502 when it broke the connection, 413 when a body crossed max-body-size. Upstream
 * responses are streamed and never reach this listener.
 */
public final class RegistryErrors implements DefaultResponseListener {
  static final HttpString API_VERSION = new HttpString(RegistryError.API_VERSION_HEADER);

  /** Set on exchanges of a UI host: browsers there get router errors as a small HTML page. */
  public static final AttachmentKey<Boolean> HTML_FOR_BROWSERS =
      AttachmentKey.create(Boolean.class);

  private final BooleanSupplier draining;

  /**
   * @param draining true once a graceful shutdown started: Undertow's own 503s then mean "shutting
   *     down"
   */
  public RegistryErrors(BooleanSupplier draining) {
    this.draining = draining;
  }

  @Override
  public boolean handleDefaultResponse(HttpServerExchange exchange) {
    if (!exchange.isResponseChannelAvailable() || exchange.isResponseStarted()) {
      return false;
    }
    int status = exchange.getStatusCode();
    if (status < 400) {
      return false;
    }
    ExchangeTags state = exchange.getAttachment(ExchangeTags.KEY);
    ChunkedBodyGuard framing = exchange.getAttachment(ChunkedBodyGuard.KEY);
    if (framing != null && framing.failed()) {
      send(exchange, framing.error()); // the client's fault, not the upstream's
      return true;
    }
    RegistryError error = classify(status, state, draining.getAsBoolean());
    if (state != null && !"-".equals(state.upstream)) {
      state.upstreamError = errorKind(error.status(), state);
    }
    send(exchange, error);
    return true;
  }

  /**
   * The error for an empty error response Undertow produced. Decided from what happened (the
   * router's own flags and the {@link IOException} Undertow reported for the upstream request),
   * never from elapsed time.
   */
  static RegistryError classify(int status, ExchangeTags s, boolean draining) {
    String up = s == null ? "-" : s.upstream;
    if (s != null && s.bodyLimitExceeded) {
      return RegistryError.of(413, "SIZE_INVALID", "request body is larger than max-body-size")
          .withDetail("limit " + s.maxBodySize + " bytes");
    }
    if (s != null && (s.connectTimedOut)) {
      return RegistryError.of(504, "UNAVAILABLE", "timed out connecting to upstream '" + up + "'");
    }
    if (status == 504 || (s != null && (s.responseTimedOut || timedOut(s.failure)))) {
      return RegistryError.of(504, "UNAVAILABLE", "upstream '" + up + "' did not answer in time");
    }
    if (s != null && !"-".equals(up) && (status == 503 || status == 500)) {
      if (s.connection == null) {
        return RegistryError.of(503, "UNAVAILABLE", "upstream '" + up + "' is unavailable");
      }
      return RegistryError.of(502, "UNAVAILABLE", "upstream '" + up + "' closed the connection");
    }
    if (status == 503) {
      return draining
          ? RegistryError.of(503, "UNAVAILABLE", "nexus-router is shutting down")
          : RegistryError.of(503, "UNAVAILABLE", "service unavailable");
    }
    return RegistryError.of(status, status == 404 ? "NOT_FOUND" : "UNKNOWN", reason(status));
  }

  /** A bounded label for the upstream-errors metric. */
  static String errorKind(int status, ExchangeTags s) {
    if (s.bodyLimitExceeded) {
      return "body_limit";
    }
    if (s.connectTimedOut) {
      return "connect_timeout";
    }
    return switch (status) {
      case 504 -> "response_timeout";
      case 503 -> "refused";
      case 502 -> "reset";
      default -> "other";
    };
  }

  /**
   * Undertow's proxy answers an upstream read or write timeout with a bare 503, like any other
   * failure; the exception it reported tells a timeout apart (XNIO's timeout conduits throw {@link
   * ReadTimeoutException} / {@link WriteTimeoutException}).
   */
  static boolean timedOut(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ReadTimeoutException
          || t instanceof WriteTimeoutException
          || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** A UI-host request from a browser (its Accept names text/html), not an API call. */
  static boolean wantsHtml(HttpServerExchange exchange) {
    if (exchange.getAttachment(HTML_FOR_BROWSERS) == null) {
      return false;
    }
    String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
    return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/html");
  }

  /** The error as a minimal page, like nginx's own error pages; the text is HTML-escaped. */
  static String html(RegistryError e) {
    String title = e.status() + " " + Html.escape(e.message());
    String detail = e.detail() == null ? "" : "<p>" + Html.escape(e.detail()) + "</p>\n";
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
        + title
        + "</title></head>\n<body>\n<h1>"
        + title
        + "</h1>\n"
        + detail
        + "<hr><p>nexus-router</p>\n</body></html>\n";
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "bad request";
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 413 -> "request body too large";
      case 431 -> "request headers too large";
      default -> "error " + status;
    };
  }

  /** Sends a router-authored error and ends the exchange without draining a large upload. */
  public static void send(HttpServerExchange exchange, RegistryError error) {
    if (!exchange.isRequestComplete()) {
      // otherwise Undertow reads (drains) the whole upload before the client sees the error
      exchange.setPersistent(false);
    }
    exchange.setStatusCode(error.status());
    ExchangeTags.of(exchange).routerError = error.code() + " " + error.message();
    var h = exchange.getResponseHeaders();
    byte[] body;
    if (wantsHtml(exchange)) {
      h.put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
      body = html(error).getBytes(StandardCharsets.UTF_8);
    } else {
      h.put(Headers.CONTENT_TYPE, RegistryError.CONTENT_TYPE);
      h.put(API_VERSION, RegistryError.API_VERSION);
      body = error.toJson().getBytes(StandardCharsets.UTF_8);
    }
    h.put(Headers.CONTENT_LENGTH, body.length);
    if (exchange.getRequestMethod().equalToString("HEAD")) {
      exchange.endExchange();
      return;
    }
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }
}
