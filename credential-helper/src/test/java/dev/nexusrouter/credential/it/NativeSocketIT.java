package dev.nexusrouter.credential.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JNI socket the .deb ships (src/main/c), built here with gcc as packaging does, and the helper
 * run on it against a real gnome-keyring: same answers as the Go helper, and doctor names it. A
 * library that cannot load leaves the helper on the JDK socket, silently.
 */
class NativeSocketIT {
  private static final String GO = "docker-credential-secretservice";
  @TempDir static Path home;
  private static PrivateKeyring keyring;
  private static Map<String, String> env;
  private static Path library;

  @BeforeAll
  static void buildLibraryAndStartKeyring() throws Exception {
    HelperProcess.assertLauncherBuilt();
    Path gcc = HelperProcess.requireBinary("gcc");
    HelperProcess.requireBinary(GO);
    Path include = Path.of(System.getProperty("java.home"), "include");
    assertTrue(Files.exists(include.resolve("jni.h")), "the test JDK has no include/jni.h");
    library = Path.of("target/native-it/libdockercredjava.so").toAbsolutePath();
    Files.createDirectories(library.getParent());
    Result built =
        HelperProcess.run(
            List.of(
                gcc.toString(),
                "-O2",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-Wno-unused-parameter",
                "-shared",
                "-fPIC",
                "-I" + include,
                "-I" + include.resolve("linux"),
                "-o",
                library.toString(),
                "src/main/c/unixsocket.c"),
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
            new byte[0],
            Duration.ofSeconds(60));
    assertEquals(0, built.exit(), "gcc failed: " + built);
    keyring = PrivateKeyring.start(home, home.resolve("bus.sock"), PrivateKeyring.Mode.UNLOCKED);
    env = keyring.env();
    env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
  }

  @AfterAll
  static void stopKeyring() {
    if (keyring != null) {
      keyring.close();
    }
  }

