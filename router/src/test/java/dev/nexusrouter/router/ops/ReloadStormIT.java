package dev.nexusrouter.router.ops;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload as one generation, against the packaged router in its own JVM: a rejected file (overflow
 * values, a missing folder, broken YAML) is logged with its reason and no stack trace, the file
 * watcher keeps applying later edits, a storm of edits and signals under traffic leaves threads and
 * file descriptors at their baseline, and SIGUSR1 racing reloads never leaves the access log
 * closed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReloadStormIT {
  @TempDir Path dir;
  RawUpstream a;
  RawUpstream b;
  RawUpstream hosted;

  @BeforeEach
  void upstreams() throws IOException {
    a = new RawUpstream("a").script(s -> RawUpstream.Action.body(200, 1));
    b = new RawUpstream("b").script(s -> RawUpstream.Action.body(200, 2));
    hosted = new RawUpstream("hosted").script(s -> RawUpstream.Action.ok(202));
  }

  @AfterEach
  void stop() {
    for (RawUpstream u : new RawUpstream[] {a, b, hosted}) {
      if (u != null) {
        u.close();
      }
    }
  }

  String config(RawUpstream group, String log, String extraTop) {
    String top =
        "access-log: {path: \""
            + dir.resolve(log)
            + "\"}\nadmin: {address: 127.0.0.1, port: 0}\n"
            + extraTop;
    return Configs.registry(group.url(), hosted.url(), top, "read-timeout: 30s, ");
  }

  /** The broken variants: each must be rejected and leave the running generation alone. */
  List<String> broken() {
    String ok = config(a, "a.log", "");
    return List.of(
        ok + "max-body-size: 999999999999999t\n",
        ok.replace("read-timeout: 30s", "read-timeout: 999999999999d"),
        ok
            + "  - {server-names: [ui.local], kind: ui, upstream: hosted, download-dir: \""
            + dir.resolve("no-such-folder")
            + "\"}\n",
        "listeners: [\n");
  }

  void write(Path file, String yaml) throws IOException {
    Path tmp = Files.createTempFile(dir, "next", ".yaml");
    Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static int get(RouterJvm r, String path) throws IOException {
    String req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    return Wire.send(r.port(), req, 20_000).first().status();
  }

  /** Requests the watcher's next edit must reach; waits until {@code to} answers. */
  static void awaitServedBy(RouterJvm r, RawUpstream to, String tag) throws InterruptedException {
    RouterJvm.await(
        "requests reaching upstream " + to.name + "\n" + r.tail(),
        Duration.ofSeconds(30),
        () -> {
          try {
            get(r, "/v2/team/app/manifests/" + tag);
          } catch (IOException e) {
            return false;
          }
          return !to.seen("/manifests/" + tag).isEmpty();
        });
  }

  @Test
  void aRejectedFileIsLoggedWithoutAStackTraceAndTheWatcherStillAppliesTheNextEdit()
      throws Exception {
    try (RouterJvm r = RouterJvm.start(dir, "watch", config(a, "a.log", ""), "96m", 1024)) {
      int rejected = 0;
      for (String bad : broken()) {
        write(r.config, bad);
        int before = rejected;
        RouterJvm.await(
            "the rejection of\n" + bad + "\n" + r.tail(),
            Duration.ofSeconds(20),
            () -> count(r.stderrText(), "reload rejected") > before);
        rejected++;
        assertEquals(200, get(r, "/v2/team/app/manifests/still-a-" + rejected));
        assertFalse(a.seen("/manifests/still-a-" + rejected).isEmpty(), r.tail());
      }
      String err = r.stderrText();
      assertContains(
          err,
          "max-body-size: size '999999999999999t' is too large",
          "download-dir: folder does not exist");
      assertFalse(err.contains("\tat "), "stack trace in stderr:\n" + err);
      assertFalse(err.contains("Exception"), "exception name in stderr:\n" + err);
      write(r.config, config(b, "a.log", ""));
      awaitServedBy(r, b, "now-b");
    }
  }

  @Test
  void aStormOfEditsAndSignalsUnderTrafficLeavesThreadsAndFdsAtTheirBaseline() throws Exception {
    try (RouterJvm r = RouterJvm.start(dir, "storm", config(a, "a.log", ""), "96m", 1024)) {
      Traffic t = new Traffic(r);
      t.run(Duration.ofSeconds(2));
      int threads0 = threads(r);
      int fds0 = r.openFds();
      List<String> broken = broken();
      t.start();
      for (int i = 0; i < 100; i++) {
        String yaml =
            switch (i % 4) {
              case 0 -> config(b, "b.log", "");
              case 1 -> broken.get((i / 4) % broken.size());
              case 2 -> config(a, "a.log", "");
              default -> broken.get((i / 4 + 1) % broken.size());
            };
        write(r.config, yaml);
        if (i % 3 == 0) {
          r.signal("HUP");
        }
        Thread.sleep(100);
      }
      write(r.config, config(a, "a.log", ""));
      r.signal("HUP");
      t.stop();
      awaitServedBy(r, a, "after-storm");
      assertTrue(t.errors.isEmpty(), () -> "traffic errors: " + t.errors + "\n" + r.tail());
      assertTrue(t.ok.get() > 0);
      // retired generations close once their exchanges complete; idle pools close with them
      RouterJvm.await(
          "threads and fds back to " + threads0 + "/" + fds0,
          Duration.ofSeconds(30),
          () -> {
            try {
              return threads(r) <= threads0 + 4 && r.openFds() <= fds0 + 6;
            } catch (IOException e) {
              return false;
            }
          });
      String err = r.stderrText();
      assertFalse(err.contains("\tat "), "stack trace in stderr:\n" + err);
      assertTrue(r.process.isAlive());
    }
  }

  @Test
  void usr1RacingReloadsNeverLeavesTheAccessLogClosed() throws Exception {
    try (RouterJvm r = RouterJvm.start(dir, "usr1", config(a, "a.log", ""), "96m", 1024)) {
      for (int i = 0; i < 40; i++) {
        write(r.config, config(i % 2 == 0 ? b : a, "a.log", ""));
        r.signal("HUP");
        r.signal("USR1");
      }
      Path log = dir.resolve("a.log");
      RouterJvm.await("a.log", Duration.ofSeconds(10), () -> Files.exists(log));
      Files.move(log, dir.resolve("a.log.rotated"));
      r.signal("USR1");
      RouterJvm.await("a reopened a.log", Duration.ofSeconds(20), () -> Files.exists(log));
      RouterJvm.await(
          "a logged request after rotation\n" + r.tail(),
          Duration.ofSeconds(30),
          () -> {
            try {
              get(r, "/v2/team/app/manifests/marker");
              return Files.readString(log).contains("/manifests/marker");
            } catch (IOException e) {
              return false;
            }
          });
      assertFalse(r.stderrText().contains("\tat "), r.tail());
    }
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  static int threads(RouterJvm r) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(r.pid()), "status"))) {
      if (l.startsWith("Threads:")) {
        return Integer.parseInt(l.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no Threads: line");
  }

  /** One client sending keep-alive-less GETs in a loop; every answer must be 200. */
  static final class Traffic {
    final RouterJvm r;
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    final AtomicBoolean running = new AtomicBoolean();
    Thread thread;

    Traffic(RouterJvm r) {
      this.r = r;
    }

    void start() {
      running.set(true);
      thread = new Thread(this::loop, "reload-traffic");
      thread.setDaemon(true);
      thread.start();
    }

    void run(Duration d) throws InterruptedException {
      start();
      Thread.sleep(d.toMillis());
      stop();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }

    private void loop() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int i = 0;
      while (running.get() && System.nanoTime() < deadline) {
        try {
          int status = get(r, "/v2/team/app/manifests/t" + (i++ % 50));
          if (status != 200) {
            errors.add("status " + status);
          } else {
            ok.incrementAndGet();
          }
        } catch (IOException e) {
          errors.add(e.toString());
        }
      }
    }
  }
}
