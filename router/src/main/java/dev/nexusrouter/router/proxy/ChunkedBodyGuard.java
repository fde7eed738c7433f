package dev.nexusrouter.router.proxy;

import dev.nexusrouter.common.RegistryError;
import io.undertow.conduits.ChunkedStreamSourceConduit;
import io.undertow.conduits.ReadDataStreamSourceConduit;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Holds a chunked request body to strict framing ({@link ChunkFraming}) underneath Undertow's own
 * chunk decoder, which reads {@code zz} or {@code 0x3a} as a chunk size of 0 and would end the body
 * early, or parse what follows as a second request
 * (docs/undertow-notes.md#chunked-request-framing).
 *
 * <p>Installed by the front handler before anything reads the body: the request channel's decoder
 * is replaced by a new one reading through this conduit, which reads the connection's bytes as
 * Undertow's did (bytes left over from the head parse first, then the socket). Every body byte is
 * checked once, in order, before the decoder sees it. The decoder pushes bytes it read too far back
 * into the connection's left-over buffer and reads them again through here; those were checked
 * already, so the conduit tracks the stream offset: the bytes it pulled in so far minus those
 * waiting in that buffer.
 *
 * <p>On a violation the bad byte and everything after it are never handed to the decoder. The
 * decoder only gets the valid bytes before it, then reads of 0, and {@link BodyConduit} (above the
 * decoder) turns the violation into an aborted upstream request and a 400 that closes the
 * connection. Throwing from here instead would make the decoder close the connection without an
 * answer. With nothing above to report it (a body nobody reads, drained at the end of the
 * exchange), the read ends the stream and the decoder closes the connection.
 */
public final class ChunkedBodyGuard extends ReadThroughConduit {
  static final AttachmentKey<ChunkedBodyGuard> KEY = AttachmentKey.create(ChunkedBodyGuard.class);

  private final HttpServerConnection connection;
  private final ChunkFraming framing = new ChunkFraming();

  /** Body bytes taken in from below the decoder so far (left-over head-parse bytes included). */
  private long pulled;

  /** Stream offset of the first bad byte, or -1. */
  private long failAt = -1;

  /** Set by {@link BodyConduit}: it reads through the decoder and reports a violation. */
  private boolean watched;

  private ChunkedBodyGuard(StreamSourceConduit next, HttpServerConnection connection) {
    super(next);
    this.connection = connection;
  }

  /**
   * Puts the guard under the chunk decoder of an HTTP/1.1 chunked request; any other request is
   * left alone. Must run before anything reads the request body.
   */
  public static void install(HttpServerExchange exchange) {
    if (!(exchange.getConnection() instanceof HttpServerConnection c)) {
      return; // HTTP/2 has no chunked framing
    }
    ConduitStreamSourceChannel source = c.getChannel().getSourceChannel();
    if (!(source.getConduit() instanceof ChunkedStreamSourceConduit)
        || exchange.isRequestComplete()) {
      return;
    }
    ChunkedBodyGuard guard =
        new ChunkedBodyGuard(new ReadDataStreamSourceConduit(c.getOriginalSourceConduit(), c), c);
    guard.checkLeftOver();
    // what HttpTransferEncoding's own finish listener does: a body that did not end cleanly makes
    // the connection non-persistent, and the request counts as read either way
    source.setConduit(
        new ChunkedStreamSourceConduit(
            guard,
            exchange,
            decoder -> {
              if (!decoder.isFinished()) {
                exchange.setPersistent(false);
              }
              Connectors.terminateRequest(exchange);
            }));
    exchange.putAttachment(KEY, guard);
  }

  /** Called by {@link BodyConduit} when it wraps this exchange's body. */
  void watch() {
    watched = true;
  }

  boolean failed() {
    return failAt >= 0;
  }

  /** The client's error for a violation. */
  RegistryError error() {
    return RegistryError.of(400, "BLOB_UPLOAD_INVALID", "malformed chunked request body")
        .withDetail(framing.problem() + " at body byte " + failAt);
  }

  /** The body bytes the head parse read past the head are checked before anything reads them. */
  private void checkLeftOver() {
    PooledByteBuffer left = connection.getExtraBytes();
    if (left == null) {
      return;
    }
    ByteBuffer b = left.getBuffer();
    int bad = framing.scan(b, b.position(), b.limit());
    pulled = b.remaining();
    if (bad >= 0) {
      failAt = bad - b.position();
    }
  }

  private int leftOver() {
    PooledByteBuffer left = connection.getExtraBytes();
    return left == null ? 0 : left.getBuffer().remaining();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (framing.done()) {
      return next.read(dst); // the body ended: the decoder reads past it only to push bytes back
    }
    long pos = pulled - leftOver(); // stream offset of the next byte below
    int start = dst.position();
    int limit = dst.limit();
    if (failAt >= 0) {
      if (pos >= failAt) {
        return refuse();
      }
      dst.limit((int) Math.min(limit, start + (failAt - pos)));
    }
    int n;
    try {
      n = next.read(dst);
    } finally {
      dst.limit(limit);
    }
    long end = pos + n;
    if (n <= 0 || end <= pulled) {
      return n; // nothing new: bytes the decoder pushed back, checked when they first came in
    }
    int from = start + (int) (pulled - pos);
    long fromOffset = pulled;
    pulled = end;
    int bad = framing.scan(dst, from, start + n);
    if (bad < 0) {
      return n;
    }
    failAt = fromOffset + (bad - from);
    dst.position(bad); // the bad byte and the rest are dropped: the connection will not be reused
    return bad > start ? bad - start : refuse();
  }

  /** A read with nothing valid left to give. */
  private int refuse() {
    // 0 lets BodyConduit, which checks after every read, report it; -1 ends the stream and the
    // decoder closes the connection (as for a client that went away)
    return watched ? 0 : -1;
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    for (int i = offs; i < offs + len; i++) {
      if (dsts[i].hasRemaining()) {
        return read(dsts[i]);
      }
    }
    return 0;
  }
}
