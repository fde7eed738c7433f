package dev.nexusrouter.router.server;

import io.undertow.Undertow;
import io.undertow.server.OpenListener;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Closes a connection that has not sent a single request byte {@code client.header-timeout} after
 * it was accepted; on a TLS listener the handshake counts into that time. Undertow starts its
 * request-parse timer only once request bytes arrive and holds a silent connection for the idle
 * timeout, where nginx closes it after {@code client_header_timeout} (see
 * docs/undertow-notes.md#silent-connections). Once the first byte arrived, Undertow's own timers
 * apply: the header timeout for the rest of the head, the idle timeout between kept-alive requests.
 *
 * <p>Per connection: one timer on the connection's own I/O thread, and one small object that is
 * both its task and the source conduit (at the bottom of Undertow's chain, above TLS) that cancels
 * it on the first byte read; after that the conduit only passes reads through. Nothing blocks. A
 * connection closed before sending anything stays referenced by its timer until the timer fires (at
 * most the header timeout).
 *
 * <p>The same accept hook puts {@link TlsReadWakeup} on connections of the OpenSSL engine, with or
 * without a header timeout (docs/tls.md#uploads-that-stopped-before-their-last-record).
 */
final class HeaderDeadline implements ChannelListener<StreamConnection> {
  private final Undertow.ListenerInfo info;
  private final OpenListener next;
  private final long millis;

  private HeaderDeadline(Undertow.ListenerInfo info, OpenListener next, long millis) {
    this.info = info;
    this.next = next;
    this.millis = millis;
  }

  /**
   * Puts the deadline in front of a listener Undertow has started. Undertow's builder has no hook
   * for the accept listener, so the listener's accepting channel is read from its private field;
   * connections accepted between the listener's start and this call (microseconds) keep only the
   * idle timeout. With {@code millis} 0 or less there is no deadline, and the hook only adds {@link
   * TlsReadWakeup}.
   */
  static void install(Undertow.ListenerInfo info, long millis) {
    AcceptingChannel<?> channel;
    OpenListener open;
    try {
      channel = (AcceptingChannel<?>) field(info, "channel");
      open = (OpenListener) field(info, "openListener");
    } catch (ReflectiveOperationException | RuntimeException e) {
      // no cause: RouterServer.start reports a cause's message, and this one names the problem
      throw new IllegalStateException(
          "this Undertow version hides the listener's accept path ("
              + e
              + "); the header timeout and the TLS read wake-up of new connections cannot be"
              + " installed");
    }
    set(channel, ChannelListeners.openListenerAdapter(new HeaderDeadline(info, open, millis)));
  }

  private static Object field(Undertow.ListenerInfo info, String name)
      throws ReflectiveOperationException {
    Field f = Undertow.ListenerInfo.class.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(info);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void set(AcceptingChannel<?> channel, ChannelListener<?> listener) {
    ((ChannelListener.Setter) channel.getAcceptSetter()).set(listener);
  }

  @Override
  public void handleEvent(StreamConnection connection) {
    // before Undertow's open listener, which captures the source conduit as the connection's
    // original one and may read at once
    TlsReadWakeup.install(connection, info.getSslContext());
    if (millis <= 0) {
      next.handleEvent(connection);
      return;
    }
    ConduitStreamSourceChannel source = connection.getSourceChannel();
    FirstByte first = new FirstByte(source.getConduit(), connection);
    try {
      first.key = connection.getIoThread().executeAfter(first, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the I/O thread is stopping with the server, which closes its connections anyway
    }
    source.setConduit(first);
    next.handleEvent(connection);
  }

  /**
   * The timer's task, and the source conduit that cancels it when a read first returns bytes (on a
   * TLS connection: decrypted bytes, so a handshake alone does not count). The key is set before
   * the connection reads anything.
   */
  private static final class FirstByte extends AbstractStreamSourceConduit<StreamSourceConduit>
      implements Runnable {
    private final StreamConnection connection;

    /** The pending deadline; null once a byte arrived. */
    private volatile XnioExecutor.Key key;

    FirstByte(StreamSourceConduit next, StreamConnection connection) {
      super(next);
      this.connection = connection;
    }

    @Override
    public void run() {
      if (key != null) {
        key = null;
        IoUtils.safeClose(connection);
      }
    }

    /** A read returned bytes: a request began, Undertow's header and idle timeouts apply now. */
    private void arrived() {
      XnioExecutor.Key k = key;
      if (k != null) {
        key = null;
        k.remove();
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int n = next.read(dst);
      if (n > 0) {
        arrived();
      }
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
      long n = next.read(dsts, offs, len);
      if (n > 0) {
        arrived();
      }
      return n;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
      long n = next.transferTo(position, count, target);
      if (n > 0) {
        arrived();
      }
      return n;
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
        throws IOException {
      long n = next.transferTo(count, throughBuffer, target);
      if (n > 0 || throughBuffer.hasRemaining()) { // bytes left in throughBuffer were read too
        arrived();
      }
      return n;
    }
  }
}
