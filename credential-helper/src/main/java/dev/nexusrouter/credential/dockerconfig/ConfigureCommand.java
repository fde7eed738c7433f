package dev.nexusrouter.credential.dockerconfig;

import dev.nexusrouter.common.AtomicFiles;
import dev.nexusrouter.credential.dockerconfig.JsonDoc.Obj;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.Protocol;
import dev.nexusrouter.credential.protocol.ServerUrls;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code docker-credential-java configure [--dry-run] [--prefer-config] [--registry HOST]...
 * [--docker-config FILE] [--containers-auth FILE | --no-containers]}: points docker and
 * containers/image at this helper and moves plaintext logins into the store. A login the store
 * already holds for a server wins over a plaintext copy (docker leaves stale ones behind) unless
 * {@code --prefer-config}. Every login is read back before its secret leaves a file, files are
 * replaced atomically through symbolic links, unchanged content keeps its exact text, and a second
 * run finds nothing to do (credential-helper/README.md, "Switch docker and podman over").
 */
public final class ConfigureCommand {
  static final String USAGE =
      "usage: docker-credential-java configure [--dry-run] [--prefer-config] [--registry HOST]..."
          + " [--docker-config FILE] [--containers-auth FILE | --no-containers]";

  private final Map<String, String> env;
  private final Path home;
  private final Protocol.StoreOpener opener;

  public ConfigureCommand(Map<String, String> env, Path home, Protocol.StoreOpener opener) {
    this.env = env;
    this.home = home;
    this.opener = opener;
  }

  public int run(List<String> args, PrintStream out, PrintStream err) {
    try {
      return configure(args, out);
    } catch (ConfigureException | StoreException e) {
      out.flush();
      err.println("docker-credential-java configure: " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      out.flush();
    }
  }

  private int configure(List<String> args, PrintStream out)
      throws ConfigureException, StoreException {
    boolean dryRun = false;
    boolean preferConfig = false;
    boolean containersEnabled = true;
    List<String> registries = new ArrayList<>();
    Path dockerConfig = null;
    Path containersAuth = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--dry-run" -> dryRun = true;
        case "--prefer-config" -> preferConfig = true;
        case "--no-containers" -> containersEnabled = false;
        case "--registry" -> registries.add(registry(value(args, ++i)));
        case "--docker-config" -> dockerConfig = Path.of(value(args, ++i));
        case "--containers-auth" -> containersAuth = Path.of(value(args, ++i));
        default -> throw new ConfigureException("unknown option " + arg + "\n" + USAGE);
      }
    }
    Path dockerPath = dockerConfig != null ? dockerConfig : defaultDockerConfig();
    Path containersPath =
        !containersEnabled
            ? null
            : containersAuth != null ? containersAuth : defaultContainersAuth();

    Obj docker = read(dockerPath).orElseGet(Obj::empty);
    Obj containers = containersPath == null ? null : read(containersPath).orElse(null);
    Migration migration = Migration.plan(docker, containers, registries, containersPath != null);

