package dev.nexusrouter.credential.dockerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.ServerUrls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pure part of {@code configure}: given the parsed docker config and containers auth file,
 * changes them in memory and lists the logins to move. Only fields this tool owns are touched;
 * everything else (proxies, other helpers, unknown keys) is left as it was.
 */
final class Migration {
  static final String HELPER = "java";
  static final String HUB_DOCKER_KEY = "https://index.docker.io/v1/";

  /** Fields that hold or accompany a secret in an {@code auths} entry. */
  private static final List<String> SECRET_FIELDS =
      List.of("auth", "identitytoken", "password", "username", "registrytoken");

  /** One login to move: which file it came from and what to store. */
  record Login(String origin, Credentials credentials) {}

  final List<String> plan = new ArrayList<>();
  final List<Login> logins = new ArrayList<>();
  boolean dockerChanged;
  boolean containersChanged;
  ObjectNode containers;

  private Migration() {}

  /**
   * @param docker the docker config, changed in place
   * @param containers the containers auth file, or null when it does not exist (created if needed)
   * @param registries hosts given with {@code --registry}; empty means {@code credsStore}
   * @param withContainers false to leave the containers auth file alone ({@code --no-containers})
   */
  static Migration plan(
      ObjectNode docker, ObjectNode containers, List<String> registries, boolean withContainers) {
    Migration m = new Migration();
    m.containers = containers;
    m.planDocker(docker, registries);
    if (withContainers) {
      m.planContainers(registries);
    }
    return m;
  }

  private void planDocker(ObjectNode docker, List<String> registries) {
    if (registries.isEmpty()) {
      String current = docker.path("credsStore").asText("");
      if (!current.equals(HELPER)) {
        docker.put("credsStore", HELPER);
        dockerChanged = true;
        plan.add(
            "docker: set credsStore to \""
                + HELPER
                + "\""
                + (current.isEmpty()
                    ? ""
                    : " (was \"" + current + "\"; logins kept there are not moved)"));
      }
    } else {
      for (String registry : registries) {
        String key = dockerKey(registry);
        if (!HELPER.equals(docker.path("credHelpers").path(key).asText(null))) {
          object(docker, "credHelpers").put(key, HELPER);
          dockerChanged = true;
          plan.add("docker: set credHelpers[\"" + key + "\"] to \"" + HELPER + "\"");
        }
      }
    }
    JsonNode auths = docker.path("auths");
    if (!auths.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : auths.properties()) {
      if (!hasSecret(e.getValue())) {
        continue;
      }
      String helper = helperFor(docker, e.getKey());
      if (!HELPER.equals(helper)) {
        plan.add(
            "docker: left "
                + e.getKey()
                + " in the file: it is not served by the java helper"
                + " (add --registry "
                + ServerUrls.canonical(e.getKey())
                + ")");
        continue;
      }
      if (move("docker", e.getKey(), (ObjectNode) e.getValue())) {
        dockerChanged = true;
      }
    }
  }

  private void planContainers(List<String> registries) {
    Set<String> hosts = new LinkedHashSet<>();
    for (String registry : registries) {
      hosts.add(containersKey(registry));
    }
    for (Login login : logins) {
      hosts.add(containersKey(login.credentials().serverUrl()));
    }
    if (containers != null && containers.path("auths").isObject()) {
      for (Map.Entry<String, JsonNode> e : containers.path("auths").properties()) {
        String other = containers.path("credHelpers").path(e.getKey()).asText(HELPER);
        if (!hasSecret(e.getValue()) || !other.equals(HELPER)) {
          continue;
        }
        if (move("containers", e.getKey(), (ObjectNode) e.getValue())) {
          hosts.add(e.getKey());
          containersChanged = true;
        }
      }
    }
    for (String host : hosts) {
      if (containers == null) {
        containers = JsonNodeFactory.instance.objectNode();
        containersChanged = true;
      }
      JsonNode current = containers.path("credHelpers").path(host);
      if (current.isMissingNode()) {
        object(containers, "credHelpers").put(host, HELPER);
        containersChanged = true;
        plan.add("containers: set credHelpers[\"" + host + "\"] to \"" + HELPER + "\"");
      } else if (!HELPER.equals(current.asText())) {
        plan.add("containers: kept credHelpers[\"" + host + "\"] = \"" + current.asText() + "\"");
      }
    }
  }

  /** Decodes the entry, queues the login, and strips its secret fields (docker's {} marker). */
  private boolean move(String origin, String key, ObjectNode entry) {
    Credentials credentials = decode(key, entry);
    if (credentials == null) {
      plan.add(origin + ": left " + key + " in the file: its auth field cannot be decoded");
      return false;
    }
    logins.add(new Login(origin, credentials));
    SECRET_FIELDS.forEach(entry::remove);
    plan.add(
        origin
            + ": move the login for "
            + key
            + " (user "
            + credentials.username()
            + ") into the credential store");
    return true;
  }

  static Credentials decode(String key, JsonNode entry) {
    String token = entry.path("identitytoken").asText("");
    if (!token.isEmpty()) {
      // docker/cli native_store.go: identity tokens are stored under the username <token>.
      return new Credentials(key, "<token>", token);
    }
    String auth = entry.path("auth").asText("");
    if (!auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      if (colon <= 0) {
        return null;
      }
      return new Credentials(key, decoded.substring(0, colon), decoded.substring(colon + 1));
    }
    String username = entry.path("username").asText("");
    String password = entry.path("password").asText("");
    return username.isEmpty() || password.isEmpty()
        ? null
        : new Credentials(key, username, password);
  }

  private static boolean hasSecret(JsonNode entry) {
    return entry.isObject()
        && (!entry.path("auth").asText("").isEmpty()
            || !entry.path("identitytoken").asText("").isEmpty()
            || !entry.path("password").asText("").isEmpty());
  }

  /** docker/cli GetCredentialsStore: credHelpers for the key wins, else credsStore. */
  private static String helperFor(ObjectNode docker, String key) {
    JsonNode helpers = docker.path("credHelpers");
    String canonical = ServerUrls.canonical(key);
    for (Map.Entry<String, JsonNode> e : helpers.properties()) {
      if (ServerUrls.canonical(e.getKey()).equals(canonical)) {
        return e.getValue().asText();
      }
    }
    return docker.path("credsStore").asText("");
  }

  /** The key docker asks for: the Hub is always https://index.docker.io/v1/ (§2.1). */
  static String dockerKey(String registry) {
    String canonical = ServerUrls.canonical(registry);
    return canonical.equals("docker.io") ? HUB_DOCKER_KEY : canonical;
  }

  /** The key containers/image asks for: host[:port], the Hub as docker.io (§2.2). */
  static String containersKey(String registry) {
    String canonical = ServerUrls.canonical(registry);
    int slash = canonical.indexOf('/');
    return slash < 0 ? canonical : canonical.substring(0, slash);
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    JsonNode node = parent.get(field);
    if (node instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }
}
