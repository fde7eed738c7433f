package dev.nexusrouter.router.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.Wire;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RouterServer#reload}: routes and upstreams swap atomically; a request in flight finishes
 * on the old upstream; changes that need a restart are refused and the old configuration stays.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReloadIT {
  @TempDir Path dir;

  RouterConfig load(String yaml) throws Exception {
    Path f = Files.createTempFile(dir, "reload", ".yaml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return ConfigLoader.load(f);
  }

  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  }

  @Test
  void reloadSwapsRoutesAndUpstreamsWhileAnInFlightRequestFinishesOnTheOldOne() throws Exception {
    try (RawUpstream oldGroup = new RawUpstream("old-group");
        RawUpstream newGroup = new RawUpstream("new-group");
        RawUpstream hosted = new RawUpstream("hosted")) {
      oldGroup.script(
          s ->
              s.path().contains("/slow")
                  ? RawUpstream.Action.body(200, 11).delay(3000)
                  : RawUpstream.Action.body(200, 11));
      newGroup.script(s -> RawUpstream.Action.body(200, 22));
      hosted.script(s -> RawUpstream.Action.body(200, 33));
      String top = "access-log: {path: \"off\"}\n";
      String a = Configs.registry(oldGroup.url(), hosted.url(), top, "");
      String b =
          Configs.registry(newGroup.url(), hosted.url(), top, "")
              .replace(
                  "hosted: hosted}\n",
                  "hosted: hosted,\n     routes: [{id: pin-special, methods: [GET], paths: [manifest],"
                      + " repository: \"special/.*\", to: hosted}]}\n");
      try (RouterServer r = RouterServer.start(load(a), java.time.Clock.systemUTC())) {
        int port = r.port(0);
        CompletableFuture<Wire.Outcome> slow =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return Wire.send(port, get("/v2/team/app/manifests/slow"), 30_000);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        RouterJvm.await(
            "the slow request at the old group",
            Duration.ofSeconds(20),
            () -> !oldGroup.seen("/slow").isEmpty());

        // traffic during the swap: each request is served wholly by the old or the new config
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        CompletableFuture<Integer> traffic =
            CompletableFuture.supplyAsync(
                () -> {
                  int n = 0;
                  while (!stop.get()) {
                    try {
                      Wire.Outcome o = Wire.send(port, get("/v2/team/app/manifests/" + n), 20_000);
                      int len = o.first().body().length;
                      if (o.first().status() != 200 || (len != 11 && len != 22)) {
                        bad.add(o.toString());
                      }
                    } catch (Exception e) {
                      bad.add(e.toString());
                    }
                    n++;
                  }
                  return n;
                });
        Thread.sleep(300);
        r.reload(load(b));
        Thread.sleep(300);
        stop.set(true);
        int during = traffic.get(30, TimeUnit.SECONDS);
        assertTrue(bad.isEmpty(), "requests failed during reload: " + bad);

        Wire.Outcome after = Wire.send(port, get("/v2/team/app/manifests/after"), 20_000);
        assertEquals(22, after.first().body().length, "new group serves after reload: " + after);
        Wire.Outcome special = Wire.send(port, get("/v2/special/app/manifests/1"), 20_000);
        assertEquals(33, special.first().body().length, "new route row sends special/* to hosted");
        assertTrue(oldGroup.seen("/after").isEmpty() && oldGroup.seen("/special").isEmpty());

        Wire.Outcome slowDone = slow.get(30, TimeUnit.SECONDS);
        assertEquals(200, slowDone.first().status(), slowDone::toString);
        assertEquals(
            11, slowDone.first().body().length, "in-flight request finished on the old group");
        assertTrue(newGroup.seen("/slow").isEmpty());
        System.out.printf("reload: %d requests during the swap, none failed%n", during);
      }
    }
  }

  @Test
  void restartOnlyChangesAreRefusedAndTheOldConfigKeepsServing() throws Exception {
    try (RawUpstream g = new RawUpstream("group");
        RawUpstream g2 = new RawUpstream("group2");
        RawUpstream h = new RawUpstream("hosted")) {
      String top = "access-log: {path: \"off\"}\n";
      try (RouterServer r =
          RouterServer.start(
              load(Configs.registry(g.url(), h.url(), top, "")), java.time.Clock.systemUTC())) {
        String moved =
            Configs.registry(
                    g2.url(),
                    h.url(),
                    top + "client: {idle-timeout: 5s}\nmax-header-size: 32k\n",
                    "")
                .replace("address: 127.0.0.1, port: 0}", "address: 127.0.0.2, port: 0}");
        ConfigException e = assertThrows(ConfigException.class, () -> r.reload(load(moved)));
        String report = e.report();
        for (String why : List.of("listeners", "client/http2", "max-header-size")) {
          assertTrue(report.contains(why), why + " in\n" + report);
        }
        Wire.Outcome o = Wire.send(r.port(0), get("/v2/team/app/manifests/1"), 20_000);
        assertEquals(200, o.first().status());
        assertEquals(1, g.seen("/manifests/1").size(), "old group still serves");
        assertTrue(g2.seen().isEmpty(), "nothing of the refused config was applied");
      }
    }
  }
}
