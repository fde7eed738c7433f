package dev.nexusrouter.router.observe;

import dev.nexusrouter.common.AtomicFiles;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one line per finished exchange. The I/O thread only formats and enqueues; a single daemon
 * thread writes (and rotates by size), so a slow disk never stalls a transfer. When the queue is
 * full, lines are dropped and counted rather than blocking.
 */
public final class AccessLog implements ExchangeCompletionListener, AutoCloseable {
  private static final String STOP = new String("stop");
  private final AccessLogFormat format;
  private final Clock clock;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(65_536);
  private final AtomicLong dropped = new AtomicLong();
  private final Path file;
  private final long maxSize;
  private final int maxFiles;
  private Writer out;
  private long written;
  private static final Set<PosixFilePermission> GROUP_FILE =
      PosixFilePermissions.fromString("rw-r-----");
  private static final Set<PosixFilePermission> GROUP_DIR =
      PosixFilePermissions.fromString("rwxr-x---");

  private final String group;
  private final Thread writer;

  private AccessLog(
      AccessLogFormat format, Clock clock, Path file, long maxSize, int maxFiles, String group)
      throws IOException {
    this.group = group;
    this.format = format;
    this.clock = clock;
    this.file = file;
    this.maxSize = maxSize;
    this.maxFiles = maxFiles;
    this.out = openWriter();
    this.writer = new Thread(this::drain, "access-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Null for {@code off}; {@code stdout} or a file path otherwise.
   *
   * @param maxSize rotate at this many bytes (0 = never)
   * @param maxFiles rotated files kept
   * @param group group allowed to read the files (0640 in a 0750 folder), or null (0600 in 0700)
   */
  public static AccessLog open(
      String path, String formatName, long maxSize, int maxFiles, String group, Clock clock)
      throws IOException {
    if (path.equals("off")) {
      return null;
    }
    Path file = path.equals("stdout") || path.equals("-") ? null : Path.of(path);
    if (file != null && file.toAbsolutePath().getParent() != null) {
      AtomicFiles.createDirectories(
          file.toAbsolutePath().getParent(),
          group == null ? AtomicFiles.OWNER_ONLY_DIR : GROUP_DIR);
    }
    return new AccessLog(
        new AccessLogFormat(formatName, clock.getZone()), clock, file, maxSize, maxFiles, group);
  }

  /**
   * Creates the log file with its exact mode (the umask does not apply) and group; a file that
   * exists keeps what the operator gave it.
   */
  private void create(Path f) throws IOException {
    if (Files.exists(f)) {
      return;
    }
    try {
      Files.createFile(f, AtomicFiles.ownerOnlyFile());
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return;
    }
    if (group != null) {
      PosixFileAttributeView view = Files.getFileAttributeView(f, PosixFileAttributeView.class);
      if (view != null) {
        view.setGroup(
            f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
      }
    }
    AtomicFiles.setMode(f, group == null ? AtomicFiles.OWNER_ONLY : GROUP_FILE);
  }

  private Writer openWriter() throws IOException {
    if (file == null) {
      return new BufferedWriter(
          new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    }
    create(file);
    written = Files.size(file);
    return Files.newBufferedWriter(
        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
      if (tags.logOwner != null && tags.logOwner != this) {
        return; // the host's own log (nginx's server-level access_log) replaces this one
      }
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
              Math.max(micros, 0),
              tags.upstreamError);
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
          finish();
          return;
        }
        if (line == null) {
          continue;
        }
        write(line);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void finish() {
    try {
      out.flush();
      if (file != null) {
        out.close();
      }
    } catch (IOException e) {
      System.err.println("nexus-router: access log close failed: " + e.getMessage());
    }
  }

  private void write(String line) {
    try {
      out.write(line);
      out.write('\n');
      written += line.length() + 1;
      if (queue.isEmpty()) {
        out.flush();
      }
      if (file != null && maxSize > 0 && written >= maxSize) {
        rotate();
      }
    } catch (IOException e) {
      dropped.incrementAndGet();
      System.err.println("nexus-router: access log write failed: " + e.getMessage());
    }
  }

  /** access.log → access.log.1 → … → access.log.N (the oldest is dropped). */
  private void rotate() throws IOException {
    out.close();
    for (int i = maxFiles - 1; i >= 1; i--) {
      Path from = file.resolveSibling(file.getFileName() + "." + i);
      if (Files.exists(from)) {
        Files.move(
            from,
            file.resolveSibling(file.getFileName() + "." + (i + 1)),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(
        file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + "." + (maxFiles + 1)));
    out = openWriter();
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
