package dev.nexusrouter.credential.store;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the backend: the one named in the settings, or in {@code auto} mode the platform keychain
 * when it is usable and the encrypted file otherwise. A keychain that exists but fails now (locked)
 * is an error, not a reason to write somewhere else.
 */
public final class BackendSelector {
  private final String backend;
  private final String osName;
  private final Backends backends;

  public BackendSelector(String backend, String osName, Backends backends) {
    this.backend = backend;
    this.osName = osName;
    this.backends = backends;
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
        try {
          return platformKeychain();
        } catch (BackendUnavailableException e) {
          return backends.file();
        }
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

  /** One line per backend: active, usable, or why not. For {@code doctor}. */
  public List<String> report() {
    List<String> lines = new ArrayList<>();
    String active;
    try {
      active = open().name();
      lines.add("active backend: " + active + " (selected by backend=" + backend + ")");
    } catch (StoreException e) {
      active = "";
      lines.add("active backend: none (backend=" + backend + "): " + e.getMessage());
    }
    lines.add(probe("secretservice", active, backends::secretService));
    lines.add(probe("keychain", active, backends::macKeychain));
    lines.add(probe("wincred", active, backends::windowsCredentials));
    lines.add(probe("file", active, backends::file));
    return lines;
  }

  @FunctionalInterface
  private interface Opener {
    CredentialStore open() throws StoreException;
  }

  private static String probe(String name, String active, Opener opener) {
    try {
      CredentialStore store = opener.open();
      int count = store.list().size();
      return "  "
          + name
          + ": "
          + (name.equals(active) ? "active" : "usable")
          + ", "
          + count
          + " login(s)";
    } catch (StoreException e) {
      return "  " + name + ": not usable: " + e.getMessage();
    } catch (RuntimeException | LinkageError e) {
      return "  " + name + ": not usable: failed with " + e.getClass().getSimpleName();
    }
  }
}
