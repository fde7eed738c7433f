package dev.nexusrouter.router.migrate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code nexus-router import-nginx FILE|DIR [--out FILE] [--admin-port N]}: reads an nginx
 * configuration and writes the equivalent router configuration, plus a report of what became of
 * every directive. See docs/migration.md.
 */
public final class ImportNginxCommand {
  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;

  static final String USAGE_TEXT =
      """
      Usage: nexus-router import-nginx FILE|DIR [--out FILE] [--admin-port N]

      Reads an nginx configuration (FILE, or DIR/nginx.conf, or every file in DIR) with its
      includes and writes the equivalent nexus-router configuration: to --out FILE (report on
      stdout) or to stdout (report on stderr). The report lists every directive as translated,
      changed on purpose (with the reason) or not understood. Then run: nexus-router check FILE.
        --admin-port N   port of the added admin listener on 127.0.0.1 (default 9090)
      """;

  private ImportNginxCommand() {}

  public static int run(String[] args, PrintStream out, PrintStream err) {
    String input = null;
    String output = null;
    int adminPort = 9090;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        out.print(USAGE_TEXT);
        return OK;
      } else if ((a.equals("--out") || a.equals("--admin-port")) && i + 1 < args.length) {
        String v = args[++i];
        if (a.equals("--out")) {
          output = v;
        } else if (v.matches("\\d{1,5}") && Integer.parseInt(v) <= 65535) {
          adminPort = Integer.parseInt(v);
        } else {
          err.println(
              "nexus-router import-nginx: --admin-port needs a port number, found '" + v + "'");
          return USAGE;
        }
      } else if (a.startsWith("-") || input != null) {
        err.println("nexus-router import-nginx: unexpected argument '" + a + "'");
        err.print(USAGE_TEXT);
        return USAGE;
      } else {
        input = a;
      }
    }
    if (input == null) {
      err.println("nexus-router import-nginx: needs an nginx configuration FILE or DIR");
      err.print(USAGE_TEXT);
      return USAGE;
    }
    Path in = Path.of(input).toAbsolutePath().normalize();
    String yaml;
    Report report;
    try {
      List<Directive> main = NginxParser.parse(in);
      Path prefix = Files.isDirectory(in) ? in : in.getParent();
      Translator.Result r = Translator.translate(main, prefix, adminPort);
      yaml = r.plan().toYaml(input);
      report = r.report();
    } catch (NginxException e) {
      err.println("nexus-router import-nginx: " + e.getMessage());
      return INVALID;
    }
    String text = report.render(input, output == null ? "stdout" : output);
    if (output == null) {
      out.print(yaml);
      err.print(text);
      return OK;
    }
    try {
      Files.writeString(Path.of(output), yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("nexus-router import-nginx: cannot write " + output + ": " + e.getMessage());
      return INVALID;
    }
    out.print(text);
    out.println("\nnext: read the lines above, then run: nexus-router check " + output);
    return OK;
  }
}
