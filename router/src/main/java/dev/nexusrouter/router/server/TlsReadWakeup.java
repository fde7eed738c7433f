package dev.nexusrouter.router.server;

import dev.nexusrouter.router.proxy.ReadThroughConduit;
import dev.nexusrouter.router.tls.TlsEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.ssl.SslConnection;

/**
 * Wakes the reader of an OpenSSL-engine TLS connection when the engine may still hold client bytes
 * that no socket event will announce (docs/tls.md#uploads-that-stopped-before-their-last-record).
 * The OpenSSL engine can take a whole TLS record into the library without decrypting it yet;
 * Undertow's TLS conduit does not know, and once nobody reads it only waits for the socket. If the
 * client has sent everything, that record (typically a body's last chunk) is never read and the
 * upload hangs.
 *
 * <p>So this conduit, directly above the TLS conduit, notes when a read returned bytes and no read
 * has returned 0 since: the engine may hold more. If reading then pauses with that note, the read
 * listener is run once more, and reading again drains the engine: when reads are resumed, or when a
 * listener run that read bytes ends with reads still resumed. Each read that returned bytes buys at
 * most one such extra run, so a listener that does not read cannot make it spin. JSSE connections
 * never hold such bytes and do not get this conduit.
 */
final class TlsReadWakeup extends ReadThroughConduit {
  /**
   * A read returned bytes, none has returned 0 since, and no extra listener run was asked for it:
   * the engine may hold more, and no event would say so.
   */
  private boolean unannounced;

  /** Reads in the listener run under way. */
  private int readsInRun;

  TlsReadWakeup(StreamSourceConduit next) {
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
    seen((long) n);
    return n;
  }

  private long seen(long n) {
    readsInRun++;
    unannounced = n > 0;
    return n;
  }

  /** Runs the read listener once more if the engine may hold bytes. */
  private boolean announce() {
    if (!unannounced) {
      return false;
    }
    unannounced = false;
    next.wakeupReads(); // resumes reads, and runs the listener from the I/O thread's queue
    return true;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return seen(next.read(dst));
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    return seen(next.read(dsts, offs, len));
  }

  @Override
  public void resumeReads() {
    if (!announce()) {
      next.resumeReads();
    }
  }

  @Override
  public void awaitReadable() throws IOException {
    if (!unannounced) {
      next.awaitReadable();
    }
    unannounced = false;
  }

  @Override
  public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
    if (!unannounced) {
      next.awaitReadable(time, timeUnit);
    }
    unannounced = false;
  }

  @Override
  public void setReadReadyHandler(ReadReadyHandler handler) {
    next.setReadReadyHandler(handler == null ? null : new AfterRun(handler));
  }

  /**
   * Runs the channel's listener, then once more if it read bytes and stopped before a read returned
   * 0 while reads stay resumed (the TLS conduit re-runs it only for bytes in its own buffers).
   */
  private final class AfterRun implements ReadReadyHandler {
    private final ReadReadyHandler handler;

    AfterRun(ReadReadyHandler handler) {
      this.handler = handler;
    }

    @Override
    public void readReady() {
      readsInRun = 0;
      handler.readReady();
      if (readsInRun > 0 && next.isReadResumed()) {
        announce();
      }
    }

    @Override
    public void forceTermination() {
      handler.forceTermination();
    }

    @Override
    public void terminated() {
      handler.terminated();
    }
  }
}
