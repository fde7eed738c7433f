package dev.nexusrouter.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateReloaderTest {
  @TempDir Path dir;

  final BlockingQueue<SSLContext> contexts = new LinkedBlockingQueue<>();
  final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
  CertificateAuthority ca;
  CertificateReloader reloader;

  @BeforeEach
  void setUp() {
    ca = CertificateAuthority.create("Test CA", Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    if (reloader != null) {
      reloader.close();
    }
  }

  CertificateAuthority.Issued issue(Path cert, Path key) throws Exception {
    var issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(90));
    CertificateAuthority.writeServer(issued, cert, key);
    return issued;
  }

  /** Issues server.crt/server.key in the temp directory and watches them. */
  CertificateAuthority.Issued issueAndStart() throws Exception {
    var issued = issue(dir.resolve("server.crt"), dir.resolve("server.key"));
    start(dir.resolve("server.crt"), dir.resolve("server.key"));
    return issued;
  }

  CertificateReloader start(Path cert, Path key) {
    reloader =
        new CertificateReloader(
            cert, key, KeyPassphrase.NONE, contexts::add, errors::add, Duration.ofMillis(100));
    return reloader;
  }

  @Test
  void replacedFilesHandOverAContextWithTheNewSerial() throws Exception {
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    var first = issueAndStart();
    assertEquals(
        first.cert().getSerialNumber(), TestCerts.served(reloader.context()).getSerialNumber());

    var second = issue(cert, key);
    SSLContext next = contexts.poll(10, TimeUnit.SECONDS);
    assertNotNull(next, "no reload; errors: " + errors);
    X509Certificate served = TestCerts.served(next);
    assertEquals(second.cert().getSerialNumber(), served.getSerialNumber());
    assertSame(next, reloader.context());
    assertNull(contexts.poll(500, TimeUnit.MILLISECONDS), "one change, one reload");
  }

  @Test
  void badNewFilesAreReportedAndTheOldContextStays() throws Exception {
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    issueAndStart();
    SSLContext before = reloader.context();

    // a key from another pair: mismatch
    issue(dir.resolve("other.crt"), dir.resolve("other.key"));
    Files.move(dir.resolve("other.key"), key, StandardCopyOption.REPLACE_EXISTING);
    String error = errors.poll(10, TimeUnit.SECONDS);
    assertNotNull(error);
    assertTrue(error.startsWith("rejected new certificate: private key "), error);
    assertTrue(error.endsWith("; keeping the old one"), error);
    assertSame(before, reloader.context());
    assertNull(contexts.poll(300, TimeUnit.MILLISECONDS));
    assertNull(errors.poll(500, TimeUnit.MILLISECONDS), "a bad state is reported once");

    Files.writeString(cert, "garbage");
    assertTrue(errors.poll(10, TimeUnit.SECONDS).contains("no PEM certificate found"));
    assertSame(before, reloader.context());
  }

  @Test
  void explicitReloadLoadsEvenWithoutAChange() throws Exception {
    issueAndStart();
    assertTrue(reloader.reload());
    assertNotNull(contexts.poll(1, TimeUnit.SECONDS));
  }

  /**
   * The layout of a Kubernetes Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..2024_x; an
   * update writes a new timestamped directory and renames a new ..data symlink over the old one.
   */
  @Test
  void kubernetesSecretSymlinkSwapIsSeen() throws Exception {
    Path v1 = Files.createDirectory(dir.resolve("..2024_01"));
    issue(v1.resolve("tls.crt"), v1.resolve("tls.key"));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2024_01"));
    Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data/tls.key"));
    start(dir.resolve("tls.crt"), dir.resolve("tls.key"));

    Path v2 = Files.createDirectory(dir.resolve("..2024_02"));
    var second = issue(v2.resolve("tls.crt"), v2.resolve("tls.key"));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2024_02"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    SSLContext next = contexts.poll(10, TimeUnit.SECONDS);
    assertNotNull(next, "no reload; errors: " + errors);
    assertEquals(second.cert().getSerialNumber(), TestCerts.served(next).getSerialNumber());
  }

  @Test
  void badFilesAtStartAreAnError() throws Exception {
    Path cert = dir.resolve("server.crt");
    Files.writeString(cert, "nothing");
    assertTrue(
        org.junit.jupiter.api.Assertions.assertThrows(
                TlsException.class, () -> start(cert, dir.resolve("server.key")))
            .getMessage()
            .startsWith("no PEM certificate found"));
  }
}
