package dev.nexusrouter.router.e2e;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.migrate.Fixtures;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.RealParts;
import dev.nexusrouter.router.testing.Texts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed nginx configuration, imported with {@code import-nginx} and run as is: real {@code
 * docker-registry} processes stand in for the group and hosted connectors (their addresses replace
 * the seed's 172.31.16.10 ones, and the listener gets an ephemeral loopback port), skopeo pushes
 * and pulls through the router with real TLS, and the registry host's own access log records it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ImportedSeedIT {
  static final Duration STEP = Duration.ofSeconds(120);
  @TempDir Path dir;

  @Test
  void importedSeedServesPushAndPullAndWritesTheHostLog() throws Exception {
    Path skopeo = RealParts.require("skopeo");
    RealParts.require("docker-registry");
    RealParts.require("openssl");
    TestCa ca = TestCa.create(dir.resolve("ca"));
    try (RegistryProcess hosted = RegistryProcess.start(dir, "hosted", null);
        RegistryProcess group = RegistryProcess.start(dir, "group", hosted.url())) {
      Path seed = Fixtures.copy("seed", dir);
      Files.copy(
          ca.serverChain,
          seed.resolve("ssl/acqua.com.bundle.crt"),
          StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          ca.serverKey, seed.resolve("ssl/acqua.com.key.pem"), StandardCopyOption.REPLACE_EXISTING);
      Path conf = seed.resolve("nginx.conf");
      Files.writeString(
          conf,
          Files.readString(conf)
              .replace("172.31.16.10:8082", authority(group.url()))
              .replace("172.31.16.10:8086", authority(hosted.url()))
              .replace("listen 443 ssl;", "listen 127.0.0.1:0 ssl;"));
      Path yaml = dir.resolve("router.yaml");
      Fixtures.Run imported =
          Fixtures.importNginx(conf.toString(), "--out", yaml.toString(), "--admin-port", "0");
      assertEquals(0, imported.code(), imported.err());
      RouterConfig config = ConfigLoader.load(yaml);
      try (RouterServer router = RouterServer.start(config, Clock.systemUTC())) {
        int port = router.port(0);
        String ref = "docker://localhost:" + port + "/team/app:1.0";
        Path auth = dir.resolve("auth.json");
        Files.writeString(auth, "{\"auths\":{}}");
        OciImage image = OciImage.build(dir.resolve("image"), "v1", 4 << 20);
        run(
            skopeo,
            "push",
            "copy",
            "--authfile",
            auth.toString(),
            "--dest-cert-dir",
            ca.trustDir.toString(),
            "oci:" + image.layout + ":v1",
            ref);
        for (String d : image.allDigests()) {
          assertTrue(Files.isRegularFile(hosted.blobData(d)), "hosted lacks " + d);
        }
        assertFalse(group.log().contains("PUT /v2/team/app"), "a push reached the group");
        run(
            skopeo,
            "pull",
            "copy",
            "--authfile",
            auth.toString(),
            "--src-cert-dir",
            ca.trustDir.toString(),
            ref,
            "oci:" + dir.resolve("pulled") + ":x");
        assertTrue(
            group.log().contains("GET /v2/team/app/manifests/1.0 "),
            "the pull did not reach the group\n" + group.tail());
        Path hostLog = seed.resolve("wwwlogs/registry.acqua.com.log");
        String log = Texts.awaitInFile(hostLog, "GET /v2/team/app/manifests/1.0");
        assertContains(
            log,
            "PUT /v2/team/app/manifests/1.0",
            "upstream=nexus_docker_push",
            "upstream=nexus_docker_pull");
      }
    }
  }

  private static String authority(String url) {
    return url.replaceFirst("^http://", "").replaceAll("/+$", "");
  }

  private void run(Path skopeo, String step, String... args) throws Exception {
    String[] cmd = new String[args.length + 2];
    cmd[0] = skopeo.toString();
    cmd[1] = "--insecure-policy";
    System.arraycopy(args, 0, cmd, 2, args.length);
    Path log = dir.resolve("skopeo-" + step + ".log");
    Proc p = Proc.run("skopeo " + step, log, STEP, cmd);
    assertEquals(0, p.process.exitValue(), () -> "skopeo " + step + "\n" + Proc.tail(log, 30));
  }
}
