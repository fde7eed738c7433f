package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.StoreException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every knob, from the environment first and the small config file second ({@code
 * $XDG_CONFIG_HOME/docker-credential-java/config.properties}, or {@code
 * DOCKER_CREDENTIAL_JAVA_CONFIG}). The README's configuration table lists the same keys.
 */
public record Settings(
    String backend,
    Path file,
    Path keyFile,
    Path passphraseFile,
    boolean passphraseFromEnv,
    Duration promptTimeout,
    Duration callTimeout,
    Path configFile,
    Path keyringMarker) {

  public static final Set<String> BACKENDS =
      Set.of("auto", "secretservice", "keychain", "wincred", "file");

  /** What the watchdog allows beyond the unlock prompt when no timeout is set. */
  static final Duration DEFAULT_CALL_MARGIN = Duration.ofSeconds(30);

  static final Set<String> CONFIG_KEYS =
      Set.of("backend", "file", "key-file", "passphrase-file", "prompt-timeout", "timeout");

  /** Reads the settings; {@code home} is the user's home directory. */
  public static Settings load(Map<String, String> env, String osName, Path home)
      throws StoreException {
    Path configFile =
        pathOr(
            env.get("DOCKER_CREDENTIAL_JAVA_CONFIG"),
            configHome(env, osName, home).resolve("docker-credential-java/config.properties"));
    Properties config = readConfig(configFile);
    List<String> problems = new ArrayList<>();
    Set<String> unknown = new TreeSet<>(config.stringPropertyNames());
    unknown.removeAll(CONFIG_KEYS);
    if (!unknown.isEmpty()) {
      problems.add("unknown keys " + unknown + " (known: " + new TreeSet<>(CONFIG_KEYS) + ")");
    }
    String backend =
        pick(env, "DOCKER_CREDENTIAL_JAVA_BACKEND", config, "backend", "auto")
            .toLowerCase(Locale.ROOT);
    if (!BACKENDS.contains(backend)) {
      problems.add("backend '" + backend + "' is not one of " + new TreeSet<>(BACKENDS));
    }
    Path defaultFile =
        dataHome(env, osName, home).resolve("docker-credential-java/credentials.enc");
    Path file = pathOr(pick(env, "DOCKER_CREDENTIAL_JAVA_FILE", config, "file", null), defaultFile);
    Path keyFile =
        pathOr(
            pick(env, "DOCKER_CREDENTIAL_JAVA_KEY_FILE", config, "key-file", null),
            file.resolveSibling("credentials.key"));
    Path passphraseFile =
        pathOr(
            pick(env, "DOCKER_CREDENTIAL_JAVA_PASSPHRASE_FILE", config, "passphrase-file", null),
            null);
    boolean passphraseFromEnv = env.get("DOCKER_CREDENTIAL_JAVA_PASSPHRASE") != null;
    Duration promptTimeout = Duration.ZERO;
    boolean display = env.get("DISPLAY") != null || env.get("WAYLAND_DISPLAY") != null;
    String timeout =
        pick(
            env,
            "DOCKER_CREDENTIAL_JAVA_PROMPT_TIMEOUT",
            config,
            "prompt-timeout",
            display ? "30" : "0");
    try {
      promptTimeout = seconds(timeout);
      if (promptTimeout.isNegative() || promptTimeout.getSeconds() > 600) {
        problems.add("prompt-timeout must be 0..600 seconds");
      }
    } catch (NumberFormatException e) {
      problems.add("prompt-timeout '" + timeout + "' is not a number of seconds");
    }
    // The watchdog's deadline for one protocol call; by default long enough for an unlock prompt.
    String call = pick(env, "DOCKER_CREDENTIAL_JAVA_TIMEOUT", config, "timeout", null);
    Duration callTimeout = promptTimeout.plus(DEFAULT_CALL_MARGIN);
    if (call != null) {
      try {
        callTimeout = seconds(call);
        if (callTimeout.getSeconds() < 1 || callTimeout.getSeconds() > 3600) {
          problems.add("timeout must be 1..3600 seconds");
        }
      } catch (NumberFormatException e) {
        problems.add("timeout '" + call + "' is not a number of seconds");
      }
    }
    if (!problems.isEmpty()) {
      throw new StoreException(
          "invalid docker-credential-java settings (environment or "
              + configFile
              + "): "
              + String.join("; ", problems));
    }
    return new Settings(
        backend,
        file,
        keyFile,
        passphraseFile,
        passphraseFromEnv,
        promptTimeout,
        callTimeout,
        configFile,
        dataHome(env, osName, home).resolve("docker-credential-java/keyring-in-use"));
  }

  /** "30" or "30s" (no regex: this runs on every pull). */
  private static Duration seconds(String value) {
    String v = value.trim();
    return Duration.ofSeconds(Long.parseLong(v.endsWith("s") ? v.substring(0, v.length() - 1) : v));
  }

  /** The passphrase bytes, or null to use the key file. Never logged. */
  public byte[] passphrase(Map<String, String> env) throws StoreException {
    String fromEnv = env.get("DOCKER_CREDENTIAL_JAVA_PASSPHRASE");
    if (fromEnv != null) {
      if (fromEnv.isEmpty()) {
        throw new StoreException("DOCKER_CREDENTIAL_JAVA_PASSPHRASE is set but empty");
      }
      return fromEnv.getBytes(StandardCharsets.UTF_8);
    }
    if (passphraseFile == null) {
      return null;
    }
    try {
      String text = Files.readString(passphraseFile, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        throw new StoreException("the passphrase file " + passphraseFile + " is empty");
      }
      return text.getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException(
          "cannot read the passphrase file " + passphraseFile + ": " + FileStore.describe(e));
    }
  }

  private static String pick(
      Map<String, String> env, String envName, Properties config, String key, String fallback) {
    String value = env.get(envName);
    if (value != null && !value.isBlank()) {
      return value.trim();
    }
    value = config.getProperty(key);
    if (value != null && !value.isBlank()) {
      return value.trim();
    }
    return fallback;
  }

  private static Properties readConfig(Path configFile) throws StoreException {
    Properties props = new Properties();
    if (!Files.exists(configFile)) {
      return props; // the usual case; a stat is cheaper than a NoSuchFileException on every pull
    }
    try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (NoSuchFileException e) {
      return props;
    } catch (IOException | IllegalArgumentException e) {
      throw new StoreException("cannot read the config file " + configFile + ": " + e.getMessage());
    }
    return props;
  }

  private static Path pathOr(String value, Path fallback) {
    return value == null || value.isBlank() ? fallback : Path.of(value);
  }

  public static boolean isWindows(String osName) {
    return osName.toLowerCase(Locale.ROOT).startsWith("windows");
  }

  public static boolean isMac(String osName) {
    String os = osName.toLowerCase(Locale.ROOT);
    return os.startsWith("mac") || os.startsWith("darwin");
  }

  private static Path configHome(Map<String, String> env, String osName, Path home) {
    if (isWindows(osName) && env.get("APPDATA") != null) {
      return Path.of(env.get("APPDATA"));
    }
    return pathOr(env.get("XDG_CONFIG_HOME"), home.resolve(".config"));
  }

  private static Path dataHome(Map<String, String> env, String osName, Path home) {
    if (isWindows(osName) && env.get("LOCALAPPDATA") != null) {
      return Path.of(env.get("LOCALAPPDATA"));
    }
    return pathOr(env.get("XDG_DATA_HOME"), home.resolve(".local/share"));
  }
}
