package dev.nexusrouter.router.proxy;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Errors the router authors itself, as registry JSON with {@code Docker-Distribution-Api-Version}.
 * Also the {@link DefaultResponseListener} that turns Undertow's empty proxy error responses
 * (503/500/504) into the right status and body: 503 when the upstream could not be reached, 504 on
 * a timeout, 502 when it broke the connection, 413 when a body crossed max-body-size. Upstream
 * responses are streamed and never reach this listener.
 */
public final class RegistryErrors implements DefaultResponseListener {
  static final HttpString API_VERSION = new HttpString(RegistryError.API_VERSION_HEADER);

  @Override
  public boolean handleDefaultResponse(HttpServerExchange exchange) {
    if (!exchange.isResponseChannelAvailable() || exchange.isResponseStarted()) {
      return false;
    }
    int status = exchange.getStatusCode();
    if (status < 400) {
      return false;
    }
    ProxyState state = exchange.getAttachment(ProxyState.KEY);
    RegistryError error = classify(status, state);
    if (state != null && !"-".equals(state.upstream)) {
      ExchangeTags.of(exchange).upstreamError = errorKind(error.status(), state);
    }
    send(exchange, error);
    return true;
  }

  static RegistryError classify(int status, ProxyState s) {
    String up = s == null ? "-" : s.upstream;
    if (s != null && s.bodyLimitExceeded) {
      return RegistryError.of(413, "SIZE_INVALID", "request body is larger than max-body-size")
          .withDetail("limit " + s.maxBodySize + " bytes");
    }
    if (s != null && (s.connectTimedOut)) {
      return RegistryError.of(504, "UNAVAILABLE", "timed out connecting to upstream '" + up + "'");
    }
    if (status == 504 || (s != null && s.responseTimedOut) || (s != null && readTimedOut(s))) {
      return RegistryError.of(504, "UNAVAILABLE", "upstream '" + up + "' did not answer in time");
    }
    if (s != null && !"-".equals(up) && (status == 503 || status == 500)) {
      if (s.connection == null) {
        return RegistryError.of(503, "UNAVAILABLE", "upstream '" + up + "' is unavailable");
      }
      return RegistryError.of(502, "UNAVAILABLE", "upstream '" + up + "' closed the connection");
    }
    if (status == 503) {
      return RegistryError.of(503, "UNAVAILABLE", "nexus-router is shutting down");
    }
    return RegistryError.of(status, status == 404 ? "NOT_FOUND" : "UNKNOWN", reason(status));
  }

  /** A bounded label for the upstream-errors metric. */
  static String errorKind(int status, ProxyState s) {
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

  /** Undertow reports an upstream READ_TIMEOUT as 503; the elapsed time tells them apart. */
  private static boolean readTimedOut(ProxyState s) {
    if (s.connection == null || s.proxyStartNanos == 0 || s.readTimeoutMillis <= 0) {
      return false;
    }
    long elapsedMs = (System.nanoTime() - s.proxyStartNanos) / 1_000_000;
    return elapsedMs >= s.readTimeoutMillis;
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
    h.put(Headers.CONTENT_TYPE, RegistryError.CONTENT_TYPE);
    h.put(API_VERSION, RegistryError.API_VERSION);
    byte[] body = error.toJson().getBytes(StandardCharsets.UTF_8);
    h.put(Headers.CONTENT_LENGTH, body.length);
    if (exchange.getRequestMethod().equalToString("HEAD")) {
      exchange.endExchange();
      return;
    }
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }
}
