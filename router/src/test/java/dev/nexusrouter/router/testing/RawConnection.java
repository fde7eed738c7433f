package dev.nexusrouter.router.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The test kit's HTTP/1.1 client on a raw loopback socket: the test decides exactly which bytes go
 * out and when (a head, chunks, a body that stops half-way), and sees exactly what the router does
 * (an early response, a closed connection). {@link RawRequest} sends a whole request through it;
 * streaming tests write and read through it directly. Responses are {@link RawResponse}s.
 */
public final class RawConnection implements AutoCloseable {
  private static final byte[] CRLF = {'\r', '\n'};

  private final Socket socket;

  /** What the test writes; flush it when the bytes must leave now. */
  public final OutputStream out;

  private final InputStream in;

  /** Connects to 127.0.0.1:port. */
  public RawConnection(int port, int readTimeoutMillis) throws IOException {
    this(port, null, readTimeoutMillis);
  }

  /**
   * Connects to 127.0.0.1:port.
   *
   * @param sourceAddress the loopback address to connect from (e.g. 127.0.0.2), or null
   */
  public RawConnection(int port, String sourceAddress, int readTimeoutMillis) throws IOException {
    socket = new Socket();
    try {
      if (sourceAddress != null) {
        socket.bind(new InetSocketAddress(sourceAddress, 0));
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(readTimeoutMillis);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** What the peer sends, unparsed (buffered). */
  public InputStream in() {
    return in;
  }

  /** Writes and flushes a request head with {@code Host: localhost} and a test User-Agent. */
  public void writeHead(String method, String target, Map<String, String> headers)
      throws IOException {
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

  /** Writes one chunk of a chunked body (nothing for an empty one: that would end the body). */
  public void writeChunk(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(b, off, len);
    out.write(CRLF);
  }

  /** Writes body bytes: as one chunk when {@code chunked} (see {@link #writeChunk}), else raw. */
  public void writeBody(byte[] b, int off, int len, boolean chunked) throws IOException {
    if (chunked) {
      writeChunk(b, off, len);
    } else {
      out.write(b, off, len);
    }
  }

  /** Ends a body (with the last chunk when {@code chunked}) and flushes. */
  public void endBody(boolean chunked) throws IOException {
    if (chunked) {
      endChunks();
    } else {
      out.flush();
    }
  }

  /** Ends a chunked body and flushes. */
  public void endChunks() throws IOException {
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Reads the next final response head (interim 1xx responses are skipped); its body is left on the
   * connection, see {@link #body}. The returned response has an empty body.
   */
  public RawResponse readHead() throws IOException {
    while (true) {
      String status = line();
      while (status.isEmpty()) {
        status = line();
      }
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP status line: " + status);
      }
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      for (String l = line(); !l.isEmpty(); l = line()) {
        int c = l.indexOf(':');
        headers.add(Map.entry(l.substring(0, c).trim(), l.substring(c + 1).trim()));
      }
      int code = Integer.parseInt(parts[1]);
      if (code < 100 || code >= 200) {
        return new RawResponse(code, headers, new byte[0]);
      }
    }
  }

  /** The response body as a stream (Content-Length, chunked, or to EOF); none for HEAD/204/304. */
  public InputStream body(RawResponse head, boolean headRequest) {
    if (headRequest || head.status() == 204 || head.status() == 304) {
      return InputStream.nullInputStream();
    }
    String te = head.header("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new Chunked();
    }
    String cl = head.header("Content-Length");
    return cl == null ? in : new Limited(Long.parseLong(cl.trim()));
  }

  /** The whole response body as UTF-8 text. */
  public String bodyText(RawResponse head) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    body(head, false).transferTo(b);
    return b.toString(StandardCharsets.UTF_8);
  }

  /**
   * Reads the next whole response. A body shorter than its {@code Content-Length} (the peer closed
   * early) is returned as far as it came; a chunked body cut short is an error.
   */
  public RawResponse readResponse(boolean headRequest) throws IOException {
    RawResponse head = readHead();
    String cl = head.header("Content-Length");
    String te = head.header("Transfer-Encoding");
    byte[] body;
    if (headRequest || head.status() == 204 || head.status() == 304) {
      body = new byte[0];
    } else if (te == null || !te.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = cl != null ? in.readNBytes(Integer.parseInt(cl.trim())) : in.readAllBytes();
    } else {
      body = body(head, false).readAllBytes();
    }
    return new RawResponse(head.status(), head.headers(), body);
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

  /** A body read through the connection's buffer; single bytes go through the array read. */
  private abstract static class BodyStream extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  private final class Limited extends BodyStream {
    private long left;

    Limited(long left) {
      this.left = left;
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

  private final class Chunked extends BodyStream {
    private long left;
    private boolean done;

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
