package dev.nexusrouter.router.e2e;

import dev.nexusrouter.router.testing.RealParts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A throw-away CA and a server certificate for {@code localhost} and {@code 127.0.0.1}, made with
 * the {@code openssl} CLI (EC P-256 keys, PKCS#8 PEM). {@link #trustDir} holds only {@code ca.crt},
 * the layout skopeo's {@code --cert-dir} options want.
 */
final class TestCa {
  final Path dir;
  final Path caCert;
  final Path serverChain;
  final Path serverKey;
  final Path trustDir;

  private TestCa(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.crt");
    this.serverChain = dir.resolve("server-chain.crt");
    this.serverKey = dir.resolve("server.key");
    this.trustDir = dir.resolve("trust");
  }

  /** A new P-256 private key in {@code out}. */
  private static void ecKey(String openssl, Path log, Duration t, Path out)
      throws IOException, InterruptedException {
    Proc.runOk(
        "openssl",
        log,
        t,
        openssl,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        out.toString());
  }

  static TestCa create(Path dir) throws IOException, InterruptedException {
    String openssl = RealParts.require("openssl").toString();
    Files.createDirectories(dir);
    TestCa ca = new TestCa(dir);
    Path log = dir.resolve("openssl.log");
    Duration t = Duration.ofSeconds(60);
    Path caKey = dir.resolve("ca.key");
    Path csr = dir.resolve("server.csr");
    Path cert = dir.resolve("server.crt");
    Path ext = dir.resolve("server.ext");
    Files.writeString(
        ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
            + "basicConstraints=critical,CA:FALSE\n"
            + "keyUsage=critical,digitalSignature\n"
            + "extendedKeyUsage=serverAuth\n");
    ecKey(openssl, log, t, caKey);
    Proc.runOk(
        "openssl",
        log,
        t,
        openssl,
        "req",
        "-x509",
        "-new",
        "-key",
        caKey.toString(),
        "-sha256",
        "-days",
        "2",
        "-subj",
        "/CN=nexus-router e2e test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        ca.caCert.toString());
    ecKey(openssl, log, t, ca.serverKey);
    Proc.runOk(
        "openssl",
        log,
        t,
        openssl,
        "req",
        "-new",
        "-key",
        ca.serverKey.toString(),
        "-subj",
        "/CN=localhost",
        "-out",
        csr.toString());
    Proc.runOk(
        "openssl",
        log,
        t,
        openssl,
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        ca.caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-days",
        "2",
        "-sha256",
        "-extfile",
        ext.toString(),
        "-out",
        cert.toString());
    Files.writeString(ca.serverChain, Files.readString(cert) + Files.readString(ca.caCert));
    Files.createDirectories(ca.trustDir);
    Files.copy(ca.caCert, ca.trustDir.resolve("ca.crt"));
    return ca;
  }
}