    out.println("docker config: " + dockerPath);
    out.println("containers auth file: " + (containersPath == null ? "(skipped)" : containersPath));
    migration.notes.forEach(line -> out.println("  " + line));
    CredentialStore store = migration.logins.isEmpty() ? null : opener.open();
    List<Credentials> toStore = new ArrayList<>();
    List<String> changes = new ArrayList<>(migration.changes);
    for (Migration.Login login : migration.logins) {
      changes.add(decide(store, login, preferConfig, toStore));
    }
    if (changes.isEmpty()) {
      out.println("nothing to do: already configured and no plaintext logins left");
      return 0;
    }
    String prefix = dryRun ? "would " : "";
    changes.forEach(line -> out.println("  " + prefix + line));
    if (dryRun) {
      out.println("dry run: nothing was changed");
      return 0;
    }
    for (Credentials credentials : toStore) {
      moveAndVerify(store, credentials);
    }
    if (!toStore.isEmpty()) {
      out.println(toStore.size() + " login(s) stored in " + store.name() + " and verified");
    }
    if (migration.dockerChanged(docker)) {
      write(dockerPath, JsonDoc.write(docker));
    }
    if (migration.containersChanged() && containersPath != null) {
      write(containersPath, JsonDoc.write(migration.containers));
    }
    claim(store);
    out.println("done");
    return 0;
  }

  /**
   * Docker now sends every login to this helper: if that means the keyring, record it, so that a
   * later call without the session bus fails loudly rather than splitting logins into the file.
   * Best effort: the files are already written, and a store that cannot open says so on use.
   */
  private void claim(CredentialStore opened) {
    try {
      (opened != null ? opened : opener.open()).claim();
    } catch (StoreException | RuntimeException e) {
      // Nothing recorded; auto mode keeps its fallback until the first keyring store.
    }
  }

  /**
   * What to do with one plaintext login: move it, or drop the file's copy because the store already
   * has a login for that server. Differences are told by user name only.
   */
  private static String decide(
      CredentialStore store, Migration.Login login, boolean preferConfig, List<Credentials> toStore)
      throws StoreException {
    Credentials file = login.credentials();
    String where = login.origin() + ": ";
    Optional<Credentials> existing = existing(store, file.serverUrl());
    if (existing.isEmpty()) {
      toStore.add(file);
      return where
          + "move the login for "
          + file.serverUrl()
          + " (user "
          + file.username()
          + ") into "
          + store.name();
    }
    Credentials kept = existing.get();
    boolean same = kept.username().equals(file.username()) && kept.secret().equals(file.secret());
    if (same) {
      return where
          + "remove the plaintext copy of the login for "
          + file.serverUrl()
          + " (user "
          + file.username()
          + "): "
          + store.name()
          + " already holds it";
    }
    String difference =
        kept.username().equals(file.username())
            ? "both user " + file.username() + ", different secrets"
            : store.name() + " has user " + kept.username() + ", the file user " + file.username();
    if (preferConfig) {
      toStore.add(file);
      return where
          + "replace the "
          + store.name()
          + " login for "
          + file.serverUrl()
          + " with the file's ("
          + difference
          + "; --prefer-config)";
    }
    return where
        + "keep the "
        + store.name()
        + " login for "
        + file.serverUrl()
        + " and drop the file's stale one ("
        + difference
        + "; --prefer-config keeps the file's instead)";
  }

  /** The store's login for {@code serverUrl}: exact key first, then an equivalent stored key. */
  private static Optional<Credentials> existing(CredentialStore store, String serverUrl)
      throws StoreException {
    Optional<Credentials> exact = store.get(serverUrl);
    if (exact.isPresent()) {
      return exact;
    }
    String canonical = ServerUrls.canonical(serverUrl);
    for (String key : store.list().keySet()) {
      if (ServerUrls.canonical(key).equals(canonical)) {
        Optional<Credentials> alias = store.get(key);
        if (alias.isPresent()) {
          return alias;
        }
      }
    }
    return Optional.empty();
  }

  private static void moveAndVerify(CredentialStore store, Credentials credentials)
      throws StoreException, ConfigureException {
    store.store(credentials);
    Optional<Credentials> back = store.get(credentials.serverUrl());
    if (back.isEmpty()
        || !back.get().username().equals(credentials.username())
        || !back.get().secret().equals(credentials.secret())) {
      throw new ConfigureException(
          "the login for "
              + credentials.serverUrl()
              + " did not read back from "
              + store.name()
              + "; no file was changed");
    }
  }

  /** A --registry value as docker keys it; an empty host is refused. */
  private static String registry(String value) throws ConfigureException {
    String key = Migration.dockerKey(value);
    if (key.isBlank()) {
      throw new ConfigureException("--registry '" + value + "' names no host\n" + USAGE);
    }
    return value;
  }

  /**
   * The file's top-level object; empty when the file does not exist or holds only white space.
   * Unreadable, not JSON and not an object are three different messages; none quotes the file.
   */
  private static Optional<Obj> read(Path path) throws ConfigureException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ConfigureException(
          "cannot read "
              + path
              + " ("
              + AtomicFiles.describe(e)
              + "); fix its permissions first, nothing was changed");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigureException(path + " is not UTF-8 text; fix it first, nothing was changed");
    }
    if (text.isBlank()) {
      return Optional.empty();
    }
    JsonDoc.Value value;
    try {
      value = JsonDoc.parse(text);
    } catch (JsonDoc.SyntaxError e) {
      throw new ConfigureException(
          path + " is not valid JSON (" + e.getMessage() + "); fix it first, nothing was changed");
    }
    if (!(value instanceof Obj object)) {
      throw new ConfigureException(
          path + " is valid JSON but not an object ({...}); fix or remove it first");
    }
    return Optional.of(object);
  }

  private static void write(Path path, String text) throws ConfigureException {
    try {
      AtomicFiles.writeThroughLinks(path, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigureException("cannot write " + path + ": " + AtomicFiles.describe(e));
    }
  }

  private Path defaultDockerConfig() {
    String dockerConfig = env.get("DOCKER_CONFIG");
    return dockerConfig != null && !dockerConfig.isBlank()
        ? Path.of(dockerConfig, "config.json")
        : home.resolve(".docker/config.json");
  }

  /**
   * containers-auth.json(5): {@code REGISTRY_AUTH_FILE}, else the first existing of {@code
   * $XDG_RUNTIME_DIR/containers/auth.json} and {@code $XDG_CONFIG_HOME/containers/auth.json}. A new
   * file goes to the persistent one: the runtime directory is a tmpfs emptied at logout/reboot, and
   * containers/image reads both.
   */
  private Path defaultContainersAuth() {
    String explicit = env.get("REGISTRY_AUTH_FILE");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String configHome = env.get("XDG_CONFIG_HOME");
    Path persistent =
        (configHome != null && !configHome.isBlank()
                ? Path.of(configHome)
                : home.resolve(".config"))
            .resolve("containers/auth.json");
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank()) {
      Path runtimeFile = Path.of(runtime, "containers/auth.json");
      if (Files.exists(runtimeFile)) {
        return runtimeFile;
      }
    }
    return persistent;
  }

  private static String value(List<String> args, int i) throws ConfigureException {
    if (i >= args.size()) {
      throw new ConfigureException("missing value for " + args.get(i - 1) + "\n" + USAGE);
    }
    return args.get(i);
  }

  /** A user-facing configure failure; the message never holds a secret. */
  static final class ConfigureException extends Exception {
    ConfigureException(String message) {
      super(message);
    }
  }
}
