package dev.nexusrouter.router.e2e;

import dev.nexusrouter.router.testing.RealParts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real CNCF distribution registry ({@code docker-registry serve CONFIG}) on a free loopback port
 * with its own storage directory; either writable ("hosted") or a pull-through proxy of another
 * registry ("group", which refuses pushes like a Nexus group). Absolute upload Locations ({@code
 * relativeurls: false}).
 */
final class RegistryProcess implements AutoCloseable {
  final String name;
  final int port;
  final Path storage;
  final Proc proc;

  private RegistryProcess(String name, int port, Path storage, Proc proc) {
    this.name = name;
    this.port = port;
    this.storage = storage;
    this.proc = proc;
  }

  static RegistryProcess start(Path dir, String name, String proxyRemoteUrl)
      throws IOException, InterruptedException {
    Path binary = RealParts.require("docker-registry");
    Path storage = dir.resolve(name + "-storage");
    Files.createDirectories(storage);
    int port = Proc.freePort();
    StringBuilder yaml = new StringBuilder();
    yaml.append("version: 0.1\n")
        .append("log:\n  level: info\n  formatter: text\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ")
        .append(storage)
        .append("\n  delete:\n    enabled: true\n")
        .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
        .append("http:\n  addr: 127.0.0.1:")
        .append(port)
        .append("\n  secret: nexus-router-e2e\n  relativeurls: false\n");
    if (proxyRemoteUrl != null) {
      yaml.append("proxy:\n  remoteurl: ").append(proxyRemoteUrl).append('\n');
    }
    Path config = dir.resolve(name + ".yml");
    Files.writeString(config, yaml);
    Proc p =
        Proc.start(
            name,
            dir.resolve(name + ".log"),
            List.of(binary.toString(), "serve", config.toString()));
    RegistryProcess r = new RegistryProcess(name, port, storage, p);
    try {
      r.awaitReady(Duration.ofSeconds(60));
    } catch (AssertionError | IOException | InterruptedException e) {
      r.close();
      throw e;
    }
    return r;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  String log() {
    return Proc.read(proc.log);
  }

  String tail() {
    return proc.tail(40);
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!proc.alive()) {
        throw new AssertionError(name + " registry exited early\n" + tail());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = "HTTP " + r.statusCode();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        name + " registry not ready in " + timeout + ": " + last + "\n" + tail());
  }

  /** The stored blob data file for a digest ({@code sha256:...}), in the filesystem driver. */
  Path blobData(String digest) {
    String hex = digest.substring("sha256:".length());
    return storage.resolve(
        "docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
  }

  Path tagLink(String repository, String tag) {
    return storage.resolve(
        "docker/registry/v2/repositories/"
            + repository
            + "/_manifests/tags/"
            + tag
            + "/current/link");
  }

  @Override
  public void close() {
    proc.close();
  }
}
