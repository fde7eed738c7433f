package dev.nexusrouter.router.proxy;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * A HEAD sent to one upstream whose 404 is retried once on another before the client sees it: the
 * {@code hosted-then-group} route target, for the HEAD manifests that do not say whether they are a
 * push check or a pull (docs/client-request-shapes.md). Any other answer of the first upstream is
 * relayed as it is. HEAD has no body, so nothing is buffered and the retry is one more round trip.
 *
 * <p>Nothing is remembered between requests: the decision is made again for every request, so every
 * router replica answers the same way.
 */
public final class HeadFallback {
  private HeadFallback() {}

  /**
   * Asks {@code first}; on 404, forwards the exchange to {@code onNotFound}. Only for bodiless HEAD
   * requests (the route loader allows this target on HEAD rows only).
   */
  public static void forward(HttpServerExchange exchange, Upstream first, Upstream onNotFound) {
    Attempt attempt = new Attempt(exchange, first, onNotFound);
    exchange.dispatch(SameThreadExecutor.INSTANCE, attempt::start);
  }

  /** One request's probe of the first upstream; lives only as long as the exchange. */
  static final class Attempt implements ProxyCallback<ProxyConnection> {
    private final HttpServerExchange exchange;
    private final Upstream first;
    private final Upstream onNotFound;
    private final AtomicBoolean done = new AtomicBoolean();

    Attempt(HttpServerExchange exchange, Upstream first, Upstream onNotFound) {
      this.exchange = exchange;
      this.first = first;
      this.onNotFound = onNotFound;
    }

    void start() {
      ExchangeTags state = ExchangeTags.of(exchange);
      state.upstream = first.name();
      state.readTimeoutMillis = first.config().readTimeout().toMillis();
      ProxyClient client = first.bodilessClient();
      ProxyClient.ProxyTarget target = client.findTarget(exchange);
      if (target == null) {
        resume(ex -> first.forward(ex, 0));
        return;
      }
      client.getConnection(target, exchange, this, -1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void completed(HttpServerExchange ex, ProxyConnection connection) {
      ClientRequest request =
          new ClientRequest().setMethod(Methods.HEAD).setPath(targetPath(connection));
      // exactly the headers the ordinary proxy path sends (flows/HeadRoutingIT compares them)
      ForwardedHeaders.forUpstream(exchange, request.getRequestHeaders());
      connection
          .getConnection()
          .sendRequest(
              request,
              new ClientCallback<>() {
                @Override
                public void completed(ClientExchange sent) {
                  sent.setResponseListener(
                      new ClientCallback<>() {
                        @Override
                        public void completed(ClientExchange answered) {
                          onResponse(answered);
                        }

                        @Override
                        public void failed(IOException e) {
                          responseFailed(connection);
                        }
                      });
                  endRequest(sent.getRequestChannel(), connection);
                }

                @Override
                public void failed(IOException e) {
                  responseFailed(connection);
                }
              });
    }

    /** No connection: the ordinary proxy path gives the usual 502/503/504 answer. */
    @Override
    public void failed(HttpServerExchange ex) {
      resume(e -> first.forward(e, 0));
    }

    @Override
    public void couldNotResolveBackend(HttpServerExchange ex) {
      failed(ex);
    }

    @Override
    public void queuedRequestFailed(HttpServerExchange ex) {
      failed(ex);
    }

    private void onResponse(ClientExchange answered) {
      ClientResponse response = answered.getResponse();
      try {
        // a HEAD answer has no body; reading its end hands the connection back to the pool
        if (answered.getResponseChannel().read(ByteBuffer.allocate(16)) != -1) {
          IoUtils.safeClose(answered.getConnection());
        }
      } catch (IOException e) {
        IoUtils.safeClose(answered.getConnection());
      }
      if (response.getResponseCode() == 404) {
        resume(ex -> onNotFound.forward(ex, 0));
      } else {
        resume(ex -> relay(ex, response));
      }
    }

    private void responseFailed(ProxyConnection connection) {
      IoUtils.safeClose(connection.getConnection());
      resume(
          ex -> {
            ExchangeTags state = ExchangeTags.of(ex);
            state.connection = connection.getConnection();
            RegistryError error = RegistryErrors.classify(503, state, false);
            state.upstreamError = RegistryErrors.errorKind(error.status(), state);
            RegistryErrors.send(ex, error);
          });
    }

    private void endRequest(StreamSinkChannel channel, ProxyConnection connection) {
      try {
        channel.shutdownWrites();
        if (!channel.flush()) {
          channel.getWriteSetter().set(ChannelListeners.flushingChannelListener(null, null));
          channel.resumeWrites();
        }
      } catch (IOException e) {
        responseFailed(connection);
      }
    }

    /**
     * What the proxy would send: the path (and query) as received, below the upstream's path.
     * ProxyHandler builds its request target the same way but does not expose it;
     * flows/HeadRoutingIT compares the two for origin-form and absolute-form targets.
     */
    private String targetPath(ProxyConnection connection) {
      String uri = Upstream.rawPath(exchange);
      String base = connection.getTargetPath();
      StringBuilder sb = new StringBuilder();
      if (!base.isEmpty() && !base.equals("/")) {
        sb.append(base);
      }
      sb.append(uri);
      String qs = exchange.getQueryString();
      if (qs != null && !qs.isEmpty()) {
        sb.append('?').append(qs);
      }
      return sb.toString();
    }

    private static void relay(HttpServerExchange ex, ClientResponse response) {
      ex.setStatusCode(response.getResponseCode());
      ex.setReasonPhrase(response.getStatus());
      HeaderMap out = ex.getResponseHeaders();
      for (HeaderValues values : response.getResponseHeaders()) {
        out.putAll(values.getHeaderName(), values);
      }
      HopByHop.strip(out);
      // the upstream's framing of its bodiless answer; Undertow frames the relayed HEAD itself
      out.remove(Headers.TRANSFER_ENCODING);
      ex.endExchange();
    }

    /**
     * Continues the exchange as a handler call, so Undertow ends it (or dispatches) correctly; only
     * the first call does. A failed request write closes the connection, and the client then also
     * fails the pending response listener: without the guard the exchange would be answered twice.
     */
    private void resume(HttpHandler next) {
      if (done.compareAndSet(false, true)) {
        Connectors.executeRootHandler(next, exchange);
      }
    }
  }
}
