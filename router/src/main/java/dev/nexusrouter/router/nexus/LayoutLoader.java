package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.Fields;
import dev.nexusrouter.router.config.Problems;
import dev.nexusrouter.router.config.Sizes;
import dev.nexusrouter.router.config.Yaml;
import dev.nexusrouter.router.nexus.Layout.BlobStore;
import dev.nexusrouter.router.nexus.Layout.Docker;
import dev.nexusrouter.router.nexus.Layout.IndexType;
import dev.nexusrouter.router.nexus.Layout.Proxy;
import dev.nexusrouter.router.nexus.Layout.Repository;
import dev.nexusrouter.router.nexus.Layout.Security;
import dev.nexusrouter.router.nexus.Layout.Type;
import dev.nexusrouter.router.nexus.Layout.WritePolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Turns a layout YAML file into a {@link Layout}, or a {@link ConfigException} listing every
 * problem with its YAML path. Unknown keys are errors, as in the router config.
 */
final class LayoutLoader {
  static final String BUILT_IN = "/dev/nexusrouter/router/nexus/default-layout.yaml";

  /** Nexus's name pattern (NamePatternConstants); docker repositories must also be lower-case. */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-][a-zA-Z0-9_.-]*");

  /** Nexus's own HTTP port in the official image; a connector there can never start. */
  static final int NEXUS_HTTP_PORT = 8081;

  static final int DEFAULT_AGE_MINUTES = 1440;

  private static final Set<String> PROXY_KEYS =
      Set.of(
          "remote-url",
          "index",
          "index-url",
          "max-component-age",
          "max-metadata-age",
          "negative-cache",
          "negative-cache-ttl",
          "auto-block",
          "blocked");

  private LayoutLoader() {}

  /**
   * Minutes, the unit Nexus stores cache ages in: a whole number of minutes, {@code -1} (never
   * expires), or a duration like {@code 24h}, {@code 1d}, {@code 90m}.
   */
  static int minutes(Fields f, String key, int def) {
    JsonNode v = f.raw(key);
    if (v == null) {
      return def;
    }
    if (v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= -1) {
      return v.asInt();
    }
    Integer m = v.isTextual() ? parseMinutes(v.asText()) : null;
    if (m == null) {
      f.problems()
          .add(
              f.pathOf(key),
              "expected minutes (a whole number, -1 for never) or a duration like 24h, 1d, 90m,"
                  + " found "
                  + Fields.describe(v));
      return def;
    }
    return m;
  }

  /** {@code 90m}, {@code 24h}, {@code 1d}: the config's duration parser, whole minutes only. */
  static Integer parseMinutes(String text) {
    String s = text.trim();
    if (!s.matches("[0-9]+[mhd]")) {
      return null; // a unit is required: a bare number in the config means seconds
    }
    Duration d;
    try {
      d = Sizes.parseDuration(s);
    } catch (ArithmeticException e) {
      return null;
    }
    if (d == null || d.toMinutes() > Integer.MAX_VALUE) {
      return null;
    }
    return (int) d.toMinutes();
  }

  static Layout builtIn() {
    Problems problems = new Problems();
    return build(Yaml.readResource(BUILT_IN, problems), "built-in layout", problems);
  }

  static Layout load(Path file) {
    Problems problems = new Problems();
    return build(Yaml.readFile(file, problems), file.toString(), problems);
  }

  /** Parses YAML text; used by tests. */
  static Layout parse(String yaml, String source) {
    Problems problems = new Problems();
    return build(Yaml.readString(yaml, problems), source, problems);
  }

  private static Layout build(JsonNode tree, String source, Problems problems) {
    problems.throwIfAny(source);
    Fields root = Fields.of(tree, "", problems);
    if (root == null) {
      problems.throwIfAny(source);
    }
    Security security = readSecurity(root);
    List<BlobStore> stores = readBlobStores(root);
    List<Repository> repos = readRepositories(root, stores, security);
    root.finish();
    problems.throwIfAny(source);
    return new Layout(stores, repos, security);
  }

  private static Security readSecurity(Fields root) {
    Fields f = Fields.of(root.raw("security"), "security", root.problems());
    if (f == null) {
      return new Security(true, false, List.of(), List.of());
    }
    Security s =
        new Security(
            f.bool("docker-token-realm", true),
            f.bool("anonymous-pull", false),
            readById(f, "roles", LayoutLoader::readRole),
            readById(f, "users", LayoutLoader::readUser));
    f.finish();
    return s;
  }

  /** Loose on purpose (Nexus checks it too): something@something. */
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  private static List<Fields> items(Fields parent, String key) {
    List<Fields> out = new ArrayList<>();
    JsonNode node = parent.raw(key);
    if (node == null) {
      return out;
    }
    if (!node.isArray()) {
      parent.problems().add(parent.pathOf(key), "expected a list, found " + Fields.describe(node));
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      Fields f = Fields.of(node.get(i), parent.pathOf(key) + "[" + i + "]", parent.problems());
      if (f != null) {
        out.add(f);
      }
    }
    return out;
  }

  private static String id(Fields f, Map<String, String> seen) {
    String id = f.string("id", null);
    if (id == null) {
      f.problems().add(f.pathOf("id"), "required");
      return null;
    }
    if (!NAME.matcher(id).matches()) {
      f.problems()
          .add(
              f.pathOf("id"),
              "'" + id + "' is not a valid Nexus id (letters, digits, '-', '_', '.')");
      return null;
    }
    String previous = seen.putIfAbsent(id, f.path());
    if (previous != null) {
      f.problems().add(f.pathOf("id"), "'" + id + "' is already defined at " + previous);
    }
    return id;
  }

  /**
   * The items of list {@code key}, each read by {@code read} given its {@code id} (checked, unique
   * in the list); an item without a valid id is reported and left out.
   */
  private static <T> List<T> readById(
      Fields security, String key, BiFunction<Fields, String, T> read) {
    List<T> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Fields f : items(security, key)) {
      String id = id(f, seen);
      T item = read.apply(f, id);
      f.finish();
      if (id != null) {
        out.add(item);
      }
    }
    return out;
  }

  private static Layout.Role readRole(Fields f, String id) {
    String name = f.string("name", id);
    String description = f.string("description", "");
    List<String> privileges = f.strings("privileges");
    List<String> roles = f.strings("roles");
    return new Layout.Role(id, name, description, privileges, roles);
  }

  private static Layout.User readUser(Fields f, String id) {
    String first = f.string("first-name", id);
    String last = f.string("last-name", "user");
    String email = f.string("email", null);
    if (email == null) {
      f.problems().add(f.pathOf("email"), "required (Nexus needs an email address per user)");
    } else if (!EMAIL.matcher(email).matches()) {
      f.problems().add(f.pathOf("email"), "'" + email + "' is not an email address");
    }
    List<String> roles = f.strings("roles");
    if (roles.isEmpty()) {
      f.problems().add(f.pathOf("roles"), "a user needs at least one role");
    }
    String passwordFile = f.string("password-file", null);
    if (passwordFile == null) {
      f.problems()
          .add(
              f.pathOf("password-file"),
              "required: the file holding the password the user is created with");
    }
    return new Layout.User(id, first, last, email, roles, passwordFile);
  }

  private static List<BlobStore> readBlobStores(Fields root) {
    Problems problems = root.problems();
    List<BlobStore> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Fields f : items(root, "blob-stores")) {
      String name = name(f);
      String path = f.string("path", name);
      if (path != null && path.isBlank()) {
        problems.add(f.pathOf("path"), "must not be empty");
      }
      f.finish();
      if (name == null) {
        continue;
      }
      // Nexus compares blob store names ignoring case (BlobStoreManager.exists)
      String previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), f.path());
      if (previous != null) {
        problems.add(f.pathOf("name"), "'" + name + "' is already defined at " + previous);
      }
      out.add(new BlobStore(name, path));
    }
    return out;
  }

  private static String name(Fields f) {
    String name = f.string("name", null);
    if (name == null) {
      f.problems().add(f.pathOf("name"), "required");
    } else if (!NAME.matcher(name).matches()) {
      f.problems()
          .add(
              f.pathOf("name"),
              "'" + name + "' is not a valid Nexus name (letters, digits, '-', '_', '.')");
      return null;
    }
    return name;
  }

  private static List<Repository> readRepositories(
      Fields root, List<BlobStore> stores, Security security) {
    Problems problems = root.problems();
    List<Repository> out = new ArrayList<>();
    Set<String> storeNames = new HashSet<>();
    stores.forEach(s -> storeNames.add(s.name()));
    Map<String, String> names = new HashMap<>();
    Map<Integer, String> ports = new HashMap<>();
    Map<String, String> paths = new LinkedHashMap<>();
    for (Fields f : items(root, "repositories")) {
      Repository r = readRepository(f, storeNames, security);
      f.finish();
      if (r == null) {
        continue;
      }
      String previous = names.putIfAbsent(r.name().toLowerCase(Locale.ROOT), f.path());
      if (previous != null) {
        problems.add(f.pathOf("name"), "'" + r.name() + "' is already defined at " + previous);
      }
      checkPort(r.docker().httpPort(), f.pathOf("http-port"), r, ports, problems);
      checkPort(r.docker().httpsPort(), f.pathOf("https-port"), r, ports, problems);
      paths.put(r.name(), f.path());
      out.add(r);
    }
    checkMembers(out, paths, problems);
    return out;
  }

  private static void checkPort(
      Integer port, String path, Repository r, Map<Integer, String> ports, Problems problems) {
    if (port == null) {
      return;
    }
    if (port == NEXUS_HTTP_PORT) {
      problems.add(path, "8081 is Nexus's own HTTP port; choose another connector port");
      return;
    }
    String previous = ports.putIfAbsent(port, r.describe());
    if (previous != null) {
      problems.add(path, "port " + port + " is already used by " + previous);
    }
  }

  private static Repository readRepository(Fields f, Set<String> storeNames, Security security) {
    Problems problems = f.problems();
    String name = name(f);
    if (name != null && !name.equals(name.toLowerCase(Locale.ROOT))) {
      problems.add(f.pathOf("name"), "docker repository names must be lower-case");
    }
    String typeText = f.string("type", null);
    Type type = null;
    if (typeText == null) {
      problems.add(f.pathOf("type"), "required: proxy, hosted or group");
    } else {
      type =
          switch (typeText) {
            case "proxy" -> Type.PROXY;
            case "hosted" -> Type.HOSTED;
            case "group" -> Type.GROUP;
            default -> {
              problems.add(
                  f.pathOf("type"), "must be proxy, hosted or group, found '" + typeText + "'");
              yield null;
            }
          };
    }
    String blobStore = f.string("blob-store", null);
    if (blobStore == null) {
      problems.add(f.pathOf("blob-store"), "required: the name of a blob store of this layout");
    } else if (!storeNames.contains(blobStore)) {
      problems.add(
          f.pathOf("blob-store"),
          "undefined blob store '"
              + blobStore
              + "' (defined: "
              + String.join(", ", storeNames.stream().sorted().toList())
              + ")");
    }
    boolean online = f.bool("online", true);
    boolean strict = f.bool("strict-content-validation", true);
    Docker docker = readDocker(f, security);
    checkTypeKeys(f, type);
    Proxy proxy = type == Type.PROXY ? readProxy(f) : null;
    WritePolicy policy = type == Type.HOSTED ? readWritePolicy(f) : null;
    List<String> members = List.of();
    if (type == Type.GROUP) {
      List<String> m = f.strings("members");
      if (m == null || m.isEmpty()) {
        problems.add(f.pathOf("members"), "a group needs at least one member");
      } else {
        members = m;
      }
    }
    if (name == null || type == null) {
      return null;
    }
    return new Repository(name, type, online, blobStore, strict, docker, proxy, policy, members);
  }

  private static Docker readDocker(Fields f, Security security) {
    Integer http = f.integerOrNull("http-port", 1, 65535);
    Integer https = f.integerOrNull("https-port", 1, 65535);
    if (http != null && http.equals(https)) {
      f.problems().add(f.pathOf("https-port"), "must differ from http-port");
    }
    return new Docker(
        http,
        https,
        f.bool("v1-enabled", true),
        f.bool("force-basic-auth", !security.anonymousPull()),
        f.bool("path-enabled", false));
  }

  private static void checkTypeKeys(Fields f, Type type) {
    if (type == null) {
      return;
    }
    Set<String> present = f.present();
    for (String k : PROXY_KEYS) {
      if (type != Type.PROXY && present.contains(k)) {
        f.raw(k);
        f.problems().add(f.pathOf(k), "only for type: proxy");
      }
    }
    if (type != Type.HOSTED && present.contains("write-policy")) {
      f.raw("write-policy");
      f.problems().add(f.pathOf("write-policy"), "only for type: hosted");
    }
    if (type != Type.GROUP && present.contains("members")) {
      f.raw("members");
      f.problems().add(f.pathOf("members"), "only for type: group");
    }
  }

  private static Proxy readProxy(Fields f) {
    Problems problems = f.problems();
    String remote = f.string("remote-url", null);
    if (remote == null) {
      problems.add(
          f.pathOf("remote-url"), "required for a proxy (e.g. https://registry-1.docker.io)");
    } else if (!isHttpUrl(remote)) {
      problems.add(f.pathOf("remote-url"), "expected an http(s) URL, found '" + remote + "'");
    }
    String indexText = f.string("index", "registry");
    IndexType index =
        switch (indexText) {
          case "hub" -> IndexType.HUB;
          case "registry" -> IndexType.REGISTRY;
          case "custom" -> IndexType.CUSTOM;
          default -> {
            problems.add(
                f.pathOf("index"), "must be hub, registry or custom, found '" + indexText + "'");
            yield IndexType.REGISTRY;
          }
        };
    String indexUrl = f.string("index-url", null);
    if (index == IndexType.CUSTOM && indexUrl == null) {
      problems.add(f.pathOf("index-url"), "required when index: custom");
    } else if (index != IndexType.CUSTOM && indexUrl != null) {
      problems.add(f.pathOf("index-url"), "only used with index: custom");
      indexUrl = null;
    } else if (indexUrl != null && !isHttpUrl(indexUrl)) {
      problems.add(f.pathOf("index-url"), "expected an http(s) URL, found '" + indexUrl + "'");
    }
    return new Proxy(
        remote,
        index,
        indexUrl,
        minutes(f, "max-component-age", DEFAULT_AGE_MINUTES),
        minutes(f, "max-metadata-age", DEFAULT_AGE_MINUTES),
        f.bool("negative-cache", true),
        minutes(f, "negative-cache-ttl", DEFAULT_AGE_MINUTES),
        f.bool("auto-block", true),
        f.bool("blocked", false));
  }

  private static WritePolicy readWritePolicy(Fields f) {
    String text = f.string("write-policy", "allow-once");
    for (WritePolicy p : WritePolicy.values()) {
      if (p.yamlName().equals(text)) {
        return p;
      }
    }
    f.problems()
        .add(f.pathOf("write-policy"), "must be allow, allow-once or deny, found '" + text + "'");
    return WritePolicy.ALLOW_ONCE;
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI u = new URI(s);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** Members must be repositories of this layout, so they can be created before their group. */
  private static void checkMembers(
      List<Repository> repos, Map<String, String> paths, Problems problems) {
    Map<String, Repository> byName = new HashMap<>();
    repos.forEach(r -> byName.put(r.name(), r));
    for (Repository r : repos) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < r.members().size(); i++) {
        String m = r.members().get(i);
        String p = paths.get(r.name()) + ".members[" + i + "]";
        if (m.equals(r.name())) {
          problems.add(p, "a group cannot contain itself");
        } else if (!byName.containsKey(m)) {
          problems.add(p, "'" + m + "' is not a repository of this layout");
        } else if (!seen.add(m)) {
          problems.add(p, "'" + m + "' is listed twice");
        }
      }
    }
    try {
      creationOrder(repos);
    } catch (IllegalArgumentException e) {
      problems.add("repositories", e.getMessage());
    }
  }

  /**
   * Layout order, except that every group comes after its members: Nexus rejects a group whose
   * members do not exist yet (400 "Member repository does not exist").
   */
  static List<Repository> creationOrder(List<Repository> repos) {
    Map<String, Repository> byName = new LinkedHashMap<>();
    repos.forEach(r -> byName.put(r.name(), r));
    List<Repository> out = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    while (out.size() < repos.size()) {
      boolean progress = false;
      for (Repository r : repos) {
        if (!placed.contains(r.name())
            && r.members().stream().allMatch(m -> placed.contains(m) || !byName.containsKey(m))) {
          out.add(r);
          placed.add(r.name());
          progress = true;
          break;
        }
      }
      if (!progress) {
        List<String> stuck =
            repos.stream().map(Repository::name).filter(n -> !placed.contains(n)).toList();
        throw new IllegalArgumentException(
            "groups contain each other in a cycle: " + String.join(", ", stuck));
      }
    }
    return out;
  }

  /** Advice that does not make a layout invalid. */
  static List<String> warnings(Layout layout) {
    List<String> out = new ArrayList<>();
    for (Repository g : layout.ofType(Type.GROUP)) {
      boolean proxySeen = false;
      for (String m : g.members()) {
        Type t = layout.repository(m).map(Repository::type).orElse(null);
        if (t == Type.PROXY) {
          proxySeen = true;
        } else if (t == Type.HOSTED && proxySeen) {
          out.add(
              "group '"
                  + g.name()
                  + "' lists hosted '"
                  + m
                  + "' after a proxy: Nexus answers from the first member that has an image, so a"
                  + " same-named public image would shadow yours; list hosted members first");
          break;
        }
      }
    }
    return out;
  }
}
