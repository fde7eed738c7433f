package dev.nexusrouter.router;

import dev.nexusrouter.router.cli.Commands;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.ListenerConfig;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.route.RouteLint;
import dev.nexusrouter.router.server.Preflight;
import dev.nexusrouter.router.tls.TlsEngine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nexus-router check CONFIG}: validates a config file and prints every problem. */
final class ConfigCheck {
  private ConfigCheck() {}

  /** 0 when the file is valid (warnings allowed), 1 with the problem report otherwise. */
  static int run(Path file, PrintStream out, PrintStream err) {
    try {
      RouterConfig c = ConfigLoader.load(file);
      Preflight.check(c, file.toString()); // folders and sockets, as serve needs them
      Map<String, Path> certs = new LinkedHashMap<>();
      for (int i = 0; i < c.listeners().size(); i++) {
        ListenerConfig.Tls t = c.listeners().get(i).tls();
        if (t != null) {
          certs.put("listeners[" + i + "].tls", t.embedded() ? null : t.certFile());
        }
      }
      List<String> engine = TlsEngine.check(c.tlsEngine(), certs);
      if (!engine.isEmpty()) {
        throw new ConfigException(file.toString(), engine);
      }
      for (int i = 0; i < c.hosts().size(); i++) {
        VirtualHostConfig h = c.hosts().get(i);
        if (h.kind() == VirtualHostConfig.Kind.REGISTRY) {
          for (String w : RouteLint.check(h.routes())) {
            err.println("warning: hosts[" + i + "].routes: " + w);
          }
        }
      }
      out.println(
          file
              + ": OK ("
              + c.listeners().size()
              + " listener(s), "
              + c.hosts().size()
              + " host(s), "
              + c.upstreams().size()
              + " upstream(s))");
      return Commands.OK;
    } catch (ConfigException e) {
      err.print(e.report());
      return Commands.FAILED;
    }
  }
}
