package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.ServerUrls;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Picks the backend: the one named in the settings, or in {@code auto} mode the platform keychain
 * when it is usable and the encrypted file otherwise. A keychain that exists but fails now (locked)
 * is an error, not a reason to write somewhere else; so is an unreachable keychain once this
 * account has used one (credential-helper/README.md, "Which backend, and never two").
 */
public final class BackendSelector {
  /** The keyring was used here but cannot be reached now: reason, then the marker file. */
  static final String KEYRING_UNREACHABLE =
      "docker-credential-java: this account keeps its logins in the keyring (%2$s exists), but %1$s;"
          + " run this in the desktop session or export that session's DBUS_SESSION_BUS_ADDRESS,"
          + " or set DOCKER_CREDENTIAL_JAVA_BACKEND=file to use the encrypted file store";

  private final String backend;
  private final String osName;
  private final Backends backends;
  private final PrintStream notices;

  /**
   * @param notices where a login stored in the fallback file store is announced (stderr)
   */
  public BackendSelector(String backend, String osName, Backends backends, PrintStream notices) {
    this.backend = backend;
    this.osName = osName;
    this.backends = backends;
    this.notices = notices;
  }

  public CredentialStore open() throws StoreException {
    switch (backend) {
      case "file":
        return backends.file();
      case "secretservice":
        return backends.secretService();
      case "keychain":
        return backends.macKeychain();
      case "wincred":
        return backends.windowsCredentials();
      default:
        CredentialStore keychain;
        try {
          keychain = platformKeychain();
        } catch (BackendUnavailableException e) {
          String claim = backends.keyringClaim();
          if (claim != null) {
            throw new StoreException(String.format(KEYRING_UNREACHABLE, e.getMessage(), claim));
          }
          return new FallbackFileStore(backends.file(), e.getMessage(), notices);
        }
        return backends.fileStoreExists()
            ? new KeyringOverFile(keychain, backends::file)
            : keychain;
    }
  }

  private CredentialStore platformKeychain() throws StoreException {
    if (Settings.isWindows(osName)) {
      return backends.windowsCredentials();
    }
    if (Settings.isMac(osName)) {
      return backends.macKeychain();
    }
    return backends.secretService();
  }

  /**
   * One line per backend: active, usable, or why not; then every login present in more than one
   * backend (a split a user would otherwise find only when a pull fails). For {@code doctor}.
   */
  public List<String> report() {
    List<String> lines = new ArrayList<>();
    String active;
    try {
      CredentialStore store = open();
      active = store.name();
      store.close();
      lines.add("active backend: " + active + " (selected by backend=" + backend + ")");
    } catch (StoreException e) {
      active = "";
      lines.add("active backend: none (backend=" + backend + "): " + e.getMessage());
    }
    Map<String, List<String>> where = new TreeMap<>();
    lines.add(probe("secretservice", active, backends::secretService, where));
    lines.add(probe("keychain", active, backends::macKeychain, where));
    lines.add(probe("wincred", active, backends::windowsCredentials, where));
    lines.add(probe("file", active, backends::file, where));
    boolean keyringOverFile = backend.equals("auto") && !active.isEmpty() && !active.equals("file");
    for (Map.Entry<String, List<String>> e : where.entrySet()) {
      List<String> stores = e.getValue();
      if (keyringOverFile && stores.equals(List.of("file"))) {
        lines.add(
            "  login for "
                + e.getKey()
                + " is only in file: served from there because "
                + active
                + " has none; log in again to move it to "
                + active);
      } else if (stores.size() > 1) {
        lines.add(
            "  login for "
                + e.getKey()
                + " is in "
                + String.join(" and ", stores)
                + ": only "
                + (active.isEmpty() ? stores.get(0) : active)
                + " is used; erase the other copy");
      }
    }
    return lines;
  }

  @FunctionalInterface
  private interface Opener {
    CredentialStore open() throws StoreException;
  }

  private static String probe(
      String name, String active, Opener opener, Map<String, List<String>> where) {
    CredentialStore store = null;
    try {
      store = opener.open();
      Map<String, String> logins = store.list();
      for (String server : logins.keySet()) {
        where.computeIfAbsent(ServerUrls.canonical(server), k -> new ArrayList<>()).add(name);
      }
      return "  "
          + name
          + ": "
          + (name.equals(active) ? "active" : "usable")
          + ", "
          + logins.size()
          + " login(s)";
    } catch (StoreException e) {
      return "  " + name + ": not usable: " + e.getMessage();
    } catch (RuntimeException | LinkageError e) {
      return "  " + name + ": not usable: failed with " + e.getClass().getSimpleName();
    } finally {
      if (store != null) {
        store.close();
      }
    }
  }
}
