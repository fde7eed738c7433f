package dev.nexusrouter.router.observe;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one line per finished exchange. The I/O thread only formats and enqueues; a single daemon
 * thread writes, so a slow disk never stalls a transfer. When the queue is full, lines are dropped
 * and counted rather than blocking.
 */
public final class AccessLog implements ExchangeCompletionListener, AutoCloseable {
  private static final String STOP = new String("stop");
  private final AccessLogFormat format;
  private final Clock clock;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(65_536);
  private final AtomicLong dropped = new AtomicLong();
  private final Writer out;
  private final Thread writer;

  private AccessLog(AccessLogFormat format, Clock clock, Writer out) {
    this.format = format;
    this.clock = clock;
    this.out = out;
    this.writer = new Thread(this::drain, "access-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Null for {@code off}; {@code stdout} or a file path otherwise. */
  public static AccessLog open(String path, String formatName, Clock clock) throws IOException {
    if (path.equals("off")) {
      return null;
    }
    Writer w;
    if (path.equals("stdout") || path.equals("-")) {
      w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
    } else {
      Path p = Path.of(path);
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      w =
          Files.newBufferedWriter(
              p, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    return new AccessLog(
        new AccessLogFormat(formatName, clock.getZone()), clock, new BufferedWriter(w, 1 << 16));
  }

  public void attach(HttpServerExchange exchange) {
    exchange.addExchangeCompleteListener(this);
  }

  public long dropped() {
    return dropped.get();
  }

  @Override
  public void exchangeEvent(HttpServerExchange ex, NextListener next) {
    try {
      ExchangeTags tags = ExchangeTags.of(ex);
      long start = ex.getRequestStartTime();
      long micros = start > 0 ? (System.nanoTime() - start) / 1000 : -1;
      InetSocketAddress src = ex.getSourceAddress();
      var e =
          new AccessLogFormat.Entry(
              clock.instant(),
              src == null ? "-" : src.getAddress().getHostAddress(),
              ex.getRequestMethod().toString(),
              ex.getRequestURI(),
              ex.getQueryString(),
              ex.getProtocol().toString(),
              ex.getStatusCode(),
              ex.getResponseBytesSent(),
              ex.getRequestHeaders().getFirst(Headers.REFERER),
              ex.getRequestHeaders().getFirst(Headers.USER_AGENT),
              tags.route,
              tags.upstream,
              Math.max(micros, 0));
      if (!queue.offer(format.format(e))) {
        dropped.incrementAndGet();
      }
    } finally {
      next.proceed();
    }
  }

  private void drain() {
    try {
      while (true) {
        String line = queue.poll(1, TimeUnit.SECONDS);
        if (line == STOP) {
          out.flush();
          return;
        }
        if (line == null) {
          continue;
        }
        out.write(line);
        out.write('\n');
        if (queue.isEmpty()) {
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("nexus-router: access log write failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      queue.put(STOP);
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