  private static Result onLibrary(Path lib, String stdin, String action) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Ddocker-credential-java.native-library=" + lib);
    command.add("-XX:-PrintWarnings"); // as the launchers: VM warnings must not reach stderr
    command.add("-cp");
    command.add("target/docker-credential-java.jar");
    command.add("dev.nexusrouter.credential.Main");
    command.add(action);
    return HelperProcess.run(
        command, env, stdin.getBytes(StandardCharsets.UTF_8), HelperProcess.TIMEOUT);
  }

  private static Result go(String stdin, String action) {
    return HelperProcess.run(
        List.of(GO, action), env, stdin.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
  }

  @Test
  void doctorNamesTheNativeSocket() {
    Result doctor = onLibrary(library, "", "doctor");
    assertEquals(0, doctor.exit(), doctor.toString());
    assertTrue(
        doctor.out().contains("D-Bus transport: native socket (" + library + ")"), doctor.out());
  }

  @Test
  void getAndListOnTheNativeSocketAnswerAsTheGoHelperDoes() {
    // Larger than one native read (64 KiB). Stored by the Java helper: the Go one reads stdin
    // with a 64 KiB bufio.Scanner and refuses it ("token too long").
    String big = "x".repeat(150_000);
    Result stored =
        onLibrary(
            library,
            "{\"ServerURL\":\"native.example.com\",\"Username\":\"n\",\"Secret\":\"" + big + "\"}",
            "store");
    assertEquals(0, stored.exit(), stored.toString());
    Result fromGo = go("native.example.com", "get");
    Result fromJava = onLibrary(library, "native.example.com", "get");
    assertEquals(0, fromJava.exit(), fromJava.toString());
    assertEquals("", fromJava.stderr());
    assertEquals(fromGo.out(), fromJava.out());
    assertEquals(go("", "list").out(), onLibrary(library, "", "list").out());
    Result missing = onLibrary(library, "absent.example.com", "get");
    assertEquals(1, missing.exit());
    assertEquals("credentials not found in native keychain", missing.out());
    assertEquals("", missing.stderr());
  }

  @Test
  void aLibraryThatDoesNotLoadFallsBackToTheJdkSocketQuietly() throws Exception {
    Path broken = home.resolve("libbroken.so");
    Files.writeString(broken, "not an ELF file");
    Result doctor = onLibrary(broken, "", "doctor");
    assertTrue(doctor.out().contains("D-Bus transport: JDK SocketChannel"), doctor.out());
    assertEquals(
        0,
        go("{\"ServerURL\":\"fb.example.com\",\"Username\":\"f\",\"Secret\":\"s\"}", "store")
            .exit());
    Result got = onLibrary(broken, "fb.example.com", "get");
    assertEquals(0, got.exit(), got.toString());
    assertEquals("", got.stderr());
    assertEquals(
        "{\"ServerURL\":\"fb.example.com\",\"Username\":\"f\",\"Secret\":\"s\"}", got.out());
  }

  @Test
  void theLibraryWritesTheProtocolChannelOfAnotherUser(@TempDir Path installed) throws Exception {
    List<Path> copies =
        HelperProcess.worldReadableCopies(
            installed, library, Path.of("target/docker-credential-java.jar"));
    // As the .deb's wrapper hands it over: the client's stdout as fd 3, fd 1 pointing at stderr;
    // the pipe is root's (this test's), the helper runs as nobody and cannot reopen /dev/fd/3.
    List<String> command =
        new ArrayList<>(List.of("sh", "-c", "exec 3>&1 1>&2; exec \"$@\"", "sh"));
    command.addAll(HelperProcess.asNobody());
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Ddocker-credential-java.native-library=" + copies.get(0),
            "-Ddocker-credential-java.protocol-fd=3",
            "-cp",
            copies.get(1).toString(),
            "dev.nexusrouter.credential.Main",
            "version"));
    Result r =
        HelperProcess.run(
            command, HelperProcess.baseEnv(installed), new byte[0], HelperProcess.TIMEOUT);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("docker-credential-java (dev.nexusrouter)"), r.toString());
    assertEquals("", r.stderr(), r.toString());
  }

  @Test
  void nativeModPowAgreesWithBigInteger() throws Exception {
    System.setProperty("docker-credential-java.native-library", library.toString());
    java.util.Random random = new java.util.Random(2409);
    java.math.BigInteger p =
        new java.math.BigInteger(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
                + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
                + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
                + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
            16);
    byte[] mod = fixed(p);
    for (int i = 0; i < 40; i++) {
      java.math.BigInteger base =
          i == 0
              ? java.math.BigInteger.TWO
              : i == 1
                  ? p.subtract(java.math.BigInteger.TWO)
                  : new java.math.BigInteger(1023, random);
      java.math.BigInteger exp = new java.math.BigInteger(i < 20 ? 256 : 1024, random);
      byte[] got = dev.nexusrouter.credential.dbus.NativeMath.modPow(fixed(base), fixed(exp), mod);
      assertTrue(got != null, "the library did not load");
      assertEquals(base.modPow(exp, p), new java.math.BigInteger(1, got), "case " + i);
    }
    // The helper's own shape: a 32-byte private exponent, including the edge values.
    for (java.math.BigInteger exp :
        List.of(
            java.math.BigInteger.ZERO,
            java.math.BigInteger.ONE,
            java.math.BigInteger.ONE.shiftLeft(256).subtract(java.math.BigInteger.ONE),
            new java.math.BigInteger(256, random))) {
      byte[] raw = fixed(exp);
      byte[] got =
          dev.nexusrouter.credential.dbus.NativeMath.modPow(
              new byte[] {2}, java.util.Arrays.copyOfRange(raw, 96, 128), mod);
      assertEquals(
          java.math.BigInteger.TWO.modPow(exp, p), new java.math.BigInteger(1, got), "2^" + exp);
    }
  }

  /**
   * The exponentiation never branches or indexes memory on the private exponent: the library's
   * code, built with a small driver (src/test/c), runs under valgrind's memcheck with the exponent
   * marked undefined, and memcheck fails the run on any conditional jump or move that depends on
   * it. The answers must still be right.
   */
  @Test
  void nativeModPowDoesNotBranchOnThePrivateExponent() throws Exception {
    Path valgrind = HelperProcess.requireBinary("valgrind");
    Path gcc = HelperProcess.requireBinary("gcc");
    Path include = Path.of(System.getProperty("java.home"), "include");
    Path driver = library.resolveSibling("modpow_ct");
    Result built =
        HelperProcess.run(
            List.of(
                gcc.toString(),
                "-O2",
                "-g",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-Wno-unused-parameter",
                "-I" + include,
                "-I" + include.resolve("linux"),
                "-o",
                driver.toString(),
                "src/test/c/modpow_ct.c"),
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
            new byte[0],
            Duration.ofSeconds(60));
    assertEquals(0, built.exit(), "gcc failed: " + built);
    java.util.Random random = new java.util.Random(5869);
    List<java.math.BigInteger> exponents =
        List.of(
            java.math.BigInteger.ONE,
            java.math.BigInteger.ONE.shiftLeft(256).subtract(java.math.BigInteger.ONE),
            new java.math.BigInteger(256, random),
            new java.math.BigInteger(256, random));
    List<String> command =
        new ArrayList<>(
            List.of(valgrind.toString(), "-q", "--error-exitcode=99", driver.toString()));
    for (java.math.BigInteger exp : exponents) {
      command.add(String.format("%064x", exp));
    }
    Result run =
        HelperProcess.run(
            command,
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
            new byte[0],
            Duration.ofSeconds(120));
    assertEquals(0, run.exit(), "memcheck saw a secret-dependent branch: " + run);
    List<String> lines = run.stdout().lines().toList();
    assertEquals(exponents.size(), lines.size(), run.toString());
    for (int i = 0; i < exponents.size(); i++) {
      assertEquals(
          java.math.BigInteger.TWO.modPow(exponents.get(i), RFC2409_PRIME),
          new java.math.BigInteger(lines.get(i), 16),
          "2^" + exponents.get(i));
    }
  }

  private static final java.math.BigInteger RFC2409_PRIME =
      new java.math.BigInteger(
          "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
              + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
              + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
              + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
          16);

  private static byte[] fixed(java.math.BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[128];
    int n = Math.min(raw.length, 128);
    System.arraycopy(raw, raw.length - n, out, 128 - n, n);
    return out;
  }
}
