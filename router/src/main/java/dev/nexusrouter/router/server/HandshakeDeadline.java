package dev.nexusrouter.router.server;

import io.undertow.Undertow;
import io.undertow.server.OpenListener;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * Closes a TLS connection whose handshake has not finished {@code client.header-timeout} after it
 * was accepted. Undertow starts its request-parse timer only once decrypted bytes arrive, so a
 * client that connects and stays silent, or stops inside its ClientHello, would otherwise be held
 * for the idle timeout (see docs/undertow-notes.md#tls-handshake-timeout).
 *
 * <p>Per connection: one timer on the connection's own I/O thread and one small object that is its
 * task and the handshake listener that cancels it; nothing blocks. A connection closed before its
 * handshake finished stays referenced by its timer until the timer fires (at most the header
 * timeout), where the task then does nothing.
 */
final class HandshakeDeadline implements ChannelListener<StreamConnection> {
  /** The cipher suite of a TLS session whose handshake has not finished (JSSE's null session). */
  private static final String NO_SESSION_YET = "SSL_NULL_WITH_NULL_NULL";

  private final OpenListener next;
  private final long millis;

  private HandshakeDeadline(OpenListener next, long millis) {
    this.next = next;
    this.millis = millis;
  }

  /**
   * Puts the deadline in front of an HTTPS listener Undertow has started. Undertow's builder has no
   * hook for the accept listener, so the listener's accepting channel is read from its private
   * field; connections accepted between the listener's start and this call (microseconds) keep only
   * the idle timeout.
   */
  static void install(Undertow.ListenerInfo info, long millis) {
    if (millis <= 0 || info.getSslContext() == null) {
      return;
    }
    AcceptingChannel<?> channel;
    OpenListener open;
    try {
      channel = (AcceptingChannel<?>) field(info, "channel");
      open = (OpenListener) field(info, "openListener");
    } catch (ReflectiveOperationException | RuntimeException e) {
      // no cause: RouterServer.start reports a cause's message, and this one names the problem
      throw new IllegalStateException(
          "this Undertow version hides the TLS listener's accept path ("
              + e
              + "); the TLS handshake timeout cannot be installed");
    }
    set(channel, ChannelListeners.openListenerAdapter(new HandshakeDeadline(open, millis)));
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
    if (connection instanceof SslConnection tls) {
      Pending p = new Pending(tls);
      p.key = connection.getIoThread().executeAfter(p, millis, TimeUnit.MILLISECONDS);
      tls.getHandshakeSetter().set(p);
    }
    next.handleEvent(connection);
  }

  /**
   * The timer's task, and the handshake listener that cancels it: one object per connection. The
   * key is set on the accepting I/O thread before the connection reads anything, so before any
   * handshake can finish.
   */
  private static final class Pending implements Runnable, ChannelListener<SslConnection> {
    private final SslConnection tls;
    private XnioExecutor.Key key;

    Pending(SslConnection tls) {
      this.tls = tls;
    }

    @Override
    public void run() {
      if (tls.isOpen() && NO_SESSION_YET.equals(tls.getSslSession().getCipherSuite())) {
        IoUtils.safeClose(tls);
      }
    }

    @Override
    public void handleEvent(SslConnection channel) {
      key.remove(); // handshake finished: Undertow's own header and idle timeouts apply from here
      channel.getHandshakeSetter().set(null);
    }
  }
}
