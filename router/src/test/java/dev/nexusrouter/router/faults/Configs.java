package dev.nexusrouter.router.faults;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Router configurations for the fault suite: loopback only, short test timeouts. */
public final class Configs {
  private Configs() {}

  /**
   * One plain listener (port 0), a registry host on group/hosted.
   *
   * @param top extra top-level YAML (ends with a newline)
   * @param upstream extra keys for both upstreams, inline-mapping syntax ("read-timeout: 1s, ")
   */
  public static String registry(String groupUrl, String hostedUrl, String top, String upstream) {
    return top
        + "listeners:\n"
        + "  - {address: 127.0.0.1, port: 0}\n"
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
