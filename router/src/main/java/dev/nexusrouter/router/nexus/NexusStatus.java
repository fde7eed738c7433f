package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.UpstreamConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.nexus.NexusClient.Response;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code nexus status}: health, version, and whether the router's group/hosted upstreams point at
 * the connector ports (or path-mode names) of matching docker repositories.
 */
final class NexusStatus {

  /** What Nexus says about one docker repository. */
  record DockerRepo(String name, String type, Integer httpPort, Integer httpsPort) {
    String describe() {
      StringBuilder s = new StringBuilder("docker " + type + " '" + name + "'");
      if (httpPort != null) {
        s.append(" HTTP ").append(httpPort);
      }
      if (httpsPort != null) {
        s.append(" HTTPS ").append(httpsPort);
      }
      if (httpPort == null && httpsPort == null) {
        s.append(" (no connector)");
      }
      return s.toString();
    }
  }

  private final NexusClient nexus;
  private final PrintStream out;

  NexusStatus(NexusClient nexus, PrintStream out) {
    this.nexus = nexus;
    this.out = out;
  }

  /** True when Nexus is healthy and (if a config is given) every upstream matches. */
  boolean run(RouterConfig config, String configSource) {
    boolean ok = health();
    Boolean docker = dockerFormat();
    if (docker != null) {
      out.println(
          "  docker    "
              + (docker
                  ? "format available"
                  : "NOT AVAILABLE: this Nexus has no docker format (no "
                      + NexusClient.REST
                      + Readiness.DOCKER_PROXY_V1
                      + "), so no docker repository can match"));
      ok &= docker;
    }
    if (config == null) {
      return ok;
    }
    List<DockerRepo> repos;
    try {
      repos = dockerRepositories();
    } catch (NexusException e) {
      out.println("Router config " + configSource + ": cannot compare: " + e.getMessage());
      return false;
    }
    out.println("Router config " + configSource + ":");
    for (VirtualHostConfig h : config.hosts()) {
      if (h.kind() != VirtualHostConfig.Kind.REGISTRY) {
        continue;
      }
      String host = h.serverNames().isEmpty() ? "(default host)" : h.serverNames().get(0);
      ok &= compare(host, "group", config.upstreams().get(h.group()), "group", repos);
      ok &= compare(host, "hosted", config.upstreams().get(h.hosted()), "hosted", repos);
    }
    return ok;
  }

  private boolean health() {
    Response status = nexus.getAnonymous("/v1/status");
    Response writable = nexus.getAnonymous("/v1/status/writable");
    out.println("Nexus " + nexus.baseUrl() + ":");
    out.println("  status    " + describe(status, "available (serves reads)"));
    out.println("  writable  " + describe(writable, "writable"));
    String server = status.server() != null ? status.server() : writable.server();
    NexusVersion v = NexusVersion.parse(server);
    String version = v != null ? v.text() : versionFromApi();
    out.println(
        "  version   "
            + (version == null ? "unknown (no Server header, no swagger.json)" : version));
    if (v != null && !v.atLeast(NexusVersion.MINIMUM)) {
      out.println(
          "            older than "
              + NexusVersion.MINIMUM.text()
              + ": `nexus provision` needs "
              + NexusVersion.MINIMUM.text()
              + " or later");
    }
    return status.status() == 200 && writable.status() == 200;
  }

  private static String describe(Response r, String ok) {
    return switch (r.status()) {
      case 200 -> ok;
      case 503 -> "NOT READY (503: starting, or read-only)";
      default -> "unexpected " + r.status();
    };
  }

  private JsonNode api;

  /** swagger.json (readable without credentials), or a missing node; read once. */
  private JsonNode api() {
    if (api == null) {
      Response r = nexus.get("/swagger.json");
      try {
        api = r.status() == 200 ? nexus.json().readTree(r.body()) : MissingNode.getInstance();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        api = MissingNode.getInstance();
      }
    }
    return api;
  }

  private String versionFromApi() {
    return api().path("info").path("version").asText(null);
  }

