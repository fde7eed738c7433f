package dev.nexusrouter.router.proxy;

import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Sits on the client's request body as the proxy streams it upstream. It counts bytes, aborts the
 * upstream request when a body crosses {@code max-body-size} (chunked bodies, whose size is unknown
 * up front), and when the body ends starts the upstream read timeout: nginx's proxy_read_timeout
 * counts from the end of the request, while Undertow's upstream READ_TIMEOUT would count the upload
 * itself (docs/undertow-notes.md#upstream-timeouts).
 */
final class BodyConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
  private final HttpServerExchange exchange;
  private final ExchangeTags state;
  private final ChunkedBodyGuard framing;
  private boolean ended;

  BodyConduit(StreamSourceConduit next, HttpServerExchange exchange, ExchangeTags state) {
    super(next);
    this.exchange = exchange;
    this.state = state;
    this.framing = exchange.getAttachment(ChunkedBodyGuard.KEY);
    if (framing != null) {
      framing.watch();
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    try {
      int n = next.read(dst);
      checkFraming();
      return count(n);
    } catch (IOException e) {
      return clientFailed(e);
    }
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    try {
      long n = next.read(dsts, offs, len);
      checkFraming();
      return count(n);
    } catch (IOException e) {
      return clientFailed(e);
    }
  }

  /**
   * A chunked body whose framing broke (see {@link ChunkedBodyGuard}) fails the read here, above
   * Undertow's decoder: the upstream request is aborted like any client failure, and the proxy's
   * error path answers 400 ({@link RegistryErrors}) and closes the connection.
   */
  private void checkFraming() throws IOException {
    if (framing != null && framing.failed()) {
      abort(state.connection); // also on the transferTo paths, which do not go through clientFailed
      throw new IOException("malformed chunked request body: " + framing.error().detail());
    }
  }

  /**
   * The client broke off its upload (reset, premature end of a chunked body, read timeout): abort
   * the upstream request too, so it never sees a shorter body that looks complete.
   */
  private int clientFailed(IOException e) throws IOException {
    abort(state.connection);
    throw e;
  }

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    long n = next.transferTo(position, count, target);
    checkFraming();
    return count(n);
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
      throws IOException {
    long n = next.transferTo(count, throughBuffer, target);
    checkFraming();
    // bytes left in throughBuffer were read from the client too
    return count(n);
  }

  private int count(int n) throws IOException {
    return (int) count((long) n);
  }

  private long count(long n) throws IOException {
    if (n > 0) {
      state.requestBytes += n;
      if (state.maxBodySize > 0 && state.requestBytes > state.maxBodySize) {
        state.bodyLimitExceeded = true;
        abort(state.connection);
        throw new IOException("request body exceeds max-body-size");
      }
    } else if (n < 0 && !ended) {
      ended = true;
      startResponseTimer();
    }
    return n;
  }

  /**
   * Aborts the upstream request so that the upstream sees a broken body, never a shorter valid one.
   * {@code HttpClientConnection#close} shuts writes down cleanly, which ends a chunked request body
   * with its terminating chunk: the upstream would accept a truncated body
   * (docs/undertow-notes.md#aborted-chunked-uploads). {@code performUpgrade()} detaches the
   * request's chunked conduit and returns the raw connection, which is then reset.
   */
  static void abort(ClientConnection connection) {
    if (connection == null) {
      return;
    }
    try {
      StreamConnection raw = connection.performUpgrade();
      raw.setOption(Options.CLOSE_ABORT, true);
      IoUtils.safeClose(raw);
    } catch (IOException | RuntimeException e) {
      // not an HTTP/1.1 connection, or already closed: the plain close below is all there is
    }
    IoUtils.safeClose(connection);
  }

  private void startResponseTimer() {
    if (state.readTimeoutMillis <= 0 || exchange.isResponseStarted()) {
      return;
    }
    state.responseTimer =
        exchange
            .getIoThread()
            .executeAfter(this::responseTimedOut, state.readTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void responseTimedOut() {
    state.responseTimer = null;
    if (!exchange.isResponseStarted() && !exchange.isComplete()) {
      state.responseTimedOut = true;
      abort(state.connection);
    }
  }
}
