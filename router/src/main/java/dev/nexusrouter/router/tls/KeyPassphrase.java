package dev.nexusrouter.router.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the passphrase of an encrypted private key comes from: a file or an environment variable,
 * never a command-line argument (arguments are visible to every user through {@code ps}).
 *
 * <p>A file is read each time the key is loaded, so a certificate reload picks up a rotated
 * passphrase together with the rotated key.
 */
public final class KeyPassphrase {
  /** For keys that are not encrypted. */
  public static final KeyPassphrase NONE = new KeyPassphrase("none", () -> null);

  private final String source;
  private final Supplier<char[]> supplier;

  private KeyPassphrase(String source, Supplier<char[]> supplier) {
    this.source = source;
    this.supplier = supplier;
  }

  /**
   * A key's passphrase as the config ({@code passphrase-file}, {@code passphrase-env}) and {@code
   * certs check} name it: the file when given, else the environment variable, else none.
   */
  public static KeyPassphrase of(Path file, String envName, Map<String, String> env) {
    if (file != null) {
      return fromFile(file);
    }
    return envName != null ? fromEnv(env, envName) : NONE;
  }

  /** The first line of {@code file}, without its line break. */
  public static KeyPassphrase fromFile(Path file) {
    return new KeyPassphrase("file " + file, () -> readFirstLine(file));
  }

  /** The value of environment variable {@code name}, looked up now. */
  public static KeyPassphrase fromEnv(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isEmpty()) {
      throw new TlsException("passphrase environment variable " + name + " is not set or empty");
    }
    char[] chars = value.toCharArray();
    return new KeyPassphrase("environment variable " + name, chars::clone);
  }

  /** A fresh copy of the passphrase, or empty for {@link #NONE}. */
  Optional<char[]> chars() {
    return Optional.ofNullable(supplier.get());
  }

  /** Where it comes from, for messages; never the passphrase itself. */
  String source() {
    return source;
  }

  @Override
  public String toString() {
    return "KeyPassphrase[" + source + ", <redacted>]";
  }

  private static char[] readFirstLine(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TlsException("cannot read passphrase file " + file + ": " + PemFiles.reason(e));
    }
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      throw new TlsException("passphrase file " + file + " is empty");
    }
    return line.toCharArray();
  }
}
