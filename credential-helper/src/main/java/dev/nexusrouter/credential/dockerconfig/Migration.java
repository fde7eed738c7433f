package dev.nexusrouter.credential.dockerconfig;

import dev.nexusrouter.credential.dockerconfig.JsonDoc.Leaf;
import dev.nexusrouter.credential.dockerconfig.JsonDoc.Member;
import dev.nexusrouter.credential.dockerconfig.JsonDoc.Obj;
import dev.nexusrouter.credential.protocol.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The pure part of {@code configure}: given the parsed docker config and containers auth file,
 * changes them in memory and lists the logins to move. Only fields this tool owns are touched;
 * everything else (proxies, other helpers, unknown keys, their exact text) is left as it was.
 */
final class Migration {
  static final String HELPER = "java";
  static final String HUB_DOCKER_KEY = "https://index.docker.io/v1/";

  /** Fields that hold or accompany a secret in an {@code auths} entry. */
  private static final List<String> SECRET_FIELDS =
      List.of("auth", "identitytoken", "password", "username", "registrytoken");

  /** The map fields docker decodes into Go maps, where a repeated key merges (see JsonDoc). */
  private static final List<String> MAP_FIELDS = List.of("auths", "credHelpers");

  /** One login to move: which file it came from and what to store. */
  record Login(String origin, Credentials credentials) {}

  /** What changes in the files, one line each; empty means nothing to do. */
  final List<String> changes = new ArrayList<>();

  /** What is left alone and why; printed, but not a change. */
  final List<String> notes = new ArrayList<>();

  final List<Login> logins = new ArrayList<>();
  Obj containers;

  private Migration() {}

  /**
   * @param docker the docker config, changed in place
   * @param containers the containers auth file, or null when it does not exist (created if needed)
   * @param registries hosts given with {@code --registry}; empty means {@code credsStore}
   * @param withContainers false to leave the containers auth file alone ({@code --no-containers})
   */
  static Migration plan(
      Obj docker, Obj containers, List<String> registries, boolean withContainers) {
    Migration m = new Migration();
    m.containers = containers;
    m.planDocker(docker, registries);
    if (withContainers) {
      m.planContainers(registries);
    }
    return m;
  }

  boolean dockerChanged(Obj docker) {
    return docker.changed();
  }

  boolean containersChanged() {
    return containers != null && containers.changed();
  }

  private void mergeDuplicates(String file, Obj root) {
    for (String field : MAP_FIELDS) {
      if (root.mergeDuplicates(field)) {
        changes.add(
            file + ": merge the repeated \"" + field + "\" blocks into one, as docker does");
      }
    }
  }

