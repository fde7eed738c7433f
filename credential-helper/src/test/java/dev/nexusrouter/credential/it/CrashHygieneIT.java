package dev.nexusrouter.credential.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexusrouter.credential.it.HelperProcess.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crashing JVM leaves nothing behind (no core, no hs_err file in the caller's directory) and puts
 * nothing on the protocol channel; a closed stdin is refused at once.
 */
class CrashHygieneIT {
  @TempDir Path home;
  @TempDir Path callerDir;

  @BeforeAll
  static void built() {
    HelperProcess.assertLauncherBuilt();
  }

  @Test
  void aCrashedJvmWritesNoFileAndNothingOnStdout() throws Exception {
    Path socket = home.resolve("hung.sock");
    try (SilentBus silent = new SilentBus(socket)) {
      Map<String, String> env = HelperProcess.baseEnv(home);
      env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket);
      env.put("DOCKER_CREDENTIAL_JAVA_BACKEND", "secretservice");
      ProcessBuilder pb = new ProcessBuilder(HelperProcess.LAUNCHER.toString(), "get");
      pb.environment().clear();
      pb.environment().putAll(env);
      pb.directory(callerDir.toFile());
      pb.redirectError(home.resolve("stderr.txt").toFile());
      Process p = pb.start();
      p.getOutputStream().write("crash.example.com".getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!silent.accepted() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(silent.accepted(), "the helper never reached the bus");
      // The launcher execs the JVM, so the process is the JVM: crash it the way a fault would
      // (the shell's own kill: procps may not be installed).
      Result kill =
          HelperProcess.run(
              List.of("sh", "-c", "kill -SEGV \"$0\"", Long.toString(p.pid())),
              env,
              new byte[0],
              Duration.ofSeconds(10));
      assertEquals(0, kill.exit(), kill.toString());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("the crashed helper did not exit");
      }
      String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String stderr = Files.readString(home.resolve("stderr.txt"));
      assertTrue(p.exitValue() != 0, "exit " + p.exitValue());
      assertEquals("", stdout, "the crash banner reached stdout");
      assertTrue(stderr.contains("A fatal error has been detected"), stderr);
      assertTrue(stderr.contains("no core file dumped"), stderr);
      try (Stream<Path> left = Files.list(callerDir)) {
        assertEquals(List.of(), left.toList(), "files left in the caller's directory");
      }
    }
  }

  private static final String STDIN_UNREADABLE =
      "docker-credential-java: cannot read the request from stdin (it is closed or not readable)";

  @Test
  void aClosedStdinIsAnImmediateClearError() {
    Result r = launcherVia("get <&-");
    assertEquals(1, r.exit(), r.toString());
    assertEquals(STDIN_UNREADABLE, r.out());
    assertTrue(r.elapsed().compareTo(Duration.ofSeconds(5)) < 0, "took " + r.elapsed());
  }

  @Test
  void aWriteOnlyStdinIsAClearErrorToo() {
    Result r = launcherVia("get 0>/dev/null");
    assertEquals(1, r.exit(), r.toString());
    assertEquals(STDIN_UNREADABLE, r.out());
    assertEquals("", r.stderr());
  }

  @Test
  void aClosedStderrStillGetsTheAnswer() {
    // the launcher moves the protocol channel to fd 3 and points stdout at stderr; with stderr
    // closed, dash's "exec 1>&2" would end the shell before the JVM starts
    Result r = launcherVia("version 2>&-");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("docker-credential-java"), r.toString());
  }

  @Test
  void anotherUsersStdoutGetsTheAnswerNeverStderr(@TempDir Path installed) throws Exception {
    List<Path> copies =
        HelperProcess.worldReadableCopies(
            installed, HelperProcess.LAUNCHER, Path.of("target/docker-credential-java.jar"));
    List<String> command = new java.util.ArrayList<>(HelperProcess.asNobody());
    command.add(copies.get(0).toString());
    command.add("version");
    Map<String, String> env = HelperProcess.baseEnv(installed);
    Result r = HelperProcess.run(command, env, new byte[0], Duration.ofSeconds(30));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("docker-credential-java (dev.nexusrouter)"), r.toString());
    assertEquals("", r.stderr(), r.toString());
  }

  @Test
  void aChannelThatCannotBeOpenedGivesNoAnswerRatherThanOneOnStderr() {
    // As the launchers leave it (fd 1 pointing at stderr), with a protocol fd that is not open.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Result r =
        HelperProcess.run(
            List.of(
                "sh",
                "-c",
                "exec 1>&2; exec \"$0\" -Ddocker-credential-java.protocol-fd=9 -cp"
                    + " target/docker-credential-java.jar dev.nexusrouter.credential.Main version",
                java),
            HelperProcess.baseEnv(home),
            new byte[0],
            Duration.ofSeconds(30));
    assertEquals(1, r.exit(), r.toString());
    assertEquals("", r.stdout(), r.toString());
    assertFalse(r.stderr().contains("dev.nexusrouter)"), "the answer went to stderr: " + r);
    assertTrue(r.stderr().contains("cannot write to the protocol channel (fd 9"), r.toString());
  }

  /** The launcher run by {@code sh -c 'exec LAUNCHER ARGS'}, so ARGS may carry redirections. */
  private Result launcherVia(String argsAndRedirections) {
    return HelperProcess.run(
        List.of(
            "sh", "-c", "exec \"$0\" " + argsAndRedirections, HelperProcess.LAUNCHER.toString()),
        HelperProcess.baseEnv(home),
        new byte[0],
        Duration.ofSeconds(20));
  }
}
