package dev.nexusrouter.router.faults;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A TLS client that decides where each record ends and which records leave in one TCP write, which
 * an {@code SSLSocket} does not: a JDK {@link SSLEngine} over a plain socket. Every read is bounded
 * by the socket timeout, so a server that never answers fails the test instead of hanging it.
 */
final class RecordClient implements AutoCloseable {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final SSLEngine engine;
  private ByteBuffer netIn;
  private ByteBuffer appIn;

  /** Connects to {@code port} on loopback and completes a handshake with {@code protocol} only. */
  RecordClient(SSLContext ctx, int port, String protocol, int timeoutMillis) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    try {
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
      engine = ctx.createSSLEngine("localhost", port);
      engine.setUseClientMode(true);
      SSLParameters p = engine.getSSLParameters();
      p.setProtocols(new String[] {protocol});
      p.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(p);
      netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      netIn.flip();
      appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
      handshake();
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private void handshake() throws IOException {
    engine.beginHandshake();
    HandshakeStatus hs = engine.getHandshakeStatus();
    for (int i = 0; i < 1000; i++) {
      switch (hs) {
        case FINISHED, NOT_HANDSHAKING -> {
          return;
        }
        case NEED_WRAP -> {
          ByteBuffer o = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
          hs = engine.wrap(EMPTY, o).getHandshakeStatus();
          out.write(o.array(), 0, o.position());
          out.flush();
        }
        case NEED_TASK -> {
          for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
            t.run();
          }
          hs = engine.getHandshakeStatus();
        }
        default -> { // NEED_UNWRAP, NEED_UNWRAP_AGAIN
          SSLEngineResult r = unwrapOnce();
          hs = r == null ? engine.getHandshakeStatus() : r.getHandshakeStatus();
        }
      }
    }
    throw new SSLException("handshake did not finish in 1000 steps");
  }

  /** One unwrap; on an underflow reads more from the socket first and returns null. */
  private SSLEngineResult unwrapOnce() throws IOException {
    SSLEngineResult r = engine.unwrap(netIn, appIn);
    switch (r.getStatus()) {
      case BUFFER_UNDERFLOW -> {
        fill();
        return null;
      }
      case BUFFER_OVERFLOW -> {
        ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
        appIn.flip();
        bigger.put(appIn);
        appIn = bigger;
        return null;
      }
      case CLOSED -> throw new EOFException("the server closed the TLS connection");
      default -> {
        return r;
      }
    }
  }

  private void fill() throws IOException {
    netIn.compact();
    if (!netIn.hasRemaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
    if (n < 0) {
      throw new EOFException("the server closed the connection");
    }
    netIn.position(netIn.position() + n);
    netIn.flip();
  }

  /**
   * Encrypts each element of {@code records} as a record of its own (each at most 16 KiB) and sends
   * them all with one socket write.
   */
  void send(List<byte[]> records) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (byte[] r : records) {
      if (r.length > 16384) {
        throw new IllegalArgumentException("a record holds at most 16 KiB: " + r.length);
      }
      ByteBuffer src = ByteBuffer.wrap(r);
      ByteBuffer o = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      SSLEngineResult res = engine.wrap(src, o);
      if (res.getStatus() != SSLEngineResult.Status.OK || src.hasRemaining()) {
        throw new SSLException("record of " + r.length + " bytes not wrapped at once: " + res);
      }
      wire.write(o.array(), 0, o.position());
    }
    out.write(wire.toByteArray());
    out.flush();
  }

  /**
   * The status code of one HTTP/1.1 response (its head, then a {@code Content-Length} body, read
   * and dropped). A server that sends nothing for the socket timeout throws {@link
   * java.net.SocketTimeoutException}.
   */
  int readStatus() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
      head.write(nextByte());
      if (head.size() > 64 * 1024) {
        throw new IOException("response head over 64 KiB");
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        long n = Long.parseLong(line.substring(15).trim());
        for (long i = 0; i < n; i++) {
          nextByte();
        }
      }
    }
    return Integer.parseInt(text.substring(9, 12));
  }

  private int nextByte() throws IOException {
    appIn.flip();
    try {
      if (appIn.hasRemaining()) {
        return appIn.get() & 0xff;
      }
    } finally {
      appIn.compact();
    }
    for (int i = 0; i < 10_000; i++) {
      if (netIn.hasRemaining()) {
        SSLEngineResult r = unwrapOnce();
        if (r != null && r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
          for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
            t.run();
          }
        }
      } else {
        fill();
      }
      if (appIn.position() > 0) {
        return nextByte();
      }
    }
    throw new IOException("no application data in 10000 records");
  }

  /** Closes the connection, which also ends a send blocked in another thread. */
  void abort() throws IOException {
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
