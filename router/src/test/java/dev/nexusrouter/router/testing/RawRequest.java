package dev.nexusrouter.router.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    try (RawConnection c = new RawConnection(port, sourceAddress, 20_000)) {
      OutputStream out = c.out;
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
        writeBody(c);
      }
      out.flush();
      return c.readResponse(method.equals("HEAD"));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target + ": " + e.getMessage(), e);
    }
  }

  private void writeBody(RawConnection c) throws IOException {
    boolean chunked = chunkSize > 0;
    int step = chunked ? chunkSize : 64 * 1024;
    long written = 0;
    boolean paused = false;
    for (int off = 0; off < body.length; off += step) {
      int n = Math.min(step, body.length - off);
      c.writeBody(body, off, n, chunked);
      written += n;
      if (!paused && pauseAfter >= 0 && written >= pauseAfter) {
        paused = true;
        c.out.flush();
        pauseHook.run();
      }
    }
    c.endBody(chunked);
  }

  @Override
  public String toString() {
    return method + " " + target;
  }
}
