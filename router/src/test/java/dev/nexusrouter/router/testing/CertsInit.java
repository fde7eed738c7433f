package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.tls.CertsCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code certs init} run in-process for tests that need a CA and a server certificate. */
public final class CertsInit {
  private CertsInit() {}

  /**
   * A CA (kept if {@code out} already has one) and a server certificate for {@code localhost} in
   * {@code out}; {@code extra} are more options (e.g. {@code --key-type ecdsa}). Fails the test
   * with the command's stderr if it does not succeed.
   */
  public static void localhost(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("init", "--domain", "localhost"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--out", out.toString()));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        CertsCommand.run(
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of());
    assertEquals(0, rc, () -> err.toString(StandardCharsets.UTF_8));
  }

  /** A loopback TLS listener (port 0) serving the certificate {@link #localhost} wrote. */
  public static String listener(Path out) {
    return Configs.tlsListener(null, 0, out.resolve("server.crt"), out.resolve("server.key"));
  }
}
