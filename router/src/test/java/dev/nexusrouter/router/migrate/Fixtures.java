package dev.nexusrouter.router.migrate;

import dev.nexusrouter.router.tls.CertsCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The nginx fixtures under test resources, copied to a temporary folder with real key files. */
public final class Fixtures {
  private Fixtures() {}

  /** Copies fixture {@code name} into {@code dir} and writes ssl/server.crt, ssl/server.key. */
  public static Path copy(String name, Path dir) throws IOException, URISyntaxException {
    Path src =
        Path.of(Fixtures.class.getResource("/dev/nexusrouter/router/migrate/" + name).toURI());
    Path dst = dir.resolve(name);
    try (Stream<Path> files = Files.walk(src)) {
      for (Path p : files.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
    int rc =
        CertsCommand.run(
            List.of(
                    "certs",
                    "init",
                    "--domain",
                    "example.com",
                    "--out",
                    dst.resolve("ssl").toString())
                .subList(1, 6),
            ps,
            ps,
            Map.of());
    if (rc != 0) {
      throw new IOException("certs init failed: " + sink);
    }
    Files.copy(dst.resolve("ssl/server.crt"), dst.resolve("ssl/acqua.com.bundle.crt"));
    Files.copy(dst.resolve("ssl/server.key"), dst.resolve("ssl/acqua.com.key.pem"));
    return dst;
  }

  /** Output of one import-nginx run. */
  public record Run(int code, String out, String err) {}

  public static Run importNginx(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        ImportNginxCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
