package dev.nexusrouter.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RealParts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #13 with real clients and a Nexus-like layout built from real registries: "Docker Hub" is a
 * {@code docker-registry}, the proxy repository a {@code docker-registry} in pull-through mode in
 * front of it, hosted a writable {@code docker-registry}, and the group a small stand-in that asks
 * hosted, then the proxy ({@link GroupStandIn}). Each client pushes a tag of {@code library/hello}
 * to hosted, then pulls {@code library/hello:1}, which only the proxy has, by tag and by digest:
 * through one router, and through two routers behind HAProxy's round-robin balancer (each request
 * may reach either replica, so routing must not depend on what one replica saw before).
 *
 * <p>The docker CLI is not covered: it needs a Docker Engine daemon, and none runs here.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ProxyGroupClientsIT {
  static final String REPO = "library/hello";
  static final String PROXY_TAG = "1";
  static final Duration STEP = Duration.ofSeconds(180);

  @TempDir static Path dir;
  static RegistryProcess hub;
  static RegistryProcess proxy;
  static RegistryProcess hosted;
  static GroupStandIn group;
  static final List<RouterServer> routers = new ArrayList<>();
  static Proc haproxy;
  static int routerPort;
  static int balancerPort;
  static OciImage hubImage;
  static OciImage pushImage;
  static Path skopeo;
  static PrivateContainerd containerd;

  @BeforeAll
  static void start() throws Exception {
    skopeo = RealParts.require("skopeo");
    Path haproxyBin = RealParts.require("haproxy");
    hub = RegistryProcess.start(dir, "hub", null);
    proxy = RegistryProcess.start(dir, "proxy", hub.url());
    hosted = RegistryProcess.start(dir, "hosted", null);
    group = GroupStandIn.start(hosted.url(), proxy.url());
    hubImage = OciImage.build(dir.resolve("hub-image"), PROXY_TAG, (1 << 20) + 17);
    pushImage = OciImage.build(dir.resolve("push-image"), "mine", (1 << 19) + 3);
    String hubHost = "127.0.0.1:" + hub.port;
    skopeo(
        "seed-hub",
        "copy",
        "--dest-tls-verify=false",
        oci(hubImage, PROXY_TAG),
        "docker://" + hubHost + "/" + REPO + ":" + PROXY_TAG);
    // the image ctr pushes: it pulls it from elsewhere on the hub first
    skopeo(
        "seed-base",
        "copy",
        "--dest-tls-verify=false",
        oci(pushImage, "mine"),
        "docker://" + hubHost + "/other/base:1");
    for (int i = 1; i <= 2; i++) {
      routers.add(router(i));
    }
    routerPort = routers.get(0).port(0);
    balancerPort = Proc.freePort();
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(
        cfg,
        "global\n  maxconn 512\n"
            + "defaults\n  mode http\n  timeout connect 5s\n  timeout client 300s\n"
            + "  timeout server 300s\n"
            + "frontend registry\n  bind 127.0.0.1:"
            + balancerPort
            + "\n  default_backend routers\n"
            + "backend routers\n  balance roundrobin\n"
            + "  server r1 127.0.0.1:"
            + routers.get(0).port(0)
            + "\n"
            + "  server r2 127.0.0.1:"
            + routers.get(1).port(0)
            + "\n");
    haproxy =
        Proc.start(
            "haproxy",
            dir.resolve("haproxy.log"),
            List.of(haproxyBin.toString(), "-db", "-f", cfg.toString()));
    awaitPing(balancerPort);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {containerd, haproxy}) {
      close(c);
    }
    routers.forEach(RouterServer::close);
    for (AutoCloseable c : new AutoCloseable[] {group, hosted, proxy, hub}) {
      close(c);
    }
  }

  private static void close(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort; the next one still closes
      }
    }
  }

  private static RouterServer router(int n) throws Exception {
    Path config = dir.resolve("router-" + n + ".yaml");
    Files.writeString(
        config,
        Configs.registry(group.url(), hosted.url(), "", "")
            + "access-log: {path: \""
            + accessLog(n)
            + "\"}\n");
    return RouterServer.start(ConfigLoader.load(config), Clock.systemUTC());
  }

  static Path accessLog(int n) {
    return dir.resolve("access-" + n + ".log");
  }

  static void awaitPing(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        int s =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (s == 200) {
          return;
        }
        last = "HTTP " + s;
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("balancer not answering: " + last + "\n" + haproxy.tail(20));
  }

  static String oci(OciImage image, String ref) {
    return "oci:" + image.layout + ":" + ref;
  }

  static String host(String endpoint) {
    return "127.0.0.1:" + (endpoint.equals("balancer") ? balancerPort : routerPort);
  }

  static String tails(Path clientLog) {
    StringBuilder sb = new StringBuilder(Proc.tail(clientLog, 30));
    for (int n = 1; n <= 2; n++) {
      sb.append('\n').append(Proc.tail(accessLog(n), 25));
    }
    return sb + "\n" + hosted.tail() + "\n" + proxy.tail();
  }

  static void skopeo(String step, String... args) throws Exception {
    run("skopeo-" + step, concat(new String[] {skopeo.toString(), "--insecure-policy"}, args));
  }

  static void run(String step, String... cmd) throws Exception {
    run(step, List.of(), cmd);
  }

  static void run(String step, List<String> env, String... cmd) throws Exception {
    Path log = dir.resolve(step + ".log");
    List<String> full = new ArrayList<>();
    if (!env.isEmpty()) {
      full.add("env");
      full.addAll(env);
    }
    full.addAll(List.of(cmd));
    Proc p = Proc.run(step, log, STEP, full.toArray(String[]::new));
    int rc = p.process.exitValue();
    assertEquals(0, rc, () -> step + " exited " + rc + "\n" + tails(log));
  }

  static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The tag the client pushed is in hosted, and only there. */
  static void assertPushedToHosted(String tag) {
    assertTrue(Files.isRegularFile(hosted.tagLink(REPO, tag)), "hosted has no tag " + tag);
  }

  /** Both replicas served part of the flow when it went through the balancer. */
  static void assertBothReplicasServed(String endpoint) {
    String marker = " /v2/" + REPO + "/";
    if (!endpoint.equals("balancer")) {
      return;
    }
    for (int n = 1; n <= 2; n++) {
      String log = Proc.read(accessLog(n));
      assertTrue(log.contains(marker), "replica " + n + " saw nothing of " + marker + "\n" + log);
    }
  }

  /** No HEAD of the proxy-only tag was answered by hosted alone. */
  static void assertResolvesReachedTheGroup(String userAgentPart) {
    for (int n = 1; n <= 2; n++) {
      for (String line : Proc.read(accessLog(n)).split("\n")) {
        if (line.contains("\"HEAD /v2/" + REPO + "/manifests/" + PROXY_TAG + " ")
            && line.contains(userAgentPart)) {
          assertFalse(line.contains("upstream=hosted"), "resolve answered by hosted: " + line);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"router", "balancer"})
  void skopeoPushesAndThenPullsTheProxyOnlyTagByTagAndDigest(String endpoint) throws Exception {
    String base = "docker://" + host(endpoint) + "/" + REPO;
    String tag = "mine-skopeo-" + endpoint;
    skopeo(
        "push-" + endpoint,
        "copy",
        "--dest-tls-verify=false",
        oci(pushImage, "mine"),
        base + ":" + tag);
    assertPushedToHosted(tag);
    Path digest = dir.resolve("skopeo-" + endpoint + ".digest");
    skopeo(
        "pull-tag-" + endpoint,
        "copy",
        "--src-tls-verify=false",
        "--digestfile",
        digest.toString(),
        base + ":" + PROXY_TAG,
        "oci:" + dir.resolve("out-skopeo-" + endpoint) + ":tag");
    assertEquals(hubImage.manifestDigest, Files.readString(digest).trim());
    skopeo(
        "pull-digest-" + endpoint,
        "copy",
        "--src-tls-verify=false",
        base + "@" + hubImage.manifestDigest,
        "oci:" + dir.resolve("out-skopeo-" + endpoint) + ":digest");
    assertBothReplicasServed(endpoint);
  }

  @ParameterizedTest
  @ValueSource(strings = {"router", "balancer"})
  void podmanPushesAndThenPullsTheProxyOnlyTagByTagAndDigest(String endpoint) throws Exception {
    Path podman = RealParts.require("podman");
    RealParts.requireRoot("podman with private storage");
    Path work = dir.resolve("podman-" + endpoint);
    Files.createDirectories(work);
    Files.writeString(
        work.resolve("storage.conf"),
        "[storage]\ndriver = \"vfs\"\nrunroot = \""
            + work.resolve("run")
            + "\"\ngraphroot = \""
            + work.resolve("graph")
            + "\"\n");
    Files.writeString(
        work.resolve("containers.conf"),
        "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\ntmp_dir = \""
            + work.resolve("tmp")
            + "\"\n");
    Files.writeString(
        work.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
    List<String> env =
        List.of(
            "CONTAINERS_STORAGE_CONF=" + work.resolve("storage.conf"),
            "CONTAINERS_CONF=" + work.resolve("containers.conf"));
    String p = podman.toString();
    String policy = "--signature-policy=" + work.resolve("policy.json");
    String ref = host(endpoint) + "/" + REPO;
    String tag = "mine-podman-" + endpoint;
    run("podman-load-" + endpoint, env, p, "pull", policy, oci(pushImage, "mine"));
    run(
        "podman-tag-" + endpoint,
        env,
        p,
        "tag",
        pushImage.configDigest.substring(7),
        ref + ":" + tag);
    run("podman-push-" + endpoint, env, p, "push", policy, "--tls-verify=false", ref + ":" + tag);
    assertPushedToHosted(tag);
    run(
        "podman-pull-tag-" + endpoint,
        env,
        p,
        "pull",
        policy,
        "--tls-verify=false",
        ref + ":" + PROXY_TAG);
    run(
        "podman-pull-digest-" + endpoint,
        env,
        p,
        "pull",
        policy,
        "--tls-verify=false",
        ref + "@" + hubImage.manifestDigest);
    Path inspect = dir.resolve("podman-inspect-" + endpoint + ".log");
    Proc.runOk(
        "podman inspect",
        inspect,
        STEP,
        concat(
            new String[] {"env"},
            concat(
                env.toArray(String[]::new),
                p,
                "image",
                "inspect",
                "--format",
                "{{.Digest}}",
                ref + ":" + PROXY_TAG)));
    assertTrue(Proc.read(inspect).contains(hubImage.manifestDigest), Proc.tail(inspect, 5));
    assertBothReplicasServed(endpoint);
  }

  /**
   * Issue #13's reproduction, then the same with ctr's own push: skopeo pushes a tag of
   * library/hello, and ctr, from the same address, resolves library/hello:1 with HEAD only (no GET
   * fallback on 404). Before, the push opened a 5-minute window in which that HEAD went to hosted.
   */
  @ParameterizedTest
  @ValueSource(strings = {"router", "balancer"})
  void ctrPullsTheProxyOnlyTagRightAfterAPushToTheSameRepository(String endpoint) throws Exception {
    startContainerd();
    String ref = host(endpoint) + "/" + REPO;
    skopeo(
        "ctr-case-push-" + endpoint,
        "copy",
        "--dest-tls-verify=false",
        oci(pushImage, "mine"),
        "docker://" + ref + ":mine-" + endpoint);
    run(
        "ctr-pull-" + endpoint,
        containerd.ctr(
            "images", "pull", "--plain-http", "--snapshotter", "native", ref + ":" + PROXY_TAG));
    // ctr's own push (HEAD existence checks with one Accept type) lands in hosted
    String base = "127.0.0.1:" + hub.port + "/other/base:1";
    run(
        "ctr-base-" + endpoint,
        containerd.ctr("images", "pull", "--plain-http", "--snapshotter", "native", base));
    String tag = "mine-ctr-" + endpoint;
    run("ctr-tag-" + endpoint, containerd.ctr("images", "tag", "--force", base, ref + ":" + tag));
    run("ctr-push-" + endpoint, containerd.ctr("images", "push", "--plain-http", ref + ":" + tag));
    assertPushedToHosted(tag);
    run(
        "ctr-pull-again-" + endpoint,
        containerd.ctr(
            "images", "pull", "--plain-http", "--snapshotter", "native", ref + ":" + PROXY_TAG));
    run(
        "ctr-pull-digest-" + endpoint,
        containerd.ctr(
            "images",
            "pull",
            "--plain-http",
            "--snapshotter",
            "native",
            ref + "@" + hubImage.manifestDigest));
    Path ls = dir.resolve("ctr-ls-" + endpoint + ".log");
    Proc.runOk("ctr images ls", ls, STEP, containerd.ctr("images", "ls"));
    String listed = Proc.read(ls);
    assertTrue(
        listed.contains(ref + ":" + PROXY_TAG) && listed.contains(hubImage.manifestDigest), listed);
    assertResolvesReachedTheGroup("containerd");
    assertBothReplicasServed(endpoint);
  }

  static synchronized void startContainerd() throws Exception {
    if (containerd == null) {
      containerd = PrivateContainerd.start(dir.resolve("containerd"));
    }
  }
}
