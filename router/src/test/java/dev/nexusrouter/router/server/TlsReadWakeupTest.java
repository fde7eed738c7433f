package dev.nexusrouter.router.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The wake-up rule of {@link TlsReadWakeup} against a fake TLS conduit: after a read that returned
 * bytes, the next pause in reading runs the listener once more; after a read of 0 the socket is
 * waited for as usual (docs/tls.md#uploads-that-stopped-before-their-last-record).
 */
class TlsReadWakeupTest {
  /** Answers reads from a script and counts what the conduit above asked of it. */
  static final class FakeTls implements StreamSourceConduit {
    final Deque<Integer> reads = new ArrayDeque<>();
    int resumes;
    int wakeups;
    int awaits;
    boolean resumed;
    ReadReadyHandler handler;

    @Override
    public int read(ByteBuffer dst) {
      int n = reads.isEmpty() ? 0 : reads.poll();
      dst.position(dst.position() + Math.max(n, 0));
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) {
      return read(dsts[offs]);
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void terminateReads() {}

    @Override
    public boolean isReadShutdown() {
      return false;
    }

    @Override
    public void resumeReads() {
      resumes++;
      resumed = true;
    }

    @Override
    public void suspendReads() {
      resumed = false;
    }

    @Override
    public void wakeupReads() {
      wakeups++;
      resumed = true;
    }

    @Override
    public boolean isReadResumed() {
      return resumed;
    }

    @Override
    public void awaitReadable() {
      awaits++;
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) {
      awaits++;
    }

    @Override
    public XnioIoThread getReadThread() {
      return null;
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
      this.handler = handler;
    }

    @Override
    public XnioWorker getWorker() {
      return null;
    }
  }

  private final FakeTls tls = new FakeTls();
  private final TlsReadWakeup conduit = new TlsReadWakeup(tls);
  private final ByteBuffer buf = ByteBuffer.allocate(64);

  private int read() throws Exception {
    buf.clear();
    return conduit.read(buf);
  }

  @Test
  void aResumeAfterAReadThatReturnedBytesRunsTheListenerOnceMore() throws Exception {
    tls.reads.add(5);
    assertEquals(5, read());
    conduit.resumeReads();
    assertEquals(1, tls.wakeups);
    assertEquals(0, tls.resumes);
    // the listener did not read: the next resume waits for the socket, no spinning
    conduit.suspendReads();
    conduit.resumeReads();
    assertEquals(1, tls.wakeups);
    assertEquals(1, tls.resumes);
  }

  @Test
  void aReadOfNothingLeavesTheWaitToTheSocket() throws Exception {
    tls.reads.add(5);
    tls.reads.add(0);
    read();
    read();
    conduit.resumeReads();
    assertEquals(0, tls.wakeups);
    assertEquals(1, tls.resumes);
  }

  @Test
  void aListenerRunThatStopsAfterBytesWithReadsResumedIsFollowedByOneMore() throws Exception {
    int[] runs = {0};
    conduit.setReadReadyHandler(
        new ReadReadyHandler() {
          @Override
          public void readReady() {
            runs[0]++;
            try {
              read();
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }

          @Override
          public void forceTermination() {}

          @Override
          public void terminated() {}
        });
    tls.resumed = true;
    tls.reads.add(5); // bytes, then the listener returns without a read of 0
    tls.handler.readReady();
    assertEquals(1, tls.wakeups);
    tls.reads.add(0); // the extra run reads nothing: done
    tls.handler.readReady();
    assertEquals(1, tls.wakeups);
    assertEquals(2, runs[0]);
    // a run with reads suspended at its end leaves the wake-up to the next resume
    tls.reads.add(7);
    tls.resumed = false;
    ReadReadyHandler suspending = tls.handler;
    suspending.readReady();
    assertEquals(1, tls.wakeups);
    conduit.resumeReads();
    assertEquals(2, tls.wakeups);
  }

  @Test
  void aBlockingReaderDoesNotWaitWhileTheEngineMayHoldBytes() throws Exception {
    tls.reads.add(5);
    read();
    conduit.awaitReadable();
    assertEquals(0, tls.awaits);
    conduit.awaitReadable(1, TimeUnit.SECONDS);
    assertEquals(1, tls.awaits);
  }
}
