package dev.nexusrouter.router.migrate;

import dev.nexusrouter.router.cli.Commands;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-router import-nginx FILE|DIR [--out FILE] [--admin-port N] [--prefix DIR]
 * [--accept-open-access]}: reads an nginx configuration and writes the equivalent router
 * configuration, plus a report of what became of every directive. See docs/migration.md.
 */
@Command(
    name = "import-nginx",
    mixinStandardHelpOptions = true,
    versionProvider = Commands.Version.class,
    description = {
      "Translate an nginx configuration into a router config, with a report of every directive.",
      "Reads FILE (or DIR/nginx.conf, or every file in DIR) with its includes and writes the"
          + " router config to --out FILE (report on stdout) or to stdout (report on stderr).",
      "The report lists every directive as access control the router does not enforce (first),"
          + " translated, changed on purpose (with the reason) or not understood."
          + " Then run: nexus-router check FILE.",
      "Exit codes: 0 written, 1 unreadable input or output, 2 usage error, 4 nginx enforced"
          + " access control the router does not (nothing written; see --accept-open-access)."
    })
public final class ImportNginxCommand implements Callable<Integer> {
  static final int OPEN_ACCESS = 4;

  private final PrintStream out;
  private final PrintStream err;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE|DIR",
      arity = "1",
      description = "nginx.conf, a directory holding it, or a conf.d directory")
  String input;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "write the router config here (default: stdout)")
  String output;

  @Option(
      names = "--admin-port",
      paramLabel = "N",
      description = "port of the added admin listener on 127.0.0.1 (default ${DEFAULT-VALUE})")
  int adminPort = 9090;

  @Option(
      names = "--prefix",
      paramLabel = "DIR",
      description =
          "read absolute include paths under DIR (a copy of the nginx machine's files:"
              + " include /etc/nginx/x is read from DIR/etc/nginx/x); default: this machine")
  Path root;

  @Option(
      names = "--accept-open-access",
      description =
          "write the config even though nginx enforced access control (allow/deny, auth_basic,"
              + " auth_request, limit_except, client certificates, return 4xx) that the router"
              + " does not")
  boolean acceptOpenAccess;

  private ImportNginxCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** The command for the {@code nexus-router} tree. */
  public static CommandLine command(PrintStream out, PrintStream err) {
    return new CommandLine(new ImportNginxCommand(out, err));
  }

  /** Runs {@code import-nginx ARGS} on its own (tests). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return Commands.runAlone(command(out, err), "import-nginx", List.of(args), out, err);
  }

  @Override
  public Integer call() {
    if (adminPort < 0 || adminPort > 65535) {
      throw new ParameterException(
          spec.commandLine(), "--admin-port needs a port number (0-65535), found " + adminPort);
    }
    Path in = Path.of(input).toAbsolutePath().normalize();
    String yaml;
    Report report;
    try {
      NginxParser.Parsed parsed = NginxParser.parse(in, root);
      Path prefix = Files.isDirectory(in) ? in : in.getParent();
      Translator.Result r = Translator.translate(parsed.directives(), prefix, adminPort);
      yaml = r.plan().toYaml(input);
      report = r.report();
      report.filesRead(parsed.files());
    } catch (NginxException e) {
      err.println("nexus-router import-nginx: " + e.getMessage());
      return Commands.FAILED;
    }
    String text = report.render(input, output == null ? "stdout" : output);
    int open = report.count(Report.Status.ACCESS);
    if (open > 0 && !acceptOpenAccess) {
      err.print(text);
      err.println(
          "\nnexus-router import-nginx: nothing written: nginx enforced "
              + open
              + " access-control line(s) the router does not (listed first above). Enforce"
              + " them elsewhere (firewall, Nexus permissions), then run again with"
              + " --accept-open-access.");
      return OPEN_ACCESS;
    }
    if (output == null) {
      out.print(yaml);
      err.print(text);
      return Commands.OK;
    }
    try {
      Files.writeString(Path.of(output), yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("nexus-router import-nginx: cannot write " + output + ": " + e.getMessage());
      return Commands.FAILED;
    }
    out.print(text);
    out.println("\nnext: read the lines above, then run: nexus-router check " + output);
    return Commands.OK;
  }
}
