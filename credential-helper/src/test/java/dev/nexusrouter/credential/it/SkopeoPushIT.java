package dev.nexusrouter.credential.it;

import static dev.nexusrouter.credential.it.HelperProcess.helper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: skopeo, configured with {@code credHelpers}, runs docker-credential-java from PATH to
 * authenticate a push to a real docker-registry protected by htpasswd basic auth.
 */
class SkopeoPushIT {
  private static final String USER = "pusher";
  private static final String PASSWORD = "pä55-wörd:with colon";
  @TempDir Path dir;
  private Process registry;

  @AfterEach
  void stopRegistry() throws InterruptedException {
    if (registry != null) {
      registry.destroy();
      if (!registry.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        registry.destroyForcibly();
      }
    }
  }

  @Test
  void skopeoPushesWithTheLoginInTheEncryptedFile() throws Exception {
    Map<String, String> env = HelperProcess.baseEnv(dir);
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "file");
    pushThroughTheHelper(env);
  }

  @Test
  void skopeoPushesWithTheLoginInGnomeKeyring() throws Exception {
    try (PrivateKeyring keyring =
        PrivateKeyring.start(dir, dir.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED)) {
      Map<String, String> env = keyring.env();
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      pushThroughTheHelper(env);
      Result list = helper(env, "", "list");
      assertTrue(list.stdout().contains("\"" + USER + "\""), "login is in the keyring: " + list);
    }
  }

  private void pushThroughTheHelper(Map<String, String> env) throws Exception {
    HelperProcess.assertLauncherBuilt();
    Path skopeo = HelperProcess.requireBinary("skopeo");
    Path registryBinary = HelperProcess.requireBinary("docker-registry");
    HelperProcess.requireBinary("tar");
    int port = freePort();
    String host = "127.0.0.1:" + port;
    startRegistry(registryBinary, port);

    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("docker-credential-java"), HelperProcess.LAUNCHER);
    env.put("PATH", bin + ":" + env.get("PATH"));
    Path authFile = dir.resolve("auth.json");
    Files.writeString(authFile, "{\"credHelpers\":{\"" + host + "\":\"java\"}}\n");

    Path image = ociImage();
    List<String> push =
        List.of(
            skopeo.toString(),
            "--insecure-policy",
            "copy",
            "--dest-tls-verify=false",
            "--dest-authfile",
            authFile.toString(),
            "oci:" + image + ":latest",
            "docker://" + host + "/e2e/hello:1");

    Result denied = HelperProcess.run(push, env, new byte[0], Duration.ofMinutes(2));
    assertNotEquals(0, denied.exit(), "push without stored credentials must be refused: " + denied);

    Result stored =
        helper(
            env,
            "{\"ServerURL\":\""
                + host
                + "\",\"Username\":\""
                + USER
                + "\",\"Secret\":\""
                + PASSWORD
                + "\"}",
            "store");
    assertEquals(0, stored.exit(), stored.toString());

    Result pushed = HelperProcess.run(push, env, new byte[0], Duration.ofMinutes(2));
    assertEquals(0, pushed.exit(), pushed.toString());

    Result inspect =
        HelperProcess.run(
            List.of(
                skopeo.toString(),
                "inspect",
                "--tls-verify=false",
                "--authfile",
                authFile.toString(),
                "docker://" + host + "/e2e/hello:1"),
            env,
            new byte[0],
            Duration.ofMinutes(1));
    assertEquals(0, inspect.exit(), inspect.toString());
    assertTrue(inspect.stdout().contains("\"Architecture\": \"amd64\""), inspect.stdout());
    assertEquals(
        401, status("http://" + host + "/v2/e2e/hello/tags/list"), "registry really needs auth");
  }

  private void startRegistry(Path binary, int port) throws Exception {
    Path htpasswd = dir.resolve("htpasswd");
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Files.writeString(
        htpasswd,
        USER + ":" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 6) + "\n");
    Path config = dir.resolve("registry.yml");
    Files.writeString(
        config,
        "version: 0.1\n"
            + "log:\n  level: warn\n"
            + "storage:\n  filesystem:\n    rootdirectory: "
            + dir.resolve("data")
            + "\n"
            + "http:\n  addr: 127.0.0.1:"
            + port
            + "\n"
            + "auth:\n  htpasswd:\n    realm: e2e\n    path: "
            + htpasswd
            + "\n");
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "serve", config.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("registry.log").toFile());
    registry = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (status("http://127.0.0.1:" + port + "/v2/") == 401) {
        return;
      }
      if (!registry.isAlive()) {
        fail("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      Thread.sleep(100);
    }
    fail("docker-registry did not answer within 20 s");
  }

  private static int status(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A one-layer OCI image layout, built here so the test needs no base image. */
  private Path ociImage() throws Exception {
    Path content = Files.createDirectories(dir.resolve("rootfs"));
    Files.writeString(content.resolve("hello.txt"), "hello from docker-credential-java\n");
    Path tar = dir.resolve("layer.tar");
    Result tarred =
        HelperProcess.run(
            List.of(
                "tar",
                "--owner=0",
                "--group=0",
                "-cf",
                tar.toString(),
                "-C",
                content.toString(),
                "hello.txt"),
            HelperProcess.baseEnv(dir),
            new byte[0],
            Duration.ofSeconds(30));
    assertEquals(0, tarred.exit(), tarred.toString());
    byte[] layer = Files.readAllBytes(tar);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(layer);
    }
    Path image = Files.createDirectories(dir.resolve("image"));
    Path blobs = Files.createDirectories(image.resolve("blobs/sha256"));
    byte[] layerGz = gz.toByteArray();
    String layerDigest = writeBlob(blobs, layerGz);
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                + sha256(layer)
                + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    String configDigest = writeBlob(blobs, config);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                + configDigest
                + "\",\"size\":"
                + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
                + layerDigest
                + "\",\"size\":"
                + layerGz.length
                + "}]}")
            .getBytes(StandardCharsets.UTF_8);
    String manifestDigest = writeBlob(blobs, manifest);
    Files.writeString(image.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(
        image.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"digest\":\"sha256:"
            + manifestDigest
            + "\",\"size\":"
            + manifest.length
            + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}");
    return image;
  }

  private static String writeBlob(Path blobs, byte[] bytes) throws Exception {
    String digest = sha256(bytes);
    Files.write(blobs.resolve(digest), bytes);
    return digest;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
