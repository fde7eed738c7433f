package dev.nexusrouter.router.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry-shaped fake upstream in the test JVM. Request bodies are counted and hashed while they
 * stream in (never stored); {@code GET .../blobs/<digest>} streams {@link PatternBytes} of a fixed
 * size, with single-range {@code Range: bytes=a-b} support.
 */
final class FakeRegistryUpstream implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  /** One request with a body, as the upstream saw it. */
  static final class Body {
    final String method;
    final String path;
    final String transferEncoding;
    final String contentLength;
    final AtomicLong bytes = new AtomicLong();
    final long startNanos = System.nanoTime();
    volatile long firstByteNanos;
    volatile String sha256;

    /** null while streaming; "eof" when the body ended normally; else the error. */
    volatile String end;

    Body(String method, String path, String te, String cl) {
      this.method = method;
      this.path = path;
      this.transferEncoding = te;
      this.contentLength = cl;
    }

    @Override
    public String toString() {
      return method
          + " "
          + path
          + " te="
          + transferEncoding
          + " cl="
          + contentLength
          + " bytes="
          + bytes.get()
          + " end="
          + end;
    }
  }

  final String name;
  final long blobSize;
  private final HttpServer server;
  private final ExecutorService pool;
  final List<String> requests = new CopyOnWriteArrayList<>();
  final Map<String, Body> bodies = new ConcurrentHashMap<>();

  FakeRegistryUpstream(String name, long blobSize) throws IOException {
    this.name = name;
    this.blobSize = blobSize;
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-" + name);
              t.setDaemon(true);
              return t;
            });
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  /** The body record for a path (without query), or null. */
  Body body(String path) {
    return bodies.get(path);
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    requests.add(method + " " + ex.getRequestURI());
    try {
      switch (method) {
        case "PATCH", "PUT", "POST" -> receive(ex, method, path);
        case "GET", "HEAD" -> {
          if (path.startsWith("/v2/") && path.contains("/blobs/sha256:")) {
            sendBlob(ex, method.equals("HEAD"));
          } else if (path.equals("/v2/")) {
            ex.getResponseHeaders().add("Docker-Distribution-Api-Version", "registry/2.0");
            ex.sendResponseHeaders(200, -1);
          } else {
            ex.sendResponseHeaders(404, -1);
          }
        }
        default -> ex.sendResponseHeaders(405, -1);
      }
    } finally {
      ex.close();
    }
  }

  private void receive(HttpExchange ex, String method, String path) throws IOException {
    var h = ex.getRequestHeaders();
    Body b = new Body(method, path, h.getFirst("Transfer-Encoding"), h.getFirst("Content-Length"));
    bodies.put(path, b);
    MessageDigest md = PatternBytes.sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = ex.getRequestBody()) {
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        if (n > 0 && b.firstByteNanos == 0) {
          b.firstByteNanos = System.nanoTime();
        }
        md.update(buf, 0, n);
        b.bytes.addAndGet(n);
      }
    } catch (IOException | RuntimeException e) {
      // Recent JDK 17 updates (seen on 17.0.21) let the server's chunked request stream fail with
      // IllegalArgumentException ("Self-suppression not permitted") instead of an IOException when
      // the peer resets the connection mid-body: either way the body ended in an error.
      b.end = "error: " + e;
      throw e;
    }
    b.sha256 = HexFormat.of().formatHex(md.digest());
    b.end = "eof";
    var rh = ex.getResponseHeaders();
    rh.add("Docker-Distribution-Api-Version", "registry/2.0");
    rh.add("Location", path);
    if (method.equals("PUT")) {
      rh.add("Docker-Content-Digest", "sha256:" + b.sha256);
      ex.sendResponseHeaders(201, -1);
    } else {
      rh.add("Range", "0-" + Math.max(0, b.bytes.get() - 1));
      ex.sendResponseHeaders(202, -1);
    }
  }

  private void sendBlob(HttpExchange ex, boolean head) throws IOException {
    var rh = ex.getResponseHeaders();
    rh.add("Docker-Distribution-Api-Version", "registry/2.0");
    rh.add("Content-Type", "application/octet-stream");
    rh.add("Accept-Ranges", "bytes");
    long start = 0;
    long end = blobSize - 1;
    int status = 200;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null) {
      Matcher m = RANGE.matcher(range.trim());
      if (!m.matches() || Long.parseLong(m.group(1)) >= blobSize) {
        rh.add("Content-Range", "bytes */" + blobSize);
        ex.sendResponseHeaders(416, -1);
        return;
      }
      start = Long.parseLong(m.group(1));
      if (!m.group(2).isEmpty()) {
        end = Math.min(end, Long.parseLong(m.group(2)));
      }
      status = 206;
      rh.add("Content-Range", "bytes " + start + "-" + end + "/" + blobSize);
    }
    long length = end - start + 1;
    if (head) {
      rh.add("Content-Length", Long.toString(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length);
    byte[] buf = new byte[1 << 16];
    try (OutputStream out = ex.getResponseBody()) {
      for (long pos = start; pos <= end; ) {
        int n = (int) Math.min(buf.length, end + 1 - pos);
        PatternBytes.fill(pos, buf, 0, n);
        out.write(buf, 0, n);
        pos += n;
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
