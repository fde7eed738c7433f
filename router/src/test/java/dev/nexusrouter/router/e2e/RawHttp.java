package dev.nexusrouter.router.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client on a raw socket: the test decides exactly when each body byte is
 * written (chunked or Content-Length), and sees exactly what the router does on errors (an early
 * response, or a closed connection).
 */
final class RawHttp implements AutoCloseable {
  final Socket socket;
  final OutputStream out;
  final InputStream in;

  /** A parsed response head. Header names are lower case. */
  record Head(int status, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  RawHttp(int port, int readTimeoutMillis) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    socket.setSoTimeout(readTimeoutMillis);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
  }

  void writeHead(String method, String target, Map<String, String> headers) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Host", "localhost");
    h.put("User-Agent", "nexus-router-e2e");
    h.putAll(headers);
    h.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    sb.append("\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  void writeChunk(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(b, off, len);
    out.write(CRLF);
  }

  void endChunks() throws IOException {
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static final byte[] CRLF = {'\r', '\n'};

  Head readHead() throws IOException {
    String status = line();
    while (status.isEmpty()) {
      status = line();
    }
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP status line: " + status);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); !l.isEmpty(); l = line()) {
      int c = l.indexOf(':');
      String k = l.substring(0, c).trim().toLowerCase(Locale.ROOT);
      String v = l.substring(c + 1).trim();
      headers.merge(k, v, (a, b) -> a + ", " + b);
    }
    int code = Integer.parseInt(parts[1]);
    if (code == 100) {
      return readHead();
    }
    return new Head(code, headers);
  }

  /** The response body as a stream (Content-Length, chunked, or to EOF); none for HEAD/204/304. */
  InputStream body(Head head, boolean headRequest) {
    if (headRequest || head.status() == 204 || head.status() == 304) {
      return InputStream.nullInputStream();
    }
    String te = head.header("transfer-encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new Chunked();
    }
    String cl = head.header("content-length");
    return cl == null ? in : new Limited(Long.parseLong(cl));
  }

  String bodyText(Head head) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    body(head, false).transferTo(b);
    return b.toString(StandardCharsets.UTF_8);
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (b.size() == 0) {
          throw new EOFException("connection closed by the peer");
        }
        break;
      }
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
      if (b.size() > 65536) {
        throw new IOException("line too long");
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private final class Limited extends InputStream {
    private long left;

    Limited(long left) {
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("connection closed with " + left + " body bytes missing");
      }
      left -= n;
      return n;
    }
  }

  private final class Chunked extends InputStream {
    private long left;
    private boolean done;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line();
        int semi = size.indexOf(';');
        left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (left == 0) {
          for (String l = line(); !l.isEmpty(); l = line()) {
            // trailers: ignored
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      left -= n;
      if (left == 0) {
        line();
      }
      return n;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
