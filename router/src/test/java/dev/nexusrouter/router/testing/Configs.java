package dev.nexusrouter.router.testing;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Router configurations for tests: loopback only, ephemeral ports. */
public final class Configs {
  private Configs() {}

  /** The plain listener every test router uses: loopback, an ephemeral port. */
  public static final String PLAIN_LISTENER = "{address: 127.0.0.1, port: 0}";

  /**
   * One plain listener (port 0), a registry host on group/hosted.
   *
   * @param top extra top-level YAML (ends with a newline)
   * @param upstream extra keys for both upstreams, inline-mapping syntax ("read-timeout: 1s, ")
   */
  public static String registry(String groupUrl, String hostedUrl, String top, String upstream) {
    return registry(PLAIN_LISTENER, groupUrl, hostedUrl, top, upstream);
  }

  /**
   * One listener, a registry host on group/hosted: the configuration most tests start from.
   *
   * @param listener the listener as an inline mapping ({@link #PLAIN_LISTENER}, or one with {@code
   *     tls: {...}})
   * @param top extra top-level YAML (ends with a newline)
   * @param upstream extra keys for both upstreams, inline-mapping syntax ("read-timeout: 1s, ")
   */
  public static String registry(
      String listener, String groupUrl, String hostedUrl, String top, String upstream) {
    return top
        + "listeners:\n"
        + "  - "
        + listener
        + "\n"
        + "upstreams:\n"
        + "  group: {"
        + upstream
        + "servers: [\""
        + groupUrl
        + "\"]}\n"
        + "  hosted: {"
        + upstream
        + "servers: [\""
        + hostedUrl
        + "\"]}\n"
        + "hosts:\n"
        + "  - {server-names: [localhost], default: true, kind: registry, group: group,"
        + " hosted: hosted}\n";
  }

  /** Starts the router in this JVM from YAML (through a file, as the CLI loads it). */
  public static RouterServer inProcess(Path dir, String yaml) throws IOException {
    Path f = Files.createTempFile(dir, "router", ".yaml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return RouterServer.start(ConfigLoader.load(f), Clock.systemUTC());
  }
}