  private void planDocker(Obj docker, List<String> registries) {
    mergeDuplicates("docker", docker);
    if (registries.isEmpty()) {
      String current = docker.string("credsStore");
      if (!HELPER.equals(current)) {
        docker.put("credsStore", Leaf.string(HELPER));
        changes.add(
            "docker: set credsStore to \""
                + HELPER
                + "\""
                + (current == null || current.isEmpty()
                    ? ""
                    : " (was \"" + current + "\"; its logins stay where they are)"));
      }
    } else {
      for (String registry : registries) {
        String key = dockerKey(registry);
        Obj helpers = docker.object("credHelpers");
        if (helpers == null || !HELPER.equals(helpers.string(key))) {
          docker.objectForEdit("credHelpers").put(key, Leaf.string(HELPER));
          changes.add("docker: set credHelpers[\"" + key + "\"] to \"" + HELPER + "\"");
        }
      }
    }
    Obj auths = docker.object("auths");
    if (auths == null) {
      return;
    }
    for (Member e : List.copyOf(auths.members)) {
      if (!(e.value instanceof Obj entry) || !hasSecret(entry)) {
        continue;
      }
      String helper = helperFor(docker, e.key);
      if (!HELPER.equals(helper)) {
        notes.add(
            "docker: left "
                + e.key
                + " in the file: it is not served by the java helper (add --registry "
                + dockerKey(e.key)
                + ")");
        continue;
      }
      move("docker", e.key, entry);
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
    if (containers != null) {
      mergeDuplicates("containers", containers);
      Obj auths = containers.object("auths");
      Obj helpers = containers.object("credHelpers");
      for (Member e : auths == null ? List.<Member>of() : List.copyOf(auths.members)) {
        String other = helpers == null ? null : helpers.string(e.key);
        if (!(e.value instanceof Obj entry)
            || !hasSecret(entry)
            || (other != null && !other.equals(HELPER))) {
          continue;
        }
        if (move("containers", e.key, entry)) {
          hosts.add(e.key);
        }
      }
    }
    for (String host : hosts) {
      if (containers == null) {
        containers = Obj.empty();
      }
      Obj helpers = containers.object("credHelpers");
      String current = helpers == null ? null : helpers.string(host);
      if (current == null) {
        containers.objectForEdit("credHelpers").put(host, Leaf.string(HELPER));
        changes.add("containers: set credHelpers[\"" + host + "\"] to \"" + HELPER + "\"");
      } else if (!HELPER.equals(current)) {
        notes.add("containers: kept credHelpers[\"" + host + "\"] = \"" + current + "\"");
      }
    }
  }

  /** Decodes the entry, queues the login, and strips its secret fields (docker's {} marker). */
  private boolean move(String origin, String key, Obj entry) {
    Credentials credentials = decode(key, entry);
    if (credentials == null) {
      notes.add(origin + ": left " + key + " in the file: its auth field cannot be decoded");
      return false;
    }
    logins.add(new Login(origin, credentials));
    SECRET_FIELDS.forEach(entry::remove);
    return true;
  }

  static Credentials decode(String key, Obj entry) {
    String token = text(entry, "identitytoken");
    if (!token.isEmpty()) {
      // docker/cli native_store.go: identity tokens are stored under the username <token>.
      return new Credentials(key, "<token>", token);
    }
    String auth = text(entry, "auth");
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
    String username = text(entry, "username");
    String password = text(entry, "password");
    return username.isEmpty() || password.isEmpty()
        ? null
        : new Credentials(key, username, password);
  }

  private static String text(Obj entry, String field) {
    String value = entry.string(field);
    return value == null ? "" : value;
  }

  private static boolean hasSecret(Obj entry) {
    return !text(entry, "auth").isEmpty()
        || !text(entry, "identitytoken").isEmpty()
        || !text(entry, "password").isEmpty();
  }

  /** docker/cli GetCredentialsStore: credHelpers for the key wins, else credsStore. */
  private static String helperFor(Obj docker, String key) {
    Obj helpers = docker.object("credHelpers");
    String wanted = dockerKey(key);
    if (helpers != null) {
      for (Member e : helpers.members) {
        if (dockerKey(e.key).equals(wanted) && e.value instanceof Leaf l && l.text() != null) {
          return l.text();
        }
      }
    }
    String store = docker.string("credsStore");
    return store == null ? "" : store;
  }

  /**
   * The host docker keys a registry by: docker/cli {@code credentials.ConvertToHostname} (no
   * scheme, nothing from the first {@code /}), and the Hub as {@code https://index.docker.io/v1/}
   * ({@code getAuthConfigKey}). So {@code https://reg.test:5000/v2/} is {@code reg.test:5000}.
   */
  static String dockerKey(String registry) {
    String host = hostOf(registry);
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.equals("docker.io") || lower.equals("index.docker.io") ? HUB_DOCKER_KEY : host;
  }

  /** The key containers/image asks for: host[:port], the Hub as docker.io. */
  static String containersKey(String registry) {
    String host = hostOf(registry);
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.equals("index.docker.io") || lower.equals("registry-1.docker.io")
        ? "docker.io"
        : host;
  }

  private static String hostOf(String registry) {
    String s = registry.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      s = s.substring("https://".length());
    } else if (lower.startsWith("http://")) {
      s = s.substring("http://".length());
    }
    int slash = s.indexOf('/');
    return slash < 0 ? s : s.substring(0, slash);
  }
}
