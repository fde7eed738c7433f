package dev.nexusrouter.router.proxy;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientStatistics;
import io.undertow.connector.ByteBufferPool;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.Option;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * A pooled upstream connection as the proxy sees it, so that Undertow's read/write timeout conduits
 * are installed once per connection instead of once per request.
 *
 * <p>{@code HttpClientConnection.sendRequest} wraps the connection's channels in a new {@code
 * ReadTimeoutStreamSourceConduit} and {@code WriteTimeoutStreamSinkConduit} (each with a new {@code
 * HttpOpenListener} and {@code ConnectorStatisticsImpl}) on <em>every</em> request whenever the
 * connection has {@code READ_TIMEOUT}/{@code WRITE_TIMEOUT} set. On a kept-alive upstream
 * connection the chain grows by ~450 bytes per request and is freed only when the connection
 * closes, so a busy router runs out of heap. The conduits read the timeout from the connection's
 * option each time they check, so the first pair keeps working for every later request: this
 * wrapper clears the options for the instant of {@code sendRequest} on every request after the
 * first, then restores them. See docs/operations-reliability.md.
 */
final class TimeoutsOnce implements ClientConnection {
  private final ClientConnection delegate;
  private final Map<ClientConnection, Boolean> armed;

  private TimeoutsOnce(ClientConnection delegate, Map<ClientConnection, Boolean> armed) {
    this.delegate = delegate;
    this.armed = armed;
  }

  /**
   * The connections of one pool that already carry the conduits. Weak keys: an entry lives as long
   * as the pooled connection (at most connections-per-thread × I/O threads × servers).
   */
  static Map<ClientConnection, Boolean> registry() {
    return Collections.synchronizedMap(new WeakHashMap<>());
  }

  static TimeoutsOnce wrap(ClientConnection c, Map<ClientConnection, Boolean> armed) {
    return new TimeoutsOnce(c, armed);
  }

  /** The connection the pool owns, for aborting it. */
  ClientConnection delegate() {
    return delegate;
  }

  @Override
  public void sendRequest(ClientRequest request, ClientCallback<ClientExchange> callback) {
    if (armed.put(delegate, Boolean.TRUE) == null) {
      delegate.sendRequest(request, callback); // first request: Undertow installs the conduits
      return;
    }
    Integer read = option(Options.READ_TIMEOUT);
    Integer write = option(Options.WRITE_TIMEOUT);
    set(Options.READ_TIMEOUT, 0);
    set(Options.WRITE_TIMEOUT, 0);
    try {
      delegate.sendRequest(request, callback);
    } finally {
      set(Options.READ_TIMEOUT, read);
      set(Options.WRITE_TIMEOUT, write);
    }
  }

  private Integer option(Option<Integer> o) {
    try {
      return delegate.getOption(o);
    } catch (IOException e) {
      return null;
    }
  }

  private void set(Option<Integer> o, Integer value) {
    if (value == null) {
      return;
    }
    try {
      delegate.setOption(o, value);
    } catch (IOException | IllegalArgumentException e) {
      // a closed connection: the request fails on its own
    }
  }

  @Override
  public StreamConnection performUpgrade() throws IOException {
    return delegate.performUpgrade();
  }

  @Override
  public ByteBufferPool getBufferPool() {
    return delegate.getBufferPool();
  }

  @Override
  public SocketAddress getPeerAddress() {
    return delegate.getPeerAddress();
  }

  @Override
  public <A extends SocketAddress> A getPeerAddress(Class<A> type) {
    return delegate.getPeerAddress(type);
  }

  @Override
  public ChannelListener.Setter<? extends ClientConnection> getCloseSetter() {
    return delegate.getCloseSetter();
  }

  @Override
  public SocketAddress getLocalAddress() {
    return delegate.getLocalAddress();
  }

  @Override
  public <A extends SocketAddress> A getLocalAddress(Class<A> type) {
    return delegate.getLocalAddress(type);
  }

  @Override
  public XnioWorker getWorker() {
    return delegate.getWorker();
  }

  @Override
  public XnioIoThread getIoThread() {
    return delegate.getIoThread();
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public boolean supportsOption(Option<?> option) {
    return delegate.supportsOption(option);
  }

  @Override
  public <T> T getOption(Option<T> option) throws IOException {
    return delegate.getOption(option);
  }

  @Override
  public <T> T setOption(Option<T> option, T value) throws IOException {
    return delegate.setOption(option, value);
  }

  @Override
  public boolean isUpgraded() {
    return delegate.isUpgraded();
  }

  @Override
  public boolean isPushSupported() {
    return delegate.isPushSupported();
  }

  @Override
  public boolean isMultiplexingSupported() {
    return delegate.isMultiplexingSupported();
  }

  @Override
  public ClientStatistics getStatistics() {
    return delegate.getStatistics();
  }

  @Override
  public boolean isUpgradeSupported() {
    return delegate.isUpgradeSupported();
  }

  @Override
  public void addCloseListener(ChannelListener<ClientConnection> listener) {
    delegate.addCloseListener(listener);
  }

  @Override
  public boolean isPingSupported() {
    return delegate.isPingSupported();
  }

  @Override
  public void sendPing(PingListener listener, long timeout, TimeUnit timeUnit) {
    delegate.sendPing(listener, timeout, timeUnit);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
