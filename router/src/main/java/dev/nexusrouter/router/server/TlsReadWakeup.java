package dev.nexusrouter.router.server;

import dev.nexusrouter.router.tls.TlsEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.ssl.SslConnection;

/**
 * Wakes the reader of an OpenSSL-engine TLS connection when the engine may still hold client bytes
 * that no socket event will announce (docs/tls.md#uploads-that-stopped-before-their-last-record).
 * The OpenSSL engine can take a whole TLS record into the library without decrypting it yet;
 * Undertow's TLS conduit does not know, and when reads are resumed after a pause it only waits for
 * the socket. If the client has sent everything, that record (typically a body's last chunk) is
 * never read and the upload hangs.
 *
 * <p>So this conduit, directly above the TLS conduit, remembers whether the last read returned
 * bytes; a resume after such a read becomes a wake-up: the reader runs at once and reads again,
 * which drains the engine. Only a read that returned nothing leaves the wait to the socket. That
 * costs one extra read per pause in reading; JSSE connections never hold such bytes and are left
 * alone.
 */
final class TlsReadWakeup extends AbstractStreamSourceConduit<StreamSourceConduit> {
  /** The last read returned bytes: the engine may hold more, and no event would say so. */
  private boolean mayHoldMore;

  private TlsReadWakeup(StreamSourceConduit next) {
    super(next);
  }

  /**
   * Puts the conduit on {@code connection}, before anything reads, if it is a TLS connection whose
   * engine comes from an OpenSSL context. {@code context} is the listener's context when the
   * connection was accepted (a certificate reload may swap it a moment later: at worst one
   * connection gets the conduit without needing it, or goes without it as before this fix).
   */
  static void install(StreamConnection connection, SSLContext context) {
    if (connection instanceof SslConnection
        && context != null
        && TlsEngine.holdsUndecryptedRecords(context)) {
      ConduitStreamSourceChannel source = connection.getSourceChannel();
      source.setConduit(new TlsReadWakeup(source.getConduit()));
    }
  }

  private int seen(int n) {
    mayHoldMore = n > 0;
    return n;
  }

  private long seen(long n) {
    mayHoldMore = n > 0;
    return n;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return seen(next.read(dst));
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    return seen(next.read(dsts, offs, len));
  }

  // both transfers read through this conduit, so that they are seen too

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
      throws IOException {
    return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
  }

  @Override
  public void resumeReads() {
    if (mayHoldMore && !next.isReadResumed()) {
      next.wakeupReads(); // resumes too, and runs the read listener once
    } else {
      next.resumeReads();
    }
  }

  @Override
  public void awaitReadable() throws IOException {
    if (!mayHoldMore) {
      next.awaitReadable();
    }
  }

  @Override
  public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
    if (!mayHoldMore) {
      next.awaitReadable(time, timeUnit);
    }
  }
}
