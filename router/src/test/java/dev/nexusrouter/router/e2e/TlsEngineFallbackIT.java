package dev.nexusrouter.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.ops.RouterJvm;
import dev.nexusrouter.router.testing.CertsInit;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.RealParts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code tls-engine} does when OpenSSL cannot be used, in router JVMs of their own (the native
 * library is loaded once per process): wildfly-openssl is pointed at an empty folder, where it
 * finds no libssl. {@code auto} then serves on JSSE and says why in one line; {@code openssl} makes
 * {@code check} and {@code serve} fail with the reason. An EC key is JSSE's under {@code auto} and
 * refused under {@code openssl}, library or not (docs/tls.md#tls-engine).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsEngineFallbackIT {
  @TempDir Path dir;

  private Path config(String engine, String keyType) throws Exception {
    Path tls = dir.resolve("tls-" + keyType);
    if (!Files.exists(tls)) {
      CertsInit.localhost(tls, "--key-type", keyType);
    }
    Path cfg = dir.resolve(engine + "-" + keyType + ".yaml");
    Files.writeString(
        cfg,
        Configs.registry(
                CertsInit.listener(tls),
                "http://127.0.0.1:9",
                "http://127.0.0.1:9",
                "data-dir: " + dir.resolve("data") + "\n",
                "")
            + "access-log: {path: \"off\"}\n"
            + "tls-engine: "
            + engine
            + "\n");
    return cfg;
  }

  /** Options that make wildfly-openssl look for libssl in an empty folder only. */
  private String noLibssl() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    return "-Dorg.wildfly.openssl.path=" + empty;
  }

  /** {@code java OPTS -jar router.jar ARGS}, bounded; returns exit code and all output. */
  private static Result run(String opts, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(RouterJvm.java().toString());
    if (!opts.isEmpty()) {
      cmd.add(opts);
    }
    cmd.addAll(List.of("-jar", RouterJvm.jar().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes(); // ends when the process exits
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not exit: " + cmd);
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  record Result(int code, String output) {}

  @Test
  void autoFallsBackToJsseWithOneLineSayingWhyAndServes() throws Exception {
    Path curl = RealParts.require("curl");
    Path cfg = config("auto", "rsa");
    String shell = "export JDK_JAVA_OPTIONS='" + noLibssl() + "'; ";
    try (RouterJvm r = RouterJvm.start(dir, "auto", cfg, "96m", 1024, shell)) {
      String err = r.stderrText();
      assertTrue(
          err.contains(
              "listener listener-0: TLS engine jdk (tls-engine auto: OpenSSL cannot be loaded: "),
          err);
      assertTrue(err.contains("Could not find libssl"), err);
      assertEquals(1, count(err, "TLS engine"), err);
      Path log = dir.resolve("curl.log");
      Proc p =
          Proc.run(
              "curl",
              log,
              Duration.ofSeconds(30),
              curl.toString(),
              "-sS",
              "--cacert",
              dir.resolve("tls-rsa/ca.crt").toString(),
              "-o",
              "/dev/null",
              "-w",
              "%{http_code}",
              "https://localhost:" + r.port() + "/v2/");
      String text = Files.readString(log);
      assertEquals(0, p.process.exitValue(), text);
      // no upstream listens on port 9: the router's own 503 proves the TLS exchange worked
      assertTrue(text.endsWith("503"), text);
    }
  }

  @Test
  void opensslFailsCheckAndServeWithTheReasonWhenTheLibraryIsMissing() throws Exception {
    Path cfg = config("openssl", "rsa");
    Result check = run(noLibssl(), "check", cfg.toString());
    assertEquals(1, check.code(), check.output());
    assertTrue(
        check.output().contains("tls-engine openssl: the OpenSSL library cannot be loaded: "),
        check.output());
    assertTrue(check.output().contains("install libssl3"), check.output());
    Result serve = run(noLibssl(), "serve", "--config", cfg.toString());
    assertTrue(serve.code() != 0, serve.output());
    assertTrue(
        serve.output().contains("tls-engine openssl: the OpenSSL library cannot be loaded: "),
        serve.output());
    assertTrue(!serve.output().contains("\tat "), "no stack trace: " + serve.output());
    // the same file passes check where the library is found: the failure above is the library's
    Result found = run("", "check", cfg.toString());
    assertEquals(0, found.code(), found.output());
  }

  @Test
  void anEcKeyIsJssesUnderAutoAndRefusedUnderOpenssl() throws Exception {
    Result refused = run("", "check", config("openssl", "ecdsa").toString());
    assertEquals(1, refused.code(), refused.output());
    assertTrue(
        refused
            .output()
            .contains(
                "listeners[0].tls: tls-engine openssl serves RSA keys only, and this key is EC"),
        refused.output());
    try (RouterJvm r = RouterJvm.start(dir, "auto-ec", config("auto", "ecdsa"), "96m", 1024)) {
      assertTrue(
          r.stderrText()
              .contains(
                  "TLS engine jdk (tls-engine auto: the OpenSSL engine serves RSA keys only,"
                      + " this key is EC)"),
          r.stderrText());
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
