package dev.nexusrouter.router.testing;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.server.RouterServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The real router, in-process, in front of two {@link RecordingUpstream}s: "group" (G) and "hosted"
 * (H), on one plain-HTTP loopback listener with an ephemeral port. Built from a YAML file the way
 * the CLI loads it.
 */
public final class RouterFixture implements AutoCloseable {
  public final RecordingUpstream group;
  public final RecordingUpstream hosted;
  public final RouterServer server;
  public final int port;
  public final String groupPath;
  public final String hostedPath;
  private final Path configFile;

  private RouterFixture(Builder b) throws IOException {
    this.group = RecordingUpstream.start("group");
    this.hosted = RecordingUpstream.start("hosted");
    this.groupPath = b.groupPath;
    this.hostedPath = b.hostedPath;
    String groupUrl = b.groupServer != null ? b.groupServer : group.baseUrl() + b.groupPath;
    String hostedUrl = hosted.baseUrl() + b.hostedPath;
    StringBuilder y = new StringBuilder();
    y.append("listeners:\n  - address: 127.0.0.1\n    port: 0\n");
    y.append("upstreams:\n");
    y.append("  group:\n    servers: [\"").append(groupUrl).append("\"]\n");
    for (String l : b.groupLines) {
      y.append("    ").append(l).append('\n');
    }
    y.append("  hosted:\n    servers: [\"").append(hostedUrl).append("\"]\n");
    for (String l : b.hostedLines) {
      y.append("    ").append(l).append('\n');
    }
    y.append("hosts:\n");
    y.append("  - server-names: [localhost, registry.example.com]\n");
    y.append("    default: true\n    kind: registry\n    group: group\n    hosted: hosted\n");
    for (String l : b.hostLines) {
      y.append("    ").append(l).append('\n');
    }
    y.append("access-log:\n  path: \"off\"\n");
    this.configFile = Files.createTempFile("router-flows", ".yaml");
    Files.writeString(configFile, y.toString(), StandardCharsets.UTF_8);
    RouterServer s;
    try {
      s = RouterServer.start(ConfigLoader.load(configFile), Clock.systemUTC());
    } catch (IOException | RuntimeException e) {
      group.close();
      hosted.close();
      throw e;
    }
    this.server = s;
    this.port = s.port(0);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Default: both upstreams as port connectors, default routes, no limits. */
  public static RouterFixture start() {
    return builder().start();
  }

  /** {@code localhost:<router port>}: the Host header a client sends by default. */
  public String hostHeader() {
    return "localhost:" + port;
  }

  public RecordingUpstream upstream(Flow.Up up) {
    return switch (up) {
      case G -> group;
      case H -> hosted;
      case NONE -> throw new IllegalArgumentException("no upstream");
    };
  }

  /** The path-mode prefix of an upstream ("" for a port connector). */
  public String prefix(Flow.Up up) {
    return up == Flow.Up.G ? groupPath : up == Flow.Up.H ? hostedPath : "";
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      group.close();
      hosted.close();
      try {
        Files.deleteIfExists(configFile);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Options of a fixture; lines are YAML under the upstream or host entry. */
  public static final class Builder {
    private String groupPath = "";
    private String hostedPath = "";
    private String groupServer;
    private final List<String> groupLines = new ArrayList<>();
    private final List<String> hostedLines = new ArrayList<>();
    private final List<String> hostLines = new ArrayList<>();

    /** Nexus path mode for G, e.g. {@code /repository/hub-group}. */
    public Builder groupPath(String p) {
      this.groupPath = p;
      return this;
    }

    public Builder hostedPath(String p) {
      this.hostedPath = p;
      return this;
    }

    /** Replaces G's server URL (e.g. a port nobody listens on). */
    public Builder groupServer(String url) {
      this.groupServer = url;
      return this;
    }

    public Builder group(String yamlLine) {
      groupLines.add(yamlLine);
      return this;
    }

    public Builder hosted(String yamlLine) {
      hostedLines.add(yamlLine);
      return this;
    }

    public Builder host(String yamlLine) {
      hostLines.add(yamlLine);
      return this;
    }

    public RouterFixture start() {
      try {
        return new RouterFixture(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
