package dev.nexusrouter.credential.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session bus and (optionally) an unlocked gnome-keyring owned by the test, never the
 * developer's: {@code dbus-daemon --nofork --print-address} plus {@code gnome-keyring-daemon
 * --foreground --unlock} with the password on stdin. Both are killed on close.
 */
final class PrivateKeyring implements AutoCloseable {
  static final String PASSWORD = "test-password";
  final Path home;
  final String address;
  private final Process bus;
  private Process keyring;

  private PrivateKeyring(Path home, Process bus, String address) {
    this.home = home;
    this.bus = bus;
    this.address = address;
  }

  enum Mode {
    /** gnome-keyring started and the login keyring created and unlocked. */
    UNLOCKED,
    /** A bus whose only services are the standard ones (gnome-keyring is D-Bus-activatable). */
    BUS_ONLY,
    /** A bus with no service directories at all: nothing provides org.freedesktop.secrets. */
    NO_SERVICES,
    /** org.freedesktop.secrets is activatable, but its program exits at once (/bin/false). */
    BROKEN_SERVICE
  }

  /** Starts a bus listening on {@code socket} (a unix:path), in the given mode. */
  static PrivateKeyring start(Path home, Path socket, Mode mode) throws Exception {
    HelperProcess.requireBinary("dbus-daemon");
    HelperProcess.requireBinary("gnome-keyring-daemon");
    HelperProcess.requireBinary("dbus-send");
    Files.createDirectories(home.resolve("run"));
    Path config = home.resolve("bus.conf");
    Files.writeString(
        config,
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
            + " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
            + "<busconfig><type>session</type><listen>unix:path="
            + socket
            + "</listen>"
            + serviceDirs(home, mode)
            + "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
            + "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n");
    ProcessBuilder pb =
        new ProcessBuilder(
            "dbus-daemon", "--config-file=" + config, "--nofork", "--print-address=1");
    pb.environment().put("HOME", home.toString());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process bus = pb.start();
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8));
    String address =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return reader.readLine();
                  } catch (IOException e) {
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    if (address == null || !address.startsWith("unix:path=")) {
      bus.destroyForcibly();
      fail("dbus-daemon gave no path-based address: " + address);
    }
    PrivateKeyring k = new PrivateKeyring(home, bus, address.trim());
    if (mode == Mode.UNLOCKED) {
      k.startKeyring();
    }
    return k;
  }

  private static String serviceDirs(Path home, Mode mode) throws IOException {
    switch (mode) {
      case NO_SERVICES:
        return "";
      case BROKEN_SERVICE:
        Path dir = Files.createDirectories(home.resolve("services"));
        Files.writeString(
            dir.resolve("org.freedesktop.secrets.service"),
            "[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/false\n");
        return "<servicedir>" + dir + "</servicedir>";
      default:
        return "<standard_session_servicedirs/>";
    }
  }

  /**
   * Starts gnome-keyring-daemon and waits for an unlocked login collection. On a loaded machine the
   * daemon has been seen to come up without ever answering; a second daemon on the same
   * (unlocked-by-password) keyring files then starts normally, so one retry is allowed.
   */
  private void startKeyring() throws Exception {
    for (int attempt = 1; attempt <= 2; attempt++) {
      if (tryStartKeyring(Duration.ofSeconds(15))) {
        return;
      }
      keyring.destroyForcibly().waitFor();
    }
    fail("gnome-keyring did not create the login keyring within 2 x 15 s");
  }

  private boolean tryStartKeyring(Duration wait) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets");
    pb.environment().clear();
    pb.environment().putAll(env());
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    keyring = pb.start();
    try (OutputStream in = keyring.getOutputStream()) {
      in.write(PASSWORD.getBytes(StandardCharsets.UTF_8));
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline && keyring.isAlive()) {
      // Ask the bus first: a call to org.freedesktop.secrets before our daemon owns the name
      // would D-Bus-activate a second, locked gnome-keyring that wins the name.
      HelperProcess.Result owner =
          dbusSend(
              "--dest=org.freedesktop.DBus",
              "/org/freedesktop/DBus",
              "org.freedesktop.DBus.NameHasOwner",
              "string:org.freedesktop.secrets");
      if (!owner.stdout().contains("boolean true")) {
        Thread.sleep(50);
        continue;
      }
      HelperProcess.Result alias =
          dbusSend(
              "--dest=org.freedesktop.secrets",
              "/org/freedesktop/secrets",
              "org.freedesktop.Secret.Service.ReadAlias",
              "string:default");
      if (alias.exit() == 0 && alias.stdout().contains("/collection/login") && loginUnlocked()) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** The alias appears before --unlock has finished; wait for the Locked property too. */
  private boolean loginUnlocked() {
    HelperProcess.Result locked =
        dbusSend(
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/collection/login",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked");
    return locked.exit() == 0 && locked.stdout().contains("boolean false");
  }

  /** Locks the login collection the way a screen locker does (secret-tool lock segfaults). */
  void lockLogin() {
    HelperProcess.Result r =
        dbusSend(
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login");
    if (r.exit() != 0) {
      fail("cannot lock the login keyring: " + r.stderr());
    }
  }

  HelperProcess.Result dbusSend(String... args) {
    List<String> command =
        new java.util.ArrayList<>(List.of("dbus-send", "--session", "--print-reply"));
    command.addAll(List.of(args));
    return HelperProcess.run(command, env(), new byte[0], Duration.ofSeconds(10));
  }

  /** The environment for helpers on this bus: HOME, PATH, JAVA_HOME and the bus address. */
  Map<String, String> env() {
    Map<String, String> env = HelperProcess.baseEnv(home);
    env.put("DBUS_SESSION_BUS_ADDRESS", address);
    return env;
  }

  @Override
  public void close() {
    for (Process p : new Process[] {keyring, bus}) {
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
