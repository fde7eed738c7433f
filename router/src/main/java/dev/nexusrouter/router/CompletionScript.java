package dev.nexusrouter.router;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;

/**
 * Writes the bash (and zsh, via bashcompinit) completion script of the whole command tree; run by
 * the build ({@code exec-maven-plugin}, see router/pom.xml) into {@code
 * target/completion/nexus-router}. See docs/cli.md.
 */
public final class CompletionScript {
  private CompletionScript() {}

  /** The script text for the command tree as {@link Main} assembles it. */
  static String script() {
    PrintStream discard =
        new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    return AutoComplete.bash("nexus-router", Main.commandLine(discard, discard, Map.of()));
  }

  /** {@code CompletionScript FILE}. */
  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CompletionScript OUTPUT_FILE");
    }
    Path out = Path.of(args[0]);
    try {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, script(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
