package dev.nexusrouter.credential.dockerconfig;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexusrouter.common.AtomicFiles;
import dev.nexusrouter.common.Json;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.Protocol;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code docker-credential-java configure [--dry-run] [--registry HOST]... [--docker-config FILE]
 * [--containers-auth FILE | --no-containers]}: points docker and containers/image at this helper
 * and moves plaintext logins into the store. Every login is read back before its secret leaves a
 * file, files are replaced atomically, and a second run finds nothing to do.
 */
public final class ConfigureCommand {
  static final String USAGE =
      "usage: docker-credential-java configure [--dry-run] [--registry HOST]..."
          + " [--docker-config FILE] [--containers-auth FILE | --no-containers]";

  private final Map<String, String> env;
  private final Path home;
  private final Protocol.StoreOpener opener;
  private final ObjectMapper mapper = Json.lenientMapper();

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
    boolean containersEnabled = true;
    List<String> registries = new ArrayList<>();
    Path dockerConfig = null;
    Path containersAuth = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--dry-run" -> dryRun = true;
        case "--no-containers" -> containersEnabled = false;
        case "--registry" -> registries.add(value(args, ++i));
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

    ObjectNode docker = read(dockerPath).orElseGet(mapper::createObjectNode);
    ObjectNode containers = containersPath == null ? null : read(containersPath).orElse(null);
    Migration migration = Migration.plan(docker, containers, registries, containersPath != null);

    out.println("docker config: " + dockerPath);
    out.println("containers auth file: " + (containersPath == null ? "(skipped)" : containersPath));
    if (migration.plan.isEmpty()) {
      out.println("nothing to do: already configured and no plaintext logins left");
      return 0;
    }
    String prefix = dryRun ? "would " : "";
    migration.plan.forEach(line -> out.println("  " + prefix + line));
    if (dryRun) {
      out.println("dry run: nothing was changed");
      return 0;
    }
    if (!migration.logins.isEmpty()) {
      CredentialStore store = opener.open();
      for (Migration.Login login : migration.logins) {
        moveAndVerify(store, login.credentials());
      }
      out.println(
          migration.logins.size() + " login(s) stored in " + store.name() + " and verified");
    }
    if (migration.dockerChanged) {
      write(dockerPath, docker);
    }
    if (migration.containersChanged && containersPath != null) {
      write(containersPath, migration.containers);
    }
    out.println("done");
    return 0;
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

  private Optional<ObjectNode> read(Path path) throws ConfigureException {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    try {
      JsonNode node = mapper.readTree(Files.readAllBytes(path));
      if (node == null || node.isMissingNode()) {
        return Optional.empty();
      }
      if (!(node instanceof ObjectNode object)) {
        throw new ConfigureException(path + " is not a JSON object; fix or remove it first");
      }
      return Optional.of(object);
    } catch (IOException e) {
      // The parser message could quote a secret from the file: keep only the location.
      throw new ConfigureException(path + " is not valid JSON; fix it first, nothing was changed");
    }
  }

  private void write(Path path, ObjectNode root) throws ConfigureException {
    try {
      Path dir = path.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, AtomicFiles.ownerOnlyDirectory());
      }
      byte[] bytes = mapper.writer(new DockerLayout()).writeValueAsBytes(root);
      byte[] withNewline = new byte[bytes.length + 1];
      System.arraycopy(bytes, 0, withNewline, 0, bytes.length);
      withNewline[bytes.length] = '\n';
      AtomicFiles.write(path, withNewline);
    } catch (IOException e) {
      throw new ConfigureException("cannot write " + path + ": " + e.getClass().getSimpleName());
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

  /**
   * The layout docker writes itself ({@code json.MarshalIndent} with a tab): {@code "key": value}
   * and empty objects as {@code {}}, so docker's own markers look unchanged.
   */
  static final class DockerLayout extends DefaultPrettyPrinter {
    private static final long serialVersionUID = 1L;

    DockerLayout() {
      super(
          Separators.createDefaultInstance()
              .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
              .withObjectEmptySeparator("")
              .withArrayEmptySeparator(""));
      _objectIndenter = new DefaultIndenter("\t", "\n");
      _arrayIndenter = new DefaultIndenter("\t", "\n");
    }

    @Override
    public DockerLayout createInstance() {
      return new DockerLayout();
    }
  }

  /** A user-facing configure failure; the message never holds a secret. */
  static final class ConfigureException extends Exception {
    ConfigureException(String message) {
      super(message);
    }
  }
}
