package dev.nexusrouter.router.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 request written byte for byte on a plain socket, so tests control exactly which
 * headers go out ({@code Host} with a port, {@code Transfer-Encoding: chunked}, {@code Connection:
 * keep-alive, X-Foo}, a forged {@code X-Forwarded-*}) and from which loopback source address.
 * Unless set, {@code Host: localhost:<port>} and {@code Connection: close} are added, and {@code
 * Content-Length} for a non-chunked body.
 */
public final class RawRequest {
  private final String method;
  private final String target;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private byte[] body;
  private int chunkSize;
  private String sourceAddress;
  private long pauseAfter = -1;
  private Runnable pauseHook;

  private RawRequest(String method, String target) {
    this.method = method;
    this.target = target;
  }

  public static RawRequest of(String method, String target) {
    return new RawRequest(method, target);
  }

  public String method() {
    return method;
  }

  public String target() {
    return target;
  }

  public RawRequest header(String name, String value) {
    headers.add(Map.entry(name, value));
    return this;
  }

  public RawRequest body(byte[] bytes) {
    this.body = bytes.clone();
    return this;
  }

  public RawRequest body(String text) {
    return body(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends the body with {@code Transfer-Encoding: chunked} in chunks of this size. */
  public RawRequest chunked(int size) {
    this.chunkSize = size;
    return this;
  }

  /** Binds the client socket to this loopback address (e.g. 127.0.0.2: "another client"). */
  public RawRequest from(String address) {
    this.sourceAddress = address;
    return this;
  }

  /** After this many body bytes are written and flushed, runs the hook before sending the rest. */
  public RawRequest pauseAfter(long bytes, Runnable hook) {
    this.pauseAfter = bytes;
    this.pauseHook = hook;
    return this;
  }

  private boolean has(String name) {
    return headers.stream().anyMatch(e -> e.getKey().equalsIgnoreCase(name));
  }

  /** Sends the request to 127.0.0.1:port and reads the whole response. */
  public RawResponse send(int port) {
    try (Socket s = new Socket()) {
      if (sourceAddress != null) {
        s.bind(new InetSocketAddress(sourceAddress, 0));
      }
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      if (!has("Host")) {
        head.append("Host: localhost:").append(port).append("\r\n");
      }
      for (Map.Entry<String, String> h : headers) {
        head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      if (!has("Connection")) {
        head.append("Connection: close\r\n");
      }
      if (body != null && chunkSize > 0 && !has("Transfer-Encoding")) {
        head.append("Transfer-Encoding: chunked\r\n");
      } else if (body != null && chunkSize <= 0 && !has("Content-Length")) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        writeBody(out);
      }
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()), method.equals("HEAD"));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target + ": " + e.getMessage(), e);
    }
  }

  private void writeBody(OutputStream out) throws IOException {
    int step = chunkSize > 0 ? chunkSize : 64 * 1024;
    long written = 0;
    boolean paused = false;
    for (int off = 0; off < body.length; off += step) {
      int n = Math.min(step, body.length - off);
      if (chunkSize > 0) {
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, off, n);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      } else {
        out.write(body, off, n);
      }
      written += n;
      if (!paused && pauseAfter >= 0 && written >= pauseAfter) {
        paused = true;
        out.flush();
        pauseHook.run();
      }
    }
    if (chunkSize > 0) {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  static RawResponse read(InputStream in, boolean head) throws IOException {
    while (true) {
      String statusLine = line(in);
      if (statusLine == null) {
        throw new IOException("connection closed before a response");
      }
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      String l;
      while ((l = line(in)) != null && !l.isEmpty()) {
        int colon = l.indexOf(':');
        headers.add(Map.entry(l.substring(0, colon).trim(), l.substring(colon + 1).trim()));
      }
      if (status >= 100 && status < 200) {
        continue; // interim response
      }
      byte[] body;
      String te = find(headers, "Transfer-Encoding");
      String cl = find(headers, "Content-Length");
      if (head || status == 204 || status == 304) {
        body = new byte[0];
      } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        body = readChunked(in);
      } else if (cl != null) {
        body = in.readNBytes(Integer.parseInt(cl.trim()));
      } else {
        body = in.readAllBytes();
      }
      return new RawResponse(status, headers, body);
    }
  }

  private static String find(List<Map.Entry<String, String>> headers, String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      if (sizeLine == null) {
        throw new IOException("truncated chunked body");
      }
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (true) {
          String trailer = line(in);
          if (trailer == null || trailer.isEmpty()) {
            return out.toByteArray();
          }
        }
      }
      out.write(in.readNBytes(size));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] bytes = b.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return method + " " + target;
  }
}
