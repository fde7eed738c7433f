package dev.nexusrouter.router.tls;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * Watches a certificate and key file and hands a completely built new {@link SSLContext} to a
 * consumer when they change, or when {@link #reload()} is called (on SIGHUP). The consumer is meant
 * to call {@code Undertow.ListenerInfo#setSslContext}, which applies to new connections only, so
 * transfers in flight keep their session (UNDERTOW-1178).
 *
 * <p>Change detection compares the <em>contents</em> of both files, checked on every watch event in
 * their directories and at least every poll interval. That catches an in-place edit, an atomic
 * rename ({@code certs init}, cert-manager) and the Kubernetes Secret volume's swap of its {@code
 * ..data} symlink, where the watched names never change themselves. After a change it waits for the
 * files to stay still for a moment, so a key written just before its certificate is seen as one
 * pair.
 *
 * <p>New files that do not load (unreadable, mismatched pair, expired, wrong passphrase, …) are
 * rejected: the reason goes to the error sink, prefixed {@code "rejected new certificate: "}, and
 * the old context stays. Warnings about accepted files (expiring soon, …) go to the same sink,
 * prefixed {@code "warning: "}. A rejected state is reported once, not on every poll.
 */
public final class CertificateReloader implements AutoCloseable {
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

  private final Path certFile;
  private final Path keyFile;
  private final KeyPassphrase pass;
  private final TlsEngine engine;
  private final Consumer<SSLContext> onReload;
  private final Consumer<String> onError;
  private final Duration poll;
  private final Duration settle;
  private final WatchService watch;
  private final Thread thread;

  private volatile boolean closed;
  private volatile SSLContext context;
  private volatile X509Certificate certificate;
  private byte[] lastSeen;

  /** Like the full constructor, polling every {@link #DEFAULT_POLL}. */
  public CertificateReloader(
      Path certFile,
      Path keyFile,
      KeyPassphrase pass,
      Consumer<SSLContext> onReload,
      Consumer<String> onError) {
    this(certFile, keyFile, pass, onReload, onError, DEFAULT_POLL);
  }

  /**
   * Loads the current pair (throwing {@link TlsException} if it is bad, so {@code serve} fails at
   * start rather than serving nothing) and starts watching. The initial context is {@link
   * #context()}; {@code onReload} is called for later ones only.
   */
  public CertificateReloader(
      Path certFile,
      Path keyFile,
      KeyPassphrase pass,
      Consumer<SSLContext> onReload,
      Consumer<String> onError,
      Duration poll) {
    this(certFile, keyFile, pass, TlsEngine.JDK, onReload, onError, poll);
  }

  /** Like the full constructor, with contexts built on {@code engine} (docs/tls.md#tls-engine). */
  public CertificateReloader(
      Path certFile,
      Path keyFile,
      KeyPassphrase pass,
      TlsEngine engine,
      Consumer<SSLContext> onReload,
      Consumer<String> onError,
      Duration poll) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.pass = pass;
    this.engine = engine;
    this.onReload = onReload;
    this.onError = onError;
    this.poll = poll;
    this.settle =
        poll.dividedBy(4).compareTo(Duration.ofMillis(500)) > 0
            ? Duration.ofMillis(500)
            : poll.dividedBy(4);
    this.lastSeen = digest();
    ServerTls.Material m = ServerTls.load(certFile, keyFile, pass);
    this.context = ServerTls.context(m, engine);
    this.certificate = m.chain().get(0);
    this.watch = watchDirectories();
    this.thread = new Thread(this::loop, "tls-reloader " + certFile.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  /** The context in use: the initial one or the last accepted reload. */
  public SSLContext context() {
    return context;
  }

  /** The server certificate of {@link #context()}, e.g. to log its serial. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Loads the files now, whether or not they changed (SIGHUP). Returns whether a new context was
   * handed to the consumer; on failure the reason went to the error sink.
   */
  public boolean reload() {
    return attempt(digest());
  }

  @Override
  public void close() {
    closed = true;
    if (watch != null) {
      try {
        watch.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (!closed) {
      try {
        waitForEventOrTimeout();
        byte[] now = digest();
        if (!Arrays.equals(now, seen())) {
          attempt(settled(now));
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        // the watcher must survive anything a consumer throws
        onError.accept("rejected new certificate: " + e);
      }
    }
  }

  private void waitForEventOrTimeout() throws InterruptedException {
    if (watch == null) {
      Thread.sleep(poll.toMillis());
      return;
    }
    WatchKey key = watch.poll(poll.toMillis(), TimeUnit.MILLISECONDS);
    while (key != null) {
      key.pollEvents();
      key.reset();
      key = watch.poll();
    }
  }

  /** Waits until two reads {@link #settle} apart agree, a few times at most. */
  private byte[] settled(byte[] first) throws InterruptedException {
    byte[] current = first;
    for (int i = 0; i < 10; i++) {
      Thread.sleep(settle.toMillis());
      byte[] next = digest();
      if (Arrays.equals(next, current)) {
        return next;
      }
      current = next;
    }
    return current;
  }

  private synchronized byte[] seen() {
    return lastSeen;
  }

  private synchronized boolean attempt(byte[] state) {
    lastSeen = state;
    ServerTls.Material m;
    SSLContext next;
    try {
      m = ServerTls.load(certFile, keyFile, pass);
      next = ServerTls.context(m, engine);
    } catch (TlsException e) {
      onError.accept("rejected new certificate: " + e.getMessage() + "; keeping the old one");
      return false;
    }
    m.warnings().forEach(w -> onError.accept("warning: " + w));
    context = next;
    certificate = m.chain().get(0);
    onReload.accept(next);
    return true;
  }

  /** SHA-256 over both files' bytes; unreadable files hash as a marker, so they count as change. */
  private byte[] digest() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Path p : new Path[] {certFile, keyFile}) {
        try {
          md.update(Files.readAllBytes(p));
        } catch (IOException e) {
          md.update(
              ("unreadable:" + e.getClass().getName())
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        md.update((byte) 0);
      }
      return md.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * A watch on each file's directory, or null to poll only (e.g. a file system without inotify).
   */
  private WatchService watchDirectories() {
    Set<Path> dirs = new LinkedHashSet<>();
    dirs.add(certFile.toAbsolutePath().getParent());
    dirs.add(keyFile.toAbsolutePath().getParent());
    WatchService ws = null;
    try {
      ws = FileSystems.getDefault().newWatchService();
      for (Path d : dirs) {
        d.register(
            ws,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
      return ws;
    } catch (IOException | UnsupportedOperationException e) {
      if (ws != null) {
        try {
          ws.close();
        } catch (IOException ignored) {
          // polling instead
        }
      }
      return null;
    }
  }
}
