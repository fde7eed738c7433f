package dev.nexusrouter.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * docs/cli.md carries the {@code --help} output of every command, generated below its marker line;
 * this test keeps it equal to what the commands print. When it fails it writes the up-to-date file
 * to target/cli.md: review and copy it over docs/cli.md.
 */
class CliDocsTest {
  static final Path DOC = Path.of("..", "docs", "cli.md");
  static final String MARKER =
      "<!-- Generated from `--help` by CliDocsTest; edit the commands, not the text below. -->\n";

  @TempDir Path tmp;

  /** Every command of the tree, depth first in registration order. */
  static List<CommandLine> commands(CommandLine cl) {
    List<CommandLine> all = new ArrayList<>();
    all.add(cl);
    for (CommandLine sub : cl.getSubcommands().values()) {
      all.addAll(commands(sub));
    }
    return all;
  }

  /** The generated part: one section per command with what {@code --help} prints. */
  static String generated() {
    List<String> sections = new ArrayList<>();
    for (CommandLine c : commands(tree())) {
      String name = c.getCommandSpec().qualifiedName();
      sections.add("### `" + name + "`\n\n```text\n" + help(name) + "```\n");
    }
    return String.join("\n", sections);
  }

  private static CommandLine tree() {
    PrintStream discard =
        new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    return Main.commandLine(discard, discard, Map.of());
  }

  /** What {@code nexus-router ... --help} prints, run the way a user runs it. */
  static String help(String qualifiedName) {
    List<String> args =
        new ArrayList<>(
            List.of(qualifiedName.split(" ")).subList(1, qualifiedName.split(" ").length));
    args.add("--help");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        Main.run(
            args.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8),
            Map.of());
    assertEquals(0, code, qualifiedName + " --help");
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void docsCliMdHasTheHelpOfEveryCommand() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int at = doc.indexOf(MARKER);
    String head = at < 0 ? doc + "\n" + MARKER : doc.substring(0, at + MARKER.length());
    String expected = head + "\n" + generated();
    if (!expected.equals(doc)) {
      Path fresh = Path.of("target", "cli.md");
      Files.writeString(fresh, expected, StandardCharsets.UTF_8);
      assertEquals(
          expected,
          doc,
          "docs/cli.md differs from the commands' --help; the up-to-date file is "
              + fresh.toAbsolutePath());
    }
  }

  @Test
  void theCompletionScriptIsValidBashAndCompletesSubCommandsAndOptions() throws Exception {
    Path script = Files.writeString(tmp.resolve("nexus-router"), CompletionScript.script());
    assertEquals("", bash("bash -n " + script), "syntax");
    String words =
        bash(
            "source "
                + script
                + " 2>/dev/null; COMP_WORDS=(nexus-router nexus pro); COMP_CWORD=2;"
                + " _complete_nexus-router 2>/dev/null; echo \"${COMPREPLY[@]}\";"
                + " COMP_WORDS=(nexus-router nexus provision --new); COMP_CWORD=3;"
                + " _complete_nexus-router 2>/dev/null; echo \"${COMPREPLY[@]}\"");
    assertEquals("provision\n--new-password-file\n", words);
  }

  private static String bash(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), command);
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
