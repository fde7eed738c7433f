package dev.nexusrouter.router.nexus;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs {@link NexusCommand} in-process and captures what it prints. */
record Cli(int exit, String out, String err) {

  static Cli run(Map<String, String> env, String... args) {
    return run(env, d -> {}, args);
  }

  /** With a sleeper that really sleeps: {@code --wait} against a real Nexus. */
  static Cli runWaiting(Map<String, String> env, String... args) {
    return run(env, d -> Thread.sleep(d.toMillis()), args);
  }

  static Cli run(Map<String, String> env, Readiness.Sleeper sleeper, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = NexusCommand.run(List.of(args), o, e, env, sleeper);
    }
    return new Cli(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  String all() {
    return out + err;
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
