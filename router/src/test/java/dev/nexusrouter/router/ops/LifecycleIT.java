package dev.nexusrouter.router.ops;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code serve} process: config reload on file change and SIGHUP (an invalid file is rejected
 * with every reason, the old config keeps serving), graceful shutdown on SIGTERM, access-log
 * rotation by size and reopen on SIGUSR1, and route lint in {@code check}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LifecycleIT {
  @TempDir Path dir;

  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void reloadOnFileChangeAndSighupRejectsAnInvalidFile() throws Exception {
    try (RawUpstream g1 = new RawUpstream("g1");
        RawUpstream g2 = new RawUpstream("g2");
        RawUpstream h = new RawUpstream("hosted")) {
      String top = "access-log: {path: \"off\"}\n";
      try (RouterJvm r =
          RouterJvm.start(
              dir, "reload", Configs.registry(g1.url(), h.url(), top, ""), "128m", 4096)) {
        Wire.send(r.port(), get("/v2/a/b/manifests/1"), 20_000);
        assertEquals(1, g1.seen("/manifests/1").size());

        // an invalid file: every problem is reported, nothing changes
        String bad =
            Configs.registry(g2.url(), h.url(), top + "bogus-key: 1\n", "read-timeout: soon, ")
                .replace("group: group,", "group: nowhere,");
        Files.writeString(r.config, bad);
        r.awaitLogged(
            "the rejection on stderr",
            Duration.ofSeconds(30),
            () -> r.stderrText().contains("reload rejected"));
        Thread.sleep(300);
        String err = r.stderrText();
        for (String why : new String[] {"bogus-key", "read-timeout", "nowhere"}) {
          assertTrue(err.contains(why), "reason '" + why + "' missing:\n" + err);
        }
        Wire.send(r.port(), get("/v2/a/b/manifests/2"), 20_000);
        assertEquals(1, g1.seen("/manifests/2").size(), "old config still serves\n" + err);
        assertTrue(g2.seen().isEmpty());

        // a valid change: picked up by the file watcher
        Files.writeString(r.config, Configs.registry(g2.url(), h.url(), top, ""));
        r.awaitLogged(
            "reloaded on stderr",
            Duration.ofSeconds(30),
            () -> r.stderrText().contains("reloaded"));
        Wire.send(r.port(), get("/v2/a/b/manifests/3"), 20_000);
        assertEquals(1, g2.seen("/manifests/3").size(), r.tail());
        assertTrue(g1.seen("/manifests/3").isEmpty());

        // SIGHUP re-reads the file (no change needed) and keeps serving
        int before = count(r.stderrText(), "reloaded");
        r.signal("HUP");
        r.awaitLogged(
            "a reload after SIGHUP",
            Duration.ofSeconds(30),
            () -> count(r.stderrText(), "reloaded") > before);
        // a change made and signalled at once is applied by SIGHUP (or the watcher, whichever
        // comes first): the result is the same
        Files.writeString(r.config, Configs.registry(g1.url(), h.url(), top, ""));
        r.signal("HUP");
        r.awaitLogged(
            "g1 serving again",
            Duration.ofSeconds(30),
            () -> {
              try {
                Wire.send(r.port(), get("/v2/a/b/manifests/4"), 20_000);
              } catch (IOException e) {
                return false;
              }
              return !g1.seen("/manifests/4").isEmpty();
            });
        assertTrue(r.process.isAlive());
      }
    }
  }

  @Test
  void aRouterStartedWithSighupIgnoredSaysSoAndStillReloadsByTheWatcher() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      Path cfg = dir.resolve("nohup.yaml");
      Files.writeString(cfg, fakes.registry("access-log: {path: \"off\"}\n", ""));
      try (RouterJvm r = RouterJvm.startIgnoringHup(dir, "nohup", cfg)) {
        r.awaitLogged(
            "the ignored-SIGHUP warning",
            Duration.ofSeconds(10),
            () -> r.stderrText().contains("SIGHUP will not reload: this process was started"));
        Files.writeString(
            cfg, fakes.registry("access-log: {path: \"off\"}\nmax-body-size: 2g\n", ""));
        r.awaitLogged(
            "the watcher's reload",
            Duration.ofSeconds(30),
            () -> r.stderrText().contains("reloaded"));
        assertTrue(r.process.isAlive());
      }
    }
  }

  @Test
  void sigtermDrainsASlowUploadRefusesNewRequestsAndExitsZero() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      fakes.hosted.script(s -> RawUpstream.Action.ok(202));
      String yaml =
          fakes.registry(
              "access-log: {path: \"off\"}\nshutdown-timeout: 60s\n"
                  + "admin: {address: 127.0.0.1, port: 0}\n",
              "");
      RouterJvm r = RouterJvm.start(dir, "drain", yaml, "128m", 4096);
      java.util.regex.Matcher adminPort =
          java.util.regex.Pattern.compile("http://127\\.0\\.0\\.1:(\\d+) \\(admin\\)")
              .matcher(r.stderrText());
      assertTrue(adminPort.find(), r.tail());
      int admin = Integer.parseInt(adminPort.group(1));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port()), 10_000);
        s.setSoTimeout(60_000);
        OutputStream out = s.getOutputStream();
        int total = 4 << 20;
        out.write(
            ("PATCH /v2/a/b/blobs/uploads/slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
                    + total
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        byte[] part = new byte[total / 4];
        out.write(part);
        out.flush();
        r.awaitLogged(
            "upload streaming upstream",
            Duration.ofSeconds(20),
            () -> fakes.hosted.seen("/slow").stream().anyMatch(x -> x.bytes.get() > 0));

        r.signal("TERM");
        r.awaitLogged(
            "the drain message", Duration.ofSeconds(20), () -> r.stderrText().contains("draining"));
        // new requests get 503 registry JSON while the upload drains
        Wire.Outcome refused = Wire.send(r.port(), get("/v2/a/b/manifests/1"), 20_000);
        Wire.assertRegistryError(refused.first(), 503);
        assertTrue(fakes.group.seen("/manifests/1").isEmpty());
        // and readiness turns 503 so load balancers stop sending new work
        Wire.Outcome ready = Wire.send(admin, get("/readyz"), 20_000);
        assertEquals(503, ready.first().status(), ready.toString());
        assertTrue(ready.toString().contains("draining"), ready.toString());

        for (int i = 1; i < 4; i++) {
          Thread.sleep(300);
          out.write(part);
          out.flush();
        }
        InputStream in = s.getInputStream();
        Wire.Outcome done = Wire.readAll(in);
        assertEquals(202, done.first().status(), done + "\n" + r.tail());
        RawUpstream.Seen seen = fakes.hosted.seen("/slow").get(0);
        assertEquals("complete", seen.end);
        assertEquals(total, seen.bytes.get());
      }
      int code = r.awaitExit(Duration.ofSeconds(60));
      assertEquals(0, code, r.tail());
      assertTrue(r.stderrText().contains("stopped"), r.tail());
      assertFalse(r.stderrText().contains("were cut"), r.tail());
      r.close();
    }
  }

  @Test
  void accessLogRotatesBySizeAndReopensOnSigusr1() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      Path log = dir.resolve("logs/access.log");
      String yaml =
          fakes.registry(
              "access-log: {path: \"" + log + "\", format: json, max-size: 4k, max-files: 2}\n",
              "");
      try (RouterJvm r = RouterJvm.start(dir, "logs", yaml, "128m", 4096)) {
        // reopen: an external tool moves the file away, then signals
        Wire.send(r.port(), get("/v2/a/b/manifests/first"), 20_000);
        r.awaitLogged("first line", Duration.ofSeconds(10), () -> read(log).contains("first"));
        Path moved = dir.resolve("logs/access.log.moved");
        Files.move(log, moved);
        Wire.send(r.port(), get("/v2/a/b/manifests/second"), 20_000);
        r.awaitLogged(
            "second line in the moved file",
            Duration.ofSeconds(10),
            () -> read(moved).contains("second"));
        r.signal("USR1");
        Thread.sleep(500); // the handler reopens on its own thread (no message to wait for)
        Wire.send(r.port(), get("/v2/a/b/manifests/third"), 20_000);
        r.awaitLogged(
            "third line in a new file", Duration.ofSeconds(10), () -> read(log).contains("third"));
        assertFalse(read(moved).contains("third"));

        // size rotation: access.log -> .1 -> .2, never a .3
        for (int i = 0; i < 60; i++) {
          Wire.send(r.port(), get("/v2/a/b/manifests/rot-" + i), 20_000);
        }
        r.awaitLogged(
            "rot-59 logged",
            Duration.ofSeconds(10),
            () ->
                read(log).contains("rot-59")
                    || read(log.resolveSibling("access.log.1")).contains("rot-59"));
        assertTrue(Files.exists(log.resolveSibling("access.log.1")));
        assertTrue(Files.exists(log.resolveSibling("access.log.2")));
        assertFalse(Files.exists(log.resolveSibling("access.log.3")));
        try (Stream<Path> files = Files.list(log.getParent())) {
          for (Path p : files.toList()) {
            if (!p.equals(moved)) {
              assertTrue(Files.size(p) < 4096 + 1024, p + " is " + Files.size(p) + " bytes");
            }
          }
        }
        for (String line : read(log.resolveSibling("access.log.1")).split("\n")) {
          assertTrue(line.startsWith("{\"time\":") && line.endsWith("}"), "json line: " + line);
        }
      }
    }
  }

  @Test
  void checkPrintsRouteLintWarnings() throws Exception {
    Path cfg = dir.resolve("lint.yaml");
    Files.writeString(
        cfg,
        Configs.registry("http://127.0.0.1:1", "http://127.0.0.1:2", "", "")
            .replace(
                "hosted: hosted}\n",
                "hosted: hosted, default-routes: false,\n     routes: [{id: everything, methods: any, paths: any, to: group},"
                    + " {id: late, methods: [GET], paths: [manifest], to: hosted}]}\n"));
    ProcessBuilder pb =
        new ProcessBuilder(
            RouterJvm.java().toString(),
            "-jar",
            RouterJvm.jar().toString(),
            "check",
            cfg.toString());
    Path out = dir.resolve("check.out");
    Path err = dir.resolve("check.err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String stderr = Files.readString(err);
    assertEquals(0, p.exitValue(), stderr);
    assertTrue(Files.readString(out).contains(": OK ("), Files.readString(out));
    assertContains(
        stderr,
        "warning: hosts[0].routes: row 'late' can never match",
        "'everything'",
        "no catch-all row");
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
