package dev.nexusrouter.router.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream that reads chunked request bodies slowly (a small receive buffer, a pause after every
 * 16 KiB), so that the router's upload buffer fills and it pauses reading from the client; answers
 * 202 once a body ended. Records how many data bytes each body had and whether it ended complete.
 */
final class SlowSink implements AutoCloseable {
  /**
   * One body: data bytes so far, and "complete" or why not once it ended (null while streaming).
   */
  static final class Body {
    volatile long bytes;
    volatile String end;

    @Override
    public String toString() {
      return "bytes=" + bytes + " end=" + end;
    }
  }

  private final ServerSocket server;
  private final long pauseMillis;
  final List<Body> bodies = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  SlowSink(long pauseMillis) throws IOException {
    this.pauseMillis = pauseMillis;
    server = new ServerSocket();
    server.setReceiveBufferSize(16 * 1024); // inherited by accepted sockets
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread t = new Thread(this::accept, "slow-sink");
    t.setDaemon(true);
    t.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "slow-sink-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(120_000);
      InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      while (line(in) != null) {
        while (!line(in).isEmpty()) {
          // headers: the router sends chunked bodies for chunked uploads
        }
        Body b = new Body();
        bodies.add(b);
        readChunked(in, b);
        s.getOutputStream()
            .write(
                "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      for (Body b : bodies) {
        if (b.end == null) {
          b.end = "error: " + e;
        }
      }
    }
  }

  private void readChunked(InputStream in, Body b) throws IOException, InterruptedException {
    byte[] buf = new byte[16 * 1024];
    while (true) {
      String size = line(in);
      int semi = size.indexOf(';');
      long left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (left == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        b.end = "complete";
        return;
      }
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new EOFException("body ended inside a chunk");
        }
        left -= n;
        b.bytes += n;
        Thread.sleep(pauseMillis);
      }
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        if (b.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside a line");
      }
      if (c != '\r') {
        b.write(c);
      }
      if (b.size() > 64 * 1024) {
        throw new IOException("line too long");
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
