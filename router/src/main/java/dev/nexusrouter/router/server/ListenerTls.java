package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.ListenerConfig;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.tls.CertificateReloader;
import dev.nexusrouter.router.tls.EmbeddedCa;
import dev.nexusrouter.router.tls.KeyPassphrase;
import dev.nexusrouter.router.tls.ServerTls;
import dev.nexusrouter.router.tls.TlsEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The TLS material of the main listeners: a certificate reloader per TLS listener, the embedded CA
 * (created once per server, on the first listener that needs it) and the CA certificate the hosts
 * serve.
 */
final class ListenerTls {
  private static final Logger LOG = Logger.getLogger("nexus-router");

  /** Puts a reloaded context on listener {@code index}, for new connections. */
  interface Swap {
    void swap(int index, ListenerConfig listener, SSLContext context);
  }

  private final Swap swap;
  private EmbeddedCa.Paths embedded;
  private TlsEngine engine;

  ListenerTls(Swap swap) {
    this.swap = swap;
  }

  /**
   * One {@link CertificateReloader} per TLS listener (null for plain ones): it watches the files
   * and swaps the listener's context for new connections; a listener without files gets the
   * embedded CA's certificate, created once in the data directory.
   */
  List<CertificateReloader> prepare(RouterConfig c) throws IOException {
    List<CertificateReloader> out = new ArrayList<>();
    try {
      for (int i = 0; i < c.listeners().size(); i++) {
        ListenerConfig l = c.listeners().get(i);
        if (l.tls() == null) {
          out.add(null);
          continue;
        }
        Path cert = l.tls().certFile();
        Path key = l.tls().keyFile();
        KeyPassphrase pass = ConfigLoader.passphrase(l.tls(), System.getenv());
        if (l.tls().embedded()) {
          EmbeddedCa.Paths e = embeddedCa(c);
          cert = e.cert();
          key = e.key();
          pass = KeyPassphrase.NONE;
        }
        int index = i;
        CertificateReloader r =
            new CertificateReloader(
                cert,
                key,
                pass,
                engine(c),
                ctx -> swap.swap(index, l, ctx),
                msg -> LOG.warning("listener " + l.name() + ": " + msg),
                CertificateReloader.DEFAULT_POLL);
        LOG.info(
            "listener "
                + l.name()
                + ": TLS engine "
                + engine.describe(r.certificate().getPublicKey().getAlgorithm()));
        for (String w : ServerTls.load(cert, key, pass).warnings()) {
          LOG.warning("listener " + l.name() + ": " + w);
        }
        out.add(r);
      }
    } catch (RuntimeException | IOException e) {
      Generation.closeReloaders(out);
      throw e;
    }
    return out;
  }

  /** Chosen on the first start: the native library, once loaded, stays for the process. */
  private TlsEngine engine(RouterConfig c) {
    if (engine == null) {
      engine = TlsEngine.select(c.tlsEngine());
    } else if (engine.setting() != c.tlsEngine()) {
      LOG.warning("tls-engine: changed to " + c.tlsEngine().yamlName() + "; restart to apply");
    }
    return engine;
  }

  private EmbeddedCa.Paths embeddedCa(RouterConfig c) throws IOException {
    if (embedded == null) {
      List<String> names = new ArrayList<>();
      for (VirtualHostConfig h : c.hosts()) {
        for (String n : h.serverNames()) {
          if (!n.equals("*")) {
            names.add(n);
          }
        }
      }
      embedded = EmbeddedCa.ensure(c.dataDir(), names);
      LOG.info(
          "embedded CA: "
              + embedded.action()
              + "; clients trust "
              + embedded.ca().toAbsolutePath()
              + " (also served at "
              + HostFront.CA_PATH
              + ")");
    }
    return embedded;
  }

  /**
   * The CA certificate served at {@code /download/ca.crt}: the configured one, else the embedded
   * CA's, else null.
   */
  byte[] caPem(RouterConfig c) throws IOException {
    Path ca = c.caFile() != null ? c.caFile() : embedded == null ? null : embedded.ca();
    return ca == null ? null : Files.readAllBytes(ca);
  }
}
