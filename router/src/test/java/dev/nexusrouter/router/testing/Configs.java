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

  /** A listener's {@code tls:} value as an inline mapping: PEM certificate chain and key files. */
  public static String tls(Path certFile, Path keyFile) {
    return "{cert-file: \"" + certFile + "\", key-file: \"" + keyFile + "\"}";
  }

  /**
   * A loopback TLS listener as an inline mapping (an item of {@code listeners:}, in block or flow
   * style).
   *
   * @param name the listener's name, or null for none
   * @param port the port (0: ephemeral)
   */
  public static String tlsListener(String name, int port, Path certFile, Path keyFile) {
    return "{"
        + (name == null ? "" : "name: " + name + ", ")
        + "address: 127.0.0.1, port: "
        + port
        + ", tls: "
        + tls(certFile, keyFile)
        + "}";
  }

  /**
   * Inserts {@code text} after the first line of {@code yaml} equal to {@code line} (both end with
   * a newline), for configurations a command under test wrote; fails if there is no such line.
   */
  public static String insertAfter(String yaml, String line, String text) {
    int at = yaml.startsWith(line) ? 0 : yaml.indexOf("\n" + line);
    if (at < 0) {
      throw new AssertionError("no line " + line.strip() + " in:\n" + yaml);
    }
    int end = (at == 0 ? 0 : at + 1) + line.length();
    return yaml.substring(0, end) + text + yaml.substring(end);
  }

  /** Starts the router in this JVM from YAML (through a file, as the CLI loads it). */
  public static RouterServer inProcess(Path dir, String yaml) throws IOException {
    Path f = Files.createTempFile(dir, "router", ".yaml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return RouterServer.start(ConfigLoader.load(f), Clock.systemUTC());
  }
}
