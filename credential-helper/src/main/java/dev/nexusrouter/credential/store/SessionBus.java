package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.StoreException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Finds the session bus the way GDBus does, which dbus-java does not: {@code
 * DBUS_SESSION_BUS_ADDRESS}, else {@code $XDG_RUNTIME_DIR/bus} (systemd user sessions, SSH logins).
 * Only {@code unix:path=} addresses work with the JDK socket transport.
 */
public final class SessionBus {
  /** No bus: the socket path that was tried (or why none was). */
  static final String NO_BUS =
      "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and %s does not exist; log in to a"
          + " desktop session or run under dbus-run-session, or set"
          + " DOCKER_CREDENTIAL_JAVA_BACKEND=file";

  static final String NO_RUNTIME_DIR = "$XDG_RUNTIME_DIR/bus (XDG_RUNTIME_DIR is unset)";

  private SessionBus() {}

  /** The session bus address for this environment. */
  public static String address(Map<String, String> env) throws StoreException {
    return address(env, java.nio.file.Files::exists);
  }

  static String address(Map<String, String> env, Predicate<Path> exists) throws StoreException {
    String configured = env.get("DBUS_SESSION_BUS_ADDRESS");
    if (configured != null && !configured.isBlank()) {
      for (String candidate : configured.split(";")) {
        if (candidate.startsWith("unix:path=")) {
          return candidate;
        }
      }
      throw new BackendUnavailableException(
          "the D-Bus session bus address '"
              + configured
              + "' has no unix:path= socket, which Java cannot open (abstract sockets are"
              + " unsupported); start the bus with <listen>unix:path=...</listen>, or set"
              + " DOCKER_CREDENTIAL_JAVA_BACKEND=file");
    }
    String runtimeDir = env.get("XDG_RUNTIME_DIR");
    if (runtimeDir == null || runtimeDir.isBlank()) {
      throw new BackendUnavailableException(String.format(NO_BUS, NO_RUNTIME_DIR));
    }
    Path bus = Path.of(runtimeDir, "bus");
    if (exists.test(bus)) {
      return "unix:path=" + bus;
    }
    throw new BackendUnavailableException(String.format(NO_BUS, bus));
  }
}