  /** Whether the API description lists the docker endpoints; null when there is none. */
  private Boolean dockerFormat() {
    JsonNode paths = api().path("paths");
    if (!paths.has(Readiness.BLOB_STORES_V1)) {
      return null; // no description, or a Nexus older than the v1 API: nothing to say
    }
    return paths.has(Readiness.DOCKER_PROXY_V1);
  }

  /** Full settings from /v1/repositorySettings (3.26+), else one typed GET per docker repo. */
  List<DockerRepo> dockerRepositories() {
    Response r = nexus.get("/v1/repositorySettings");
    JsonNode list;
    if (r.status() == 404) {
      list = nexus.parse(nexus.check(nexus.get("/v1/repositories"), "list repositories", 200), "");
      List<DockerRepo> out = new ArrayList<>();
      for (JsonNode item : list) {
        if (item.path("format").asText().equals("docker")) {
          String path =
              "/v1/repositories/docker/"
                  + item.path("type").asText()
                  + "/"
                  + item.path("name").asText();
          out.add(
              toRepo(nexus.parse(nexus.check(nexus.get(path), "read " + path, 200), path), item));
        }
      }
      return out;
    }
    list = nexus.parse(nexus.check(r, "read repository settings", 200), "repository settings");
    List<DockerRepo> out = new ArrayList<>();
    for (JsonNode item : list) {
      if (item.path("format").asText().equals("docker")) {
        out.add(toRepo(item, item));
      }
    }
    return out;
  }

  private static DockerRepo toRepo(JsonNode full, JsonNode listed) {
    JsonNode d = full.path("docker");
    return new DockerRepo(
        listed.path("name").asText(),
        listed.path("type").asText(),
        d.path("httpPort").isNumber() ? d.path("httpPort").asInt() : null,
        d.path("httpsPort").isNumber() ? d.path("httpsPort").asInt() : null);
  }

  private boolean compare(
      String host,
      String role,
      UpstreamConfig upstream,
      String wantedType,
      List<DockerRepo> repos) {
    URI server = upstream.servers().get(0);
    String label = "host " + host + ": " + role + " upstream '" + upstream.name() + "' " + server;
    String problem = mismatch(server, upstream.repository(), wantedType, repos);
    if (problem == null) {
      out.println(
          "  ok        " + label + " -> " + match(server, upstream.repository(), repos).describe());
      return true;
    }
    out.println("  MISMATCH  " + label + ": " + problem);
    return false;
  }

  private static DockerRepo match(URI server, String pathName, List<DockerRepo> repos) {
    if (pathName != null) {
      return repos.stream().filter(r -> r.name().equals(pathName)).findFirst().orElse(null);
    }
    int port = port(server);
    boolean https = "https".equals(server.getScheme());
    return repos.stream()
        .filter(r -> Integer.valueOf(port).equals(https ? r.httpsPort() : r.httpPort()))
        .findFirst()
        .orElse(null);
  }

  /** Null when the upstream reaches a docker repository of the wanted type, else the reason. */
  static String mismatch(URI server, String pathName, String wantedType, List<DockerRepo> repos) {
    DockerRepo found = match(server, pathName, repos);
    List<String> candidates =
        repos.stream().filter(r -> r.type().equals(wantedType)).map(DockerRepo::describe).toList();
    String expected =
        candidates.isEmpty()
            ? "Nexus has no docker " + wantedType + " repository"
            : "docker " + wantedType + " repositories: " + String.join(", ", candidates);
    if (found == null) {
      if (pathName != null) {
        return "Nexus has no docker repository '" + pathName + "' (" + expected + ")";
      }
      String kind = "https".equals(server.getScheme()) ? "HTTPS" : "HTTP";
      return "no docker repository has "
          + kind
          + " connector port "
          + port(server)
          + " ("
          + expected
          + ")";
    }
    if (!found.type().equals(wantedType)) {
      return "it reaches "
          + found.describe()
          + ", expected a docker "
          + wantedType
          + " ("
          + expected
          + ")";
    }
    return null;
  }

  private static int port(URI u) {
    if (u.getPort() > 0) {
      return u.getPort();
    }
    return "https".equals(u.getScheme()) ? 443 : 80;
  }
}
