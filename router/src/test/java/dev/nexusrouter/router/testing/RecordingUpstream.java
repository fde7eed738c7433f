package dev.nexusrouter.router.testing;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake Nexus connector on a loopback port: records every request (method, raw URI with query, all
 * headers, body length and SHA-256) and answers from a script — queued one-shot {@link Responder}s
 * first, then the current default responder (200, empty body, unless set).
 */
public final class RecordingUpstream implements AutoCloseable {
  private final String name;
  private final Undertow server;
  private final int port;
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Responder> queue = new ConcurrentLinkedDeque<>();
  private final AtomicLong bodyBytesInFlight = new AtomicLong();
  private volatile Responder responder = Reply.of(200);

  private RecordingUpstream(String name) {
    this.name = name;
    this.server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(2)
            .setWorkerThreads(8)
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L)
            .setHandler(this::handle)
            .build();
    server.start();
    this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Starts a fake on an ephemeral loopback port. */
  public static RecordingUpstream start(String name) {
    return new RecordingUpstream(name);
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>} — the internal authority the router knows this fake by. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Sets the default answer for every request not served by a queued responder. */
  public RecordingUpstream respond(Responder r) {
    this.responder = r;
    return this;
  }

  /** Queues a one-shot answer for the next request. */
  public RecordingUpstream enqueue(Responder r) {
    queue.add(r);
    return this;
  }

  /**
   * Forgets every recorded request and queued answer and answers 200 again by default: the state a
   * fresh fake starts with, for a router reused across tests.
   */
  public void reset() {
    requests.clear();
    queue.clear();
    responder = Reply.of(200);
    bodyBytesInFlight.set(0);
  }

  /** A snapshot of all requests received so far, in arrival order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  public int count() {
    return requests.size();
  }

  public RecordedRequest last() {
    return requests.isEmpty() ? null : requests.get(requests.size() - 1);
  }

  /** Body bytes read so far of the request currently being received (streaming checks). */
  public long bodyBytesInFlight() {
    return bodyBytesInFlight.get();
  }

  private void handle(HttpServerExchange exchange) throws Exception {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this::handle);
      return;
    }
    exchange.startBlocking();
    MessageDigest sha = sha256();
    long length = 0;
    bodyBytesInFlight.set(0);
    try (InputStream in = exchange.getInputStream()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        length += n;
        bodyBytesInFlight.addAndGet(n);
      }
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HeaderValues hv : exchange.getRequestHeaders()) {
      headers.put(hv.getHeaderName().toString(), new ArrayList<>(hv));
    }
    String query = exchange.getQueryString() == null ? "" : exchange.getQueryString();
    String path = exchange.getRequestURI();
    RecordedRequest rec =
        new RecordedRequest(
            name,
            exchange.getRequestMethod().toString(),
            query.isEmpty() ? path : path + "?" + query,
            path,
            query,
            headers,
            length,
            HexFormat.of().formatHex(sha.digest()),
            port);
    requests.add(rec);
    Responder r = queue.poll();
    Reply reply = (r != null ? r : responder).reply(rec);
    if (reply.delayMillis() > 0) {
      Thread.sleep(reply.delayMillis());
    }
    exchange.setStatusCode(reply.status());
    boolean lengthGiven = false;
    for (Map.Entry<String, String> h : reply.headers()) {
      exchange.getResponseHeaders().add(new HttpString(h.getKey()), h.getValue());
      lengthGiven |=
          h.getKey().equalsIgnoreCase("Content-Length")
              || h.getKey().equalsIgnoreCase("Transfer-Encoding");
    }
    byte[] body = reply.body();
    boolean head = exchange.getRequestMethod().toString().equals("HEAD");
    if (!lengthGiven && !head) {
      exchange.getResponseHeaders().put(new HttpString("Content-Length"), body.length);
    }
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getOutputStream()) {
        out.write(body);
      }
    }
    exchange.endExchange();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
