package dev.nexusrouter.router.tls;

import dev.nexusrouter.common.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;

/**
 * Makes docker, containerd and podman/skopeo trust the router's CA for one registry host, the
 * per-registry way (certs.d directories), so the system trust store stays untouched.
 */
final class ClientSetup {
  private static final Pattern HOST_PORT =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9.-]*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");
  private static final int MAX_DOWNLOAD = 1 << 20;

  private ClientSetup() {}

  /** One file to write: which client reads it, where (below the root), and its text. */
  record Target(String client, String path, String content) {}

  /** A trusted CA bundle: its certificates and PEM text. */
  record Ca(List<X509Certificate> certs, String pem) {}

  static String checkHost(String hostPort) {
    var m = HOST_PORT.matcher(hostPort);
    if (!m.matches() || hostPort.contains("..")) {
      throw new IllegalArgumentException(
          "'" + hostPort + "' is not HOST or HOST:PORT (e.g. registry.example.com:5000)");
    }
    if (m.group(2) != null) {
      int port = Integer.parseInt(m.group(2).substring(1));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is out of range in " + hostPort);
      }
    }
    return hostPort;
  }

  /**
   * The three layouts. Docker and containers/image (podman, skopeo, buildah) read every {@code
   * *.crt} in {@code certs.d/HOST[:PORT]/} as a CA. containerd reads {@code hosts.toml} in the
   * same-named directory below its {@code config_path}; its {@code ca} is an absolute path.
   */
  static List<Target> plan(String hostPort, Ca ca) {
    String docker = "/etc/docker/certs.d/" + hostPort + "/ca.crt";
    String containerdDir = "/etc/containerd/certs.d/" + hostPort;
    String podman = "/etc/containers/certs.d/" + hostPort + "/ca.crt";
    String hostsToml =
        "# written by nexus-router certs client-setup\n"
            + "server = \"https://"
            + hostPort
            + "\"\n\n"
            + "[host.\"https://"
            + hostPort
            + "\"]\n"
            + "  capabilities = [\"pull\", \"resolve\", \"push\"]\n"
            + "  ca = \""
            + containerdDir
            + "/ca.crt\"\n";
    return List.of(
        new Target("docker", docker, ca.pem()),
        new Target("containerd", containerdDir + "/ca.crt", ca.pem()),
        new Target("containerd", containerdDir + "/hosts.toml", hostsToml),
        new Target("podman/skopeo", podman, ca.pem()));
  }

  static void print(List<Target> targets, boolean applied, PrintStream out) {
    for (Target t : targets) {
      out.printf("%-14s %s%n", t.client(), t.path());
      if (t.path().endsWith(".toml")) {
        t.content().lines().forEach(l -> out.println("                 | " + l));
      }
    }
    out.println(
        "containerd reads hosts.toml only with config_path = \"/etc/containerd/certs.d\" under"
            + " [plugins.\"io.containerd.grpc.v1.cri\".registry] in /etc/containerd/config.toml"
            + " (restart containerd after adding it); docker and podman need no restart.");
    if (!applied) {
      out.println(
          "dry run: nothing written; run again with --apply (as root) to write these files");
    }
  }

  /** Writes each target below {@code root} (0644, directories created), atomically. */
  static void apply(List<Target> targets, Path root, PrintStream out) throws IOException {
    for (Target t : targets) {
      Path p = root.resolve(t.path().substring(1));
      AtomicFiles.createDirectories(p.toAbsolutePath().getParent(), AtomicFiles.PUBLIC_DIR);
      AtomicFiles.write(
          p, t.content().getBytes(java.nio.charset.StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
      out.println("wrote " + p);
    }
  }

  static Ca fromFile(Path file) {
    List<X509Certificate> certs = PemFiles.readCertificates(file);
    return new Ca(certs, PemFiles.toPem(certs.toArray()));
  }

  /**
   * Downloads the CA (normally {@code https://UI-HOST/download/ca.crt}) without trusting the
   * connection, which cannot be trusted yet: the pinned fingerprint is what makes it safe, and a
   * mismatch is refused.
   */
  static Ca download(URI url, String expectedFingerprint) throws IOException {
    String want = CertificateInfo.normalizeFingerprint(expectedFingerprint);
    byte[] body = fetch(url);
    List<X509Certificate> certs = parse(new String(body, StandardCharsets.US_ASCII), url);
    X509Certificate ca = certs.get(0);
    String got = CertificateInfo.fingerprint(ca);
    if (!got.replace(":", "").equalsIgnoreCase(want)) {
      throw new TlsException(
          "fingerprint mismatch: "
              + url
              + " served '"
              + ca.getSubjectX500Principal().getName()
              + "' with SHA-256 "
              + got
              + ", expected "
              + expectedFingerprint.trim()
              + "; not trusting it");
    }
    return new Ca(List.of(ca), PemFiles.toPem(ca));
  }

  private static byte[] fetch(URI url) throws IOException {
    String scheme = String.valueOf(url.getScheme()).toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new TlsException("--download needs an http(s) URL, got " + url);
    }
    URLConnection c = url.toURL().openConnection();
    if (c instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(trustAll().getSocketFactory());
      https.setHostnameVerifier((host, session) -> true);
    }
    c.setConnectTimeout(10_000);
    c.setReadTimeout(10_000);
    HttpURLConnection http = (HttpURLConnection) c;
    try {
      int status = http.getResponseCode();
      if (status != 200) {
        throw new TlsException("cannot download " + url + ": HTTP " + status);
      }
      try (InputStream in = http.getInputStream()) {
        return readLimited(in, url);
      }
    } finally {
      http.disconnect();
    }
  }

  private static byte[] readLimited(InputStream in, URI url) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) > 0) {
      buf.write(chunk, 0, n);
      if (buf.size() > MAX_DOWNLOAD) {
        throw new TlsException(url + " is larger than 1 MiB; not a CA certificate");
      }
    }
    return buf.toByteArray();
  }

  private static List<X509Certificate> parse(String pem, URI source) {
    List<X509Certificate> certs = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          certs.add(new JcaX509CertificateConverter().getCertificate(h));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new TlsException(source + " is not a PEM certificate: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new TlsException(source + " did not return a PEM certificate");
    }
    return certs;
  }

  /** Accepts any server: the download is verified by fingerprint instead. */
  private static SSLContext trustAll() {
    X509TrustManager any =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {any}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot set up TLS for the download: " + e.getMessage());
    }
  }
}
