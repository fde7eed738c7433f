package dev.nexusrouter.router.proxy;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

/**
 * Checks an upstream response's framing before the router commits it to the client (RFC 9112,
 * section 6.3). Several {@code Content-Length} values that agree become one header. Values that
 * disagree ({@code 5} and {@code 50}) make the body's length unknowable: relaying them would frame
 * the body one way for the router and another for the client, which then reads the next response
 * from the middle of this one. The client gets a 502 with registry JSON instead, the upstream body
 * is discarded and the upstream connection is closed rather than reused. With a {@code
 * Transfer-Encoding}, a {@code Content-Length} is dropped (the coding frames the body).
 */
final class ResponseFraming implements ConduitWrapper<StreamSinkConduit> {
  static final ResponseFraming INSTANCE = new ResponseFraming();

  private ResponseFraming() {}

  @Override
  public StreamSinkConduit wrap(
      ConduitFactory<StreamSinkConduit> factory, HttpServerExchange exchange) {
    HeaderMap h = exchange.getResponseHeaders();
    HeaderValues cl = h.get(Headers.CONTENT_LENGTH);
    if (cl == null) {
      return factory.create();
    }
    if (h.contains(Headers.TRANSFER_ENCODING)) {
      h.remove(Headers.CONTENT_LENGTH);
      return factory.create();
    }
    String single = agreedLength(cl);
    if (single != null) {
      if (cl.size() > 1 || !cl.getFirst().equals(single)) {
        h.put(Headers.CONTENT_LENGTH, single);
      }
      return factory.create();
    }
    return refuse(factory, exchange);
  }

  /** The one length all values state, or null when they disagree or one is not a number. */
  static String agreedLength(Iterable<String> values) {
    Set<String> distinct = new LinkedHashSet<>();
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        String t = part.trim();
        if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9') || t.length() > 18) {
          return null;
        }
        distinct.add(t.replaceFirst("^0+(?=.)", ""));
      }
    }
    return distinct.size() == 1 ? distinct.iterator().next() : null;
  }

  private static StreamSinkConduit refuse(
      ConduitFactory<StreamSinkConduit> factory, HttpServerExchange exchange) {
    ExchangeTags state = ExchangeTags.of(exchange);
    ExchangeTags.of(exchange).upstreamError = "bad_framing";
    // the bytes the upstream sent after the shorter length would be read as the next response
    exchange.addExchangeCompleteListener(
        (ex, next) -> {
          IoUtils.safeClose(state.connection);
          next.proceed();
        });
    RegistryError error =
        RegistryError.of(
                502, "UNAVAILABLE", "upstream '" + state.upstream + "' sent an invalid response")
            .withDetail("conflicting Content-Length headers");
    byte[] body = error.toJson().getBytes(StandardCharsets.UTF_8);
    HeaderMap h = exchange.getResponseHeaders();
    h.clear();
    h.put(Headers.CONTENT_TYPE, RegistryError.CONTENT_TYPE);
    h.put(RegistryErrors.API_VERSION, RegistryError.API_VERSION);
    h.put(Headers.CONTENT_LENGTH, body.length);
    exchange.setStatusCode(502);
    boolean head = exchange.getRequestMethod().equalToString("HEAD");
    return new Replacing(factory.create(), ByteBuffer.wrap(head ? new byte[0] : body));
  }

  /** Discards everything written to it and sends {@code body} instead. */
  static final class Replacing extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private final ByteBuffer body;
    private boolean terminated;
    private boolean nextTerminated;

    Replacing(StreamSinkConduit next, ByteBuffer body) {
      super(next);
      this.body = body;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      src.position(src.limit());
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) {
      long n = 0;
      for (int i = offs; i < offs + len; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public int writeFinal(ByteBuffer src) {
      int n = write(src);
      terminateWrites();
      return n;
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) {
      long n = write(srcs, offs, len);
      terminateWrites();
      return n;
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) {
      return count;
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer)
        throws IOException {
      throughBuffer.clear();
      if (count < throughBuffer.remaining()) {
        throughBuffer.limit((int) count);
      }
      long n = source.read(throughBuffer);
      throughBuffer.clear().flip(); // nothing left over for the caller to write
      return n;
    }

    @Override
    public void terminateWrites() {
      terminated = true;
    }

    @Override
    public boolean flush() throws IOException {
      while (body.hasRemaining()) {
        if (next.write(body) == 0) {
          return false;
        }
      }
      if (terminated && !nextTerminated) {
        nextTerminated = true;
        next.terminateWrites();
      }
      return next.flush();
    }
  }
}
