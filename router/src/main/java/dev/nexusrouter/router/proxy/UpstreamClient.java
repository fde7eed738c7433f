package dev.nexusrouter.router.proxy;

import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * Wraps one upstream's {@link LoadBalancingProxyClient} to learn which connection an exchange got
 * (so a timeout or body limit can abort exactly that upstream request) and to enforce a connect
 * timeout, which the pool itself does not have. The proxy gets each connection through {@link
 * UpstreamConnection}, so a kept-alive connection does not grow by a pair of timeout conduits per
 * request.
 */
final class UpstreamClient implements ProxyClient {
  private final LoadBalancingProxyClient delegate;
  private final long connectTimeoutMillis;
  private final Map<ClientConnection, Boolean> armed = UpstreamConnection.registry();

  UpstreamClient(LoadBalancingProxyClient delegate, long connectTimeoutMillis) {
    this.delegate = delegate;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  @Override
  public ProxyTarget findTarget(HttpServerExchange exchange) {
    return delegate.findTarget(exchange);
  }

  @Override
  public void getConnection(
      ProxyTarget target,
      HttpServerExchange exchange,
      ProxyCallback<ProxyConnection> callback,
      long timeout,
      TimeUnit timeUnit) {
    ExchangeTags state = ExchangeTags.of(exchange);
    Guard guard = new Guard(callback, exchange, state, armed);
    guard.timer =
        exchange
            .getIoThread()
            .executeAfter(guard::expire, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    delegate.getConnection(target, exchange, guard, timeout, timeUnit);
  }

  @Override
  public List<ProxyTarget> getAllTargets() {
    return delegate.getAllTargets();
  }

  /** Passes exactly one outcome on: the connection, the failure, or the connect timeout. */
  private static final class Guard implements ProxyCallback<ProxyConnection> {
    private final ProxyCallback<ProxyConnection> callback;
    private final HttpServerExchange exchange;
    private final ExchangeTags state;
    private final Map<ClientConnection, Boolean> armed;
    private XnioExecutor.Key timer;
    private boolean done;

    Guard(
        ProxyCallback<ProxyConnection> callback,
        HttpServerExchange exchange,
        ExchangeTags state,
        Map<ClientConnection, Boolean> armed) {
      this.callback = callback;
      this.exchange = exchange;
      this.state = state;
      this.armed = armed;
    }

    void expire() {
      if (!done) {
        done = true;
        state.connectTimedOut = true;
        callback.failed(exchange);
      }
    }

    private boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      if (timer != null) {
        timer.remove();
      }
      return true;
    }

    @Override
    public void completed(HttpServerExchange ex, ProxyConnection result) {
      if (!finish()) {
        // the connect timeout already failed this exchange; the late connection is not used
        IoUtils.safeClose(result.getConnection());
        return;
      }
      state.connection = result.getConnection();
      callback.completed(
          ex,
          new ProxyConnection(
              UpstreamConnection.wrap(result.getConnection(), armed, state),
              result.getTargetPath()));
    }

    @Override
    public void failed(HttpServerExchange ex) {
      if (finish()) {
        callback.failed(ex);
      }
    }

    @Override
    public void couldNotResolveBackend(HttpServerExchange ex) {
      if (finish()) {
        callback.couldNotResolveBackend(ex);
      }
    }

    @Override
    public void queuedRequestFailed(HttpServerExchange ex) {
      if (finish()) {
        callback.queuedRequestFailed(ex);
      }
    }
  }
}
