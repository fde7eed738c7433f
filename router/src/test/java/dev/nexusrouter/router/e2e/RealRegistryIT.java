package dev.nexusrouter.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RealParts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real parts: two real {@code docker-registry} processes (hosted: writable; group:
 * a pull-through proxy of hosted that refuses pushes, like a Nexus group), the router in this JVM
 * on a TLS port with a certificate from a throw-away CA (openssl), and skopeo as the client with
 * real TLS verification. An OCI image is built without a daemon, pushed through the router, pulled
 * back by tag and by digest, and inspected; digests must agree everywhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RealRegistryIT {
  static final String REPO = "team/app";
  static final String TAG = "1.0";
  static final Duration STEP = Duration.ofSeconds(120);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestCa ca;
  static RegistryProcess hosted;
  static RegistryProcess group;
  static RouterServer router;
  static Path routerConfig;
  static int port;
  static Path skopeo;
  static Path authFile;
  static OciImage image;
  static String pushedDigest;

  @BeforeAll
  static void start() throws Exception {
    skopeo = RealParts.require("skopeo");
    RealParts.require("docker-registry");
    RealParts.require("openssl");
    ca = TestCa.create(dir.resolve("ca"));
    hosted = RegistryProcess.start(dir, "hosted", null);
    group = RegistryProcess.start(dir, "group", hosted.url());
    Path config = dir.resolve("router.yaml");
    routerConfig = config;
    Files.writeString(
        config,
        Configs.registry(
                Configs.tlsListener(null, 0, ca.serverChain, ca.serverKey),
                group.url(),
                hosted.url(),
                "",
                "")
            + "access-log: {path: \"off\"}\n");
    router = RouterServer.start(ConfigLoader.load(config), Clock.systemUTC());
    port = router.port(0);
    authFile = dir.resolve("auth.json");
    Files.writeString(authFile, "{\"auths\":{}}");
    image = OciImage.build(dir.resolve("image"), "v1", 8 << 20);
  }

  @AfterAll
  static void stop() {
    if (router != null) {
      router.close();
    }
    for (RegistryProcess r : new RegistryProcess[] {group, hosted}) {
      if (r != null) {
        r.close();
      }
    }
  }

  static String ref(String suffix) {
    return "docker://localhost:" + port + "/" + REPO + suffix;
  }

  /** Runs skopeo with a bounded wait; fails with the tails of all logs involved. */
  static void skopeo(String step, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(skopeo.toString());
    cmd.add("--insecure-policy");
    cmd.addAll(List.of(args));
    Path log = dir.resolve("skopeo-" + step + ".log");
    Proc p = Proc.run("skopeo " + step, log, STEP, cmd.toArray(String[]::new));
    int rc = p.process.exitValue();
    assertEquals(0, rc, () -> "skopeo " + step + " exited " + rc + "\n" + allTails(log));
  }

  static String allTails(Path clientLog) {
    return Proc.tail(clientLog, 30) + "\n" + hosted.tail() + "\n" + group.tail();
  }

  @Test
  @Order(1)
  void pushThroughTheRouterLandsInHosted() throws Exception {
    Path digestFile = dir.resolve("push.digest");
    skopeo(
        "push",
        "copy",
        "--authfile",
        authFile.toString(),
        "--dest-cert-dir",
        ca.trustDir.toString(),
        "--dest-tls-verify=true",
        "--digestfile",
        digestFile.toString(),
        "oci:" + image.layout + ":v1",
        ref(":" + TAG));
    pushedDigest = Files.readString(digestFile).trim();
    assertEquals(image.manifestDigest, pushedDigest, "digest reported by the push");
    for (String d : image.allDigests()) {
      assertTrue(Files.isRegularFile(hosted.blobData(d)), "hosted storage lacks " + d);
    }
    assertEquals(
        pushedDigest, Files.readString(hosted.tagLink(REPO, TAG)).trim(), "hosted's tag link");
    String g = group.log();
    assertFalse(g.contains("POST /v2/" + REPO + "/blobs/uploads"), "an upload went to group");
    assertFalse(g.contains("PUT /v2/" + REPO), "a PUT went to group\n" + group.tail());
    assertTrue(
        hosted.log().contains("PUT /v2/" + REPO + "/manifests/" + TAG),
        "hosted never saw the manifest PUT\n" + hosted.tail());
  }

  @Test
  @Order(2)
  void pullByTagThroughTheRouterIsServedByTheGroup() throws Exception {
    assertNotNull(pushedDigest, "the push failed");
    pullAndCompare("pull-tag", ref(":" + TAG), dir.resolve("pulled-by-tag"));
    // the group (pull-through proxy) served the pull: it logged the requests and now caches blobs
    String g = group.log();
    assertTrue(
        g.contains("GET /v2/" + REPO + "/manifests/" + TAG + " "),
        "group never saw the manifest GET\n" + group.tail());
    for (String layer : image.layerDigests) {
      assertTrue(
          g.contains("GET /v2/" + REPO + "/blobs/" + layer + " "),
          "group never saw the GET of " + layer + "\n" + group.tail());
    }
  }

  @Test
  @Order(3)
  void pullByDigestThroughTheRouter() throws Exception {
    assertNotNull(pushedDigest, "the push failed");
    pullAndCompare("pull-digest", ref("@" + pushedDigest), dir.resolve("pulled-by-digest"));
    assertTrue(
        group.log().contains("GET /v2/" + REPO + "/manifests/" + pushedDigest + " "),
        "group never saw the manifest GET by digest\n" + group.tail());
  }

  /**
   * skopeo copies {@code reference} from the router (real TLS, the CA trusted) into an OCI layout
   * at {@code out}; the pulled manifest digest and every blob must equal what was pushed.
   */
  private void pullAndCompare(String step, String reference, Path out) throws Exception {
    skopeo(
        step,
        "copy",
        "--authfile",
        authFile.toString(),
        "--src-cert-dir",
        ca.trustDir.toString(),
        "--src-tls-verify=true",
        reference,
        "oci:" + out + ":pulled");
    assertEquals(pushedDigest, indexDigest(out), "manifest digest in the pulled layout");
    assertBlobsEqual(out);
  }

  @Test
  @Order(4)
  void inspectThroughTheRouterAgreesOnTheDigest() throws Exception {
    assertNotNull(pushedDigest, "the push failed");
    Path log = dir.resolve("skopeo-inspect.log");
    Proc p =
        Proc.run(
            "skopeo inspect",
            log,
            STEP,
            skopeo.toString(),
            "--insecure-policy",
            "inspect",
            "--authfile",
            authFile.toString(),
            "--cert-dir",
            ca.trustDir.toString(),
            "--tls-verify=true",
            ref(":" + TAG));
    assertEquals(0, p.process.exitValue(), () -> allTails(log));
    String text = Proc.read(log);
    JsonNode json = JSON.readTree(text.substring(text.indexOf('{')));
    assertEquals(pushedDigest, json.path("Digest").asText(), text);
    List<String> layers = new ArrayList<>();
    json.path("Layers").forEach(n -> layers.add(n.asText()));
    assertEquals(image.layerDigests, layers, text);
  }

  /**
   * containerd resolves a tag with {@code HEAD /v2/<name>/manifests/<tag>} and never retries a 404
   * as GET: the router must send that HEAD to the group. A private containerd daemon (own root,
   * state and socket in the temp dir) pulls the pushed image through the router with real TLS.
   *
   * <p>It uses a second router instance with the same config, as a second replica would be: the
   * first one has just seen 127.0.0.1 push team/app, and routing keeps no state, so both must send
   * containerd's resolve to the group.
   */
  @Test
  @Order(5)
  void containerdPullThroughTheRouterResolvesAtTheGroup() throws Exception {
    assertNotNull(pushedDigest, "the push failed");
    try (RouterServer fresh =
            RouterServer.start(ConfigLoader.load(routerConfig), Clock.systemUTC());
        PrivateContainerd containerd = PrivateContainerd.start(dir.resolve("ctr"))) {
      containerdPull(fresh.port(0), containerd);
    }
    String g = group.log();
    assertTrue(
        g.contains("HEAD /v2/" + REPO + "/manifests/" + TAG + " "),
        "containerd's HEAD manifests did not reach the group\ngroup:\n"
            + accessLines(g, REPO)
            + "\nhosted:\n"
            + accessLines(hosted.log(), REPO));
    // hosted sees HEADs from the group's proxy client, never containerd's own
    for (String line : hosted.log().split("\n")) {
      assertFalse(
          line.contains("HEAD /v2/" + REPO + "/manifests/") && line.contains("containerd"),
          "containerd's HEAD went to hosted: " + line);
    }
  }

  static void containerdPull(int routerPort, PrivateContainerd containerd) throws Exception {
    String host = "localhost:" + routerPort;
    Path c = containerd.dir;
    Path hostDir = c.resolve("hosts").resolve(host);
    Files.createDirectories(hostDir);
    Files.writeString(
        hostDir.resolve("hosts.toml"),
        "server = \"https://"
            + host
            + "\"\n"
            + "[host.\"https://"
            + host
            + "\"]\n"
            + "  capabilities = [\"pull\", \"resolve\"]\n"
            + "  ca = \""
            + ca.caCert
            + "\"\n");
    Path pullLog = c.resolve("ctr-pull.log");
    Proc pull =
        Proc.run(
            "ctr pull",
            pullLog,
            STEP,
            containerd.ctr(
                "images",
                "pull",
                "--hosts-dir",
                c.resolve("hosts").toString(),
                "--snapshotter",
                "native",
                host + "/" + REPO + ":" + TAG));
    assertEquals(
        0,
        pull.process.exitValue(),
        () -> "ctr images pull failed\n" + allTails(pullLog) + "\n" + containerd.tail(30));
    Path lsLog = c.resolve("ctr-ls.log");
    Proc.runOk("ctr images ls", lsLog, STEP, containerd.ctr("images", "ls"));
    assertTrue(
        Proc.read(lsLog).contains(pushedDigest),
        "ctr images ls does not show " + pushedDigest + "\n" + Proc.tail(lsLog, 10));
  }

  /** The access-log lines (combined format) of a registry log that mention a repository. */
  static String accessLines(String log, String repo) {
    StringBuilder sb = new StringBuilder();
    for (String line : log.split("\n")) {
      if (line.contains("\" ")
          && line.contains(" /v2/" + repo + "/")
          && !line.startsWith("time=")) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  static String indexDigest(Path layout) throws Exception {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    assertEquals(1, index.path("manifests").size(), index.toString());
    return index.path("manifests").get(0).path("digest").asText();
  }

  /** Every blob of the image is in the pulled layout, with the same bytes. */
  static void assertBlobsEqual(Path out) throws Exception {
    for (String d : image.allDigests()) {
      Path got = out.resolve("blobs/sha256/" + d.substring(7));
      assertTrue(Files.isRegularFile(got), "pulled layout lacks " + d);
      assertEquals(d, OciImage.digest(Files.readAllBytes(got)), "content of " + d);
    }
  }
}
