package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientSetupTest {
  @TempDir Path dir;

  final CertsCli cli = new CertsCli();

  Path writeCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Test CA", Clock.systemUTC());
    Path crt = dir.resolve("ca.crt");
    ca.write(crt, dir.resolve("ca.key"));
    return crt;
  }

  /** {@code certs client-setup <registry> --ca <ca> --root <root> [more]}. */
  int clientSetup(String registry, Path ca, Path root, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("client-setup", registry, "--ca", ca.toString(), "--root", root.toString()));
    args.addAll(List.of(more));
    return cli.run(args.toArray(String[]::new));
  }

  @Test
  void applyWritesTheDockerContainerdAndPodmanLayouts() throws Exception {
    Path ca = writeCa();
    Path root = dir.resolve("root");
    assertEquals(0, clientSetup("registry.example.com:5000", ca, root, "--apply"));
    String pem = Files.readString(ca);
    for (String p :
        List.of(
            "etc/docker/certs.d/registry.example.com:5000/ca.crt",
            "etc/containerd/certs.d/registry.example.com:5000/ca.crt",
            "etc/containers/certs.d/registry.example.com:5000/ca.crt")) {
      assertEquals(pem, Files.readString(root.resolve(p)), p);
    }
    assertEquals(
        """
        # written by nexus-router certs client-setup
        server = "https://registry.example.com:5000"

        [host."https://registry.example.com:5000"]
          capabilities = ["pull", "resolve", "push"]
          ca = "/etc/containerd/certs.d/registry.example.com:5000/ca.crt"
        """,
        Files.readString(
            root.resolve("etc/containerd/certs.d/registry.example.com:5000/hosts.toml")));
    assertTrue(cli.out().contains("wrote " + root.resolve("etc/docker")), cli.out());
  }

  @Test
  void withoutApplyNothingIsWritten() throws Exception {
    Path ca = writeCa();
    Path root = dir.resolve("root");
    assertEquals(0, clientSetup("registry.example.com", ca, root));
    assertFalse(Files.exists(root));
    assertTrue(cli.out().contains("/etc/docker/certs.d/registry.example.com/ca.crt"));
    assertTrue(cli.out().contains("dry run: nothing written"));
  }

  /** {@code certs client-setup reg.example.com --download <url> --fingerprint <fp> --apply}. */
  int downloadAndApply(String url, String fingerprint, Path root) {
    return cli.run(
        "client-setup",
        "reg.example.com",
        "--download",
        url,
        "--fingerprint",
        fingerprint,
        "--apply",
        "--root",
        root.toString());
  }

  @Test
  void downloadIsTrustedOnlyWithTheMatchingFingerprint() throws Exception {
    Path ca = writeCa();
    byte[] body = Files.readAllBytes(ca);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/download/ca.crt",
        ex -> {
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/download/ca.crt";
      String fp = CertificateInfo.fingerprint(PemFiles.readCertificates(ca).get(0));
      Path root = dir.resolve("root");
      String wrong = "00" + fp.substring(2);
      assertEquals(1, downloadAndApply(url, wrong, root));
      assertTrue(cli.err().contains("fingerprint mismatch"), cli.err());
      assertFalse(Files.exists(root));

      assertEquals(
          0, downloadAndApply(url, fp.replace(":", "").toLowerCase(java.util.Locale.ROOT), root));
      assertEquals(
          Files.readString(ca),
          Files.readString(root.resolve("etc/docker/certs.d/reg.example.com/ca.crt")));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void wrongCommandLinesExitTwo() throws Exception {
    Path ca = writeCa();
    assertEquals(2, cli.run("client-setup", "../etc", "--ca", ca.toString()));
    assertEquals(2, cli.run("client-setup", "a/b", "--ca", ca.toString()));
    assertEquals(2, cli.run("client-setup", "reg.example.com"));
    assertEquals(2, cli.run("client-setup", "reg.example.com", "--download", "http://x/ca.crt"));
    assertTrue(cli.err().contains("--fingerprint"), cli.err());
    assertEquals(2, cli.run("client-setup", "reg.example.com:99999", "--ca", ca.toString()));
  }
}
