package dev.nexusrouter.router.faults;

import dev.nexusrouter.router.testing.Configs;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A fake upstream on a plain {@link ServerSocket}, one thread per connection, so a test controls
 * and sees everything at the TCP level: how many connections are open, whether a request body ended
 * complete, with a premature EOF or with an error (never only "a request arrived"), and answers
 * that reset mid-body or never come. Bodies are counted, never stored.
 */
public final class RawUpstream implements AutoCloseable {
  /** What to answer; see the factory methods. */
  public record Action(
      int status, long bodyBytes, long delayMillis, long resetAfter, boolean stalls) {
    public static Action ok(int status) {
      return new Action(status, 0, 0, -1, false);
    }

    /** A body of {@code n} bytes ('x'). */
    public static Action body(int status, long n) {
      return new Action(status, n, 0, -1, false);
    }

    /** Announces {@code n} bytes, sends {@code after}, then resets the connection. */
    public static Action resetMidBody(long n, long after) {
      return new Action(200, n, 0, after, false);
    }

    /** Reads the request, then never answers (until the peer closes). */
    public static Action stall() {
      return new Action(200, 0, 0, -1, true);
    }

    public Action delay(long millis) {
      return new Action(status, bodyBytes, millis, resetAfter, stalls);
    }
  }

  /**
   * A group and a hosted fake, closed together, and the registry configuration on them: what most
   * fault tests start from.
   */
  public static final class Pair implements AutoCloseable {
    public final RawUpstream group;
    public final RawUpstream hosted;

    public Pair() throws IOException {
      group = new RawUpstream("group");
      try {
        hosted = new RawUpstream("hosted");
      } catch (IOException | RuntimeException e) {
        group.close();
        throw e;
      }
    }

    /** {@link Configs#registry(String, String, String, String)} on these two fakes. */
    public String registry(String top, String upstream) {
      return Configs.registry(group.url(), hosted.url(), top, upstream);
    }

    @Override
    public void close() {
      try {
        hosted.close();
      } finally {
        group.close();
      }
    }
  }

  /** One request as this upstream saw it. */
  public static final class Seen {
    public final String method;
    public final String target;
    public final Map<String, String> headers;
    public final AtomicLong bytes = new AtomicLong();

    /** null while the body streams; then "complete", "eof" (premature) or "error: ...". */
    public volatile String end;

    Seen(String method, String target, Map<String, String> headers) {
      this.method = method;
      this.target = target;
      this.headers = headers;
    }

    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    @Override
    public String toString() {
      return method + " " + target + " bytes=" + bytes.get() + " end=" + end;
    }
  }

  private static final byte[] FILL = new byte[64 * 1024];

  static {
    Arrays.fill(FILL, (byte) 'x');
  }

  public final String name;
  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<Socket, Boolean> sockets = new ConcurrentHashMap<>();
  private volatile Function<Seen, Action> script = s -> Action.ok(200);
  private volatile boolean closed;

  public RawUpstream(String name) throws IOException {
    this.name = name;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2048);
    this.acceptor = new Thread(this::acceptLoop, "raw-upstream-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Sets how every later request is answered. */
  public RawUpstream script(Function<Seen, Action> s) {
    this.script = s;
    return this;
  }

  /** Connections from the router that are open right now. */
  public int openConnections() {
    return open.get();
  }

  public int acceptedConnections() {
    return accepted.get();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Requests whose path (without query) contains {@code part}. */
  public List<Seen> seen(String part) {
    return seen.stream().filter(s -> s.path().contains(part)).toList();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        accepted.incrementAndGet();
        open.incrementAndGet();
        sockets.put(s, Boolean.TRUE);
        Thread t = new Thread(() -> serve(s), "raw-upstream-" + name + "-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("raw upstream " + name + ": accept failed: " + e);
        }
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      OutputStream out = s.getOutputStream();
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return; // the router closed an idle connection
        }
        if (requestLine.isEmpty()) {
          continue;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
          int c = l.indexOf(':');
          headers.merge(
              l.substring(0, c).trim(), l.substring(c + 1).trim(), (a, b) -> a + ", " + b);
        }
        Seen req = new Seen(parts[0], parts.length > 1 ? parts[1] : "", headers);
        seen.add(req);
        if (!readBody(in, req)) {
          return;
        }
        Action a = script.apply(req);
        if (a.delayMillis() > 0) {
          Thread.sleep(a.delayMillis());
        }
        if (a.stalls()) {
          s.setSoTimeout(120_000);
          while (in.read() >= 0) {
            // wait for the router to give up and close
          }
          return;
        }
        boolean head = req.method.equals("HEAD");
        String resp =
            "HTTP/1.1 "
                + a.status()
                + " X\r\nContent-Length: "
                + a.bodyBytes()
                + "\r\nDocker-Distribution-Api-Version: registry/2.0\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        out.write(resp.getBytes(StandardCharsets.ISO_8859_1));
        long limit = a.resetAfter() >= 0 ? a.resetAfter() : a.bodyBytes();
        if (!head) {
          for (long sent = 0; sent < limit; ) {
            int n = (int) Math.min(FILL.length, limit - sent);
            out.write(FILL, 0, n);
            sent += n;
          }
        }
        out.flush();
        if (a.resetAfter() >= 0) {
          Thread.sleep(100);
          s.setSoLinger(true, 0); // RST
          return;
        }
        if ("close".equalsIgnoreCase(headers.get("Connection"))) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // connection broken: counted below
    } finally {
      sockets.remove(s);
      open.decrementAndGet();
    }
  }

  /** Reads the body; false when it did not end cleanly (the connection is then dropped). */
  private static boolean readBody(InputStream in, Seen req) {
    try {
      String te = req.headers.get("Transfer-Encoding");
      String cl = req.headers.get("Content-Length");
      byte[] buf = new byte[64 * 1024];
      if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        while (true) {
          String size = line(in);
          if (size == null) {
            req.end = "eof";
            return false;
          }
          int semi = size.indexOf(';');
          long left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (left == 0) {
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
              // trailers
            }
            break;
          }
          if (!count(in, left, buf, req)) {
            return false;
          }
          line(in);
        }
      } else if (cl != null) {
        if (!count(in, Long.parseLong(cl.trim()), buf, req)) {
          return false;
        }
      }
      req.end = "complete";
      return true;
    } catch (EOFException e) {
      req.end = "eof";
      return false;
    } catch (IOException | RuntimeException e) {
      req.end = "error: " + e;
      return false;
    }
  }

  /** Reads and counts {@code left} body bytes; false (end "eof") if the peer closes first. */
  private static boolean count(InputStream in, long left, byte[] buf, Seen req) throws IOException {
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        req.end = "eof";
        return false;
      }
      left -= n;
      req.bytes.addAndGet(n);
    }
    return true;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (b.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside a line");
      }
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
      if (b.size() > 1 << 20) {
        throw new IOException("line too long");
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // nothing to do
    }
    for (Socket s : sockets.keySet()) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }
}
