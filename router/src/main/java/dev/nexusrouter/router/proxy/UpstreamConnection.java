package dev.nexusrouter.router.proxy;

import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.client.ClientStatistics;
import io.undertow.client.ContinueNotification;
import io.undertow.client.PushCallback;
import io.undertow.connector.ByteBufferPool;
import io.undertow.util.AttachmentKey;
import io.undertow.util.AttachmentList;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.Option;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * A pooled upstream connection as the proxy sees it for one exchange. It does two things Undertow's
 * proxy does not: it installs the read/write timeout conduits once per connection instead of once
 * per request, and it records why the upstream request failed (the {@link IOException} Undertow
 * passes to the proxy's callbacks) in {@link ExchangeTags#failure}, so the error the client gets is
 * classified from the cause rather than guessed.
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
final class UpstreamConnection implements ClientConnection {
  private final ClientConnection delegate;
  private final Map<ClientConnection, Boolean> armed;
  private final ExchangeTags state;

  private UpstreamConnection(
      ClientConnection delegate, Map<ClientConnection, Boolean> armed, ExchangeTags state) {
    this.delegate = delegate;
    this.armed = armed;
    this.state = state;
  }

  /**
   * The connections of one pool that already carry the conduits. Weak keys: an entry lives as long
   * as the pooled connection (at most connections-per-thread × I/O threads × servers).
   */
  static Map<ClientConnection, Boolean> registry() {
    return Collections.synchronizedMap(new WeakHashMap<>());
  }

  static UpstreamConnection wrap(
      ClientConnection c, Map<ClientConnection, Boolean> armed, ExchangeTags state) {
    return new UpstreamConnection(c, armed, state);
  }

  /** The connection the pool owns, for aborting it. */
  ClientConnection delegate() {
    return delegate;
  }

  @Override
  public void sendRequest(ClientRequest request, ClientCallback<ClientExchange> proxyCallback) {
    ClientCallback<ClientExchange> callback = new Recording(proxyCallback, state);
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

  /** Records a failure before passing it on; hands the proxy a recording exchange. */
  private record Recording(ClientCallback<ClientExchange> next, ExchangeTags state)
      implements ClientCallback<ClientExchange> {
    @Override
    public void completed(ClientExchange result) {
      next.completed(new RecordingExchange(result, state));
    }

    @Override
    public void failed(IOException e) {
      if (state.failure == null) {
        state.failure = e;
      }
      next.failed(e);
    }
  }

  /** The upstream exchange; the proxy's response listener is wrapped in {@link Recording}. */
  private record RecordingExchange(ClientExchange delegate, ExchangeTags state)
      implements ClientExchange {
    @Override
    public void setResponseListener(ClientCallback<ClientExchange> responseListener) {
      delegate.setResponseListener(new Recording(responseListener, state));
    }

    @Override
    public void setContinueHandler(ContinueNotification continueHandler) {
      delegate.setContinueHandler(continueHandler);
    }

    @Override
    public void setPushHandler(PushCallback pushCallback) {
      delegate.setPushHandler(pushCallback);
    }

    @Override
    public StreamSinkChannel getRequestChannel() {
      return delegate.getRequestChannel();
    }

    @Override
    public StreamSourceChannel getResponseChannel() {
      return delegate.getResponseChannel();
    }

    @Override
    public ClientRequest getRequest() {
      return delegate.getRequest();
    }

    @Override
    public ClientResponse getResponse() {
      return delegate.getResponse();
    }

    @Override
    public ClientResponse getContinueResponse() {
      return delegate.getContinueResponse();
    }

    @Override
    public ClientConnection getConnection() {
      return delegate.getConnection();
    }

    @Override
    public <T> T getAttachment(AttachmentKey<T> key) {
      return delegate.getAttachment(key);
    }

    @Override
    public <T> List<T> getAttachmentList(AttachmentKey<? extends List<T>> key) {
      return delegate.getAttachmentList(key);
    }

    @Override
    public <T> T putAttachment(AttachmentKey<T> key, T value) {
      return delegate.putAttachment(key, value);
    }

    @Override
    public <T> T removeAttachment(AttachmentKey<T> key) {
      return delegate.removeAttachment(key);
    }

    @Override
    public <T> void addToAttachmentList(AttachmentKey<AttachmentList<T>> key, T value) {
      delegate.addToAttachmentList(key, value);
    }
  }
}
