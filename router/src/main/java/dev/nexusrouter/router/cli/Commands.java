package dev.nexusrouter.router.cli;

import dev.nexusrouter.common.BuildInfo;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What every {@code nexus-router} command shares on top of picocli: output streams, the usage-error
 * report (exit 2, pointing at that command's own {@code --help}), {@code --version}, and the
 * refusal of passwords typed on the command line. See docs/cli.md.
 */
public final class Commands {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  /** {@code --password}, {@code --new-password=…}: never accepted, never echoed. */
  private static final Pattern PASSWORD = Pattern.compile("--(.*-)?password(=.*)?");

  private Commands() {}

  /** {@code --version} of every command. */
  public static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"nexus-router " + BuildInfo.version()};
    }
  }

  /**
   * Sets streams and error handling on a command tree; returns it. Call on the root only: the
   * settings reach sub-commands added before the call.
   */
  public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
    cl.setOut(writer(out));
    cl.setErr(writer(err));
    // plain text: --help is the same on a terminal, in a pipe and in docs/cli.md
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    cl.setParameterExceptionHandler((e, args) -> usageError(e, err));
    return cl;
  }

  /**
   * A command that only groups sub-commands: alone it prints its usage (exit {@link #USAGE}); its
   * sub-commands reach its {@link #context()} (streams, environment, …) through
   * {@code @ParentCommand}.
   */
  public abstract static class Group<C> implements Callable<Integer> {
    @Spec CommandSpec spec;
    private final C context;

    protected Group(C context) {
      this.context = context;
    }

    public C context() {
      return context;
    }

    @Override
    public Integer call() {
      return missingSubcommand(spec);
    }
  }

  /**
   * Runs a command tree on its own rather than under {@code nexus-router} (tests, tools): {@code
   * name} is what its usage and messages call it.
   */
  public static int runAlone(
      CommandLine cl, String name, List<String> args, PrintStream out, PrintStream err) {
    cl.setCommandName(name);
    return configure(cl, out, err).execute(args.toArray(String[]::new));
  }

  /** A command that already exists as {@code static int run(String[] args, out, err)}. */
  @FunctionalInterface
  public interface Tool {
    int run(String[] args, PrintStream out, PrintStream err);
  }

  /**
   * Wraps a {@link Tool} as a sub-command: every argument after its name, {@code --help} included,
   * goes to the tool unparsed, and its return value is the exit code.
   */
  public static CommandLine external(
      String name, String description, Tool tool, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new External(tool, out, err));
    cl.setCommandName(name);
    cl.getCommandSpec().usageMessage().description(description);
    return cl;
  }

  @Command(name = "external")
  static final class External implements Callable<Integer> {
    private final Tool tool;
    private final PrintStream out;
    private final PrintStream err;

    @Unmatched List<String> args = new ArrayList<>();

    External(Tool tool, PrintStream out, PrintStream err) {
      this.tool = tool;
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() {
      return tool.run(args.toArray(String[]::new), out, err);
    }
  }

  /**
   * A usage mistake a command body finds after picocli has parsed the line (a value of the wrong
   * form, a missing or conflicting option): exit {@link #USAGE}, reported by the command's guard.
   */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The option's value; a {@link UsageException} "{@code NAME is required}" when it was not given.
   */
  public static <T> T required(T value, String name) {
    if (value == null) {
      throw new UsageException(name + " is required");
    }
    return value;
  }

  /** Prints a command's usage on stderr and returns {@link #USAGE}: a group given no command. */
  public static int missingSubcommand(CommandSpec spec) {
    CommandLine cl = spec.commandLine();
    cl.getErr().print(cl.getUsageMessage());
    cl.getErr().flush();
    return USAGE;
  }

  private static int usageError(ParameterException e, PrintStream err) {
    String name = e.getCommandLine().getCommandSpec().qualifiedName();
    if (e instanceof UnmatchedArgumentException u) {
      List<String> unmatched = u.getUnmatched();
      for (String a : unmatched) {
        if (PASSWORD.matcher(a).matches()) {
          String option = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
          err.println(
              name
                  + ": "
                  + option
                  + " is not accepted: passwords on the command line end up in shell history and"
                  + " ps. Use --password-file FILE, NEXUS_PASSWORD_FILE or NEXUS_PASSWORD");
          return USAGE;
        }
      }
    }
    err.println(name + ": " + e.getMessage());
    err.println("Run '" + name + " --help' for usage.");
    return USAGE;
  }

  private static PrintWriter writer(PrintStream s) {
    return new PrintWriter(new OutputStreamWriter(s, StandardCharsets.UTF_8), true);
  }
}
