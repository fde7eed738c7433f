package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.InMemoryStore;
import dev.nexusrouter.credential.protocol.StoreException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {
  /** Each backend is a named fake, unavailable, or failing (locked). */
  static final class FakeBackends implements Backends {
    String secretService = "ok";
    String mac = "unavailable";
    String windows = "unavailable";

    private static CredentialStore open(String state, String name) throws StoreException {
      switch (state) {
        case "ok":
          return new InMemoryStore() {
            @Override
            public String name() {
              return name;
            }
          };
        case "locked":
          throw new StoreException(name + " is locked");
        default:
          throw new BackendUnavailableException("no " + name + " here");
      }
    }

    @Override
    public CredentialStore secretService() throws StoreException {
      return open(secretService, "secretservice");
    }

    @Override
    public CredentialStore macKeychain() throws StoreException {
      return open(mac, "keychain");
    }

    @Override
    public CredentialStore windowsCredentials() throws StoreException {
      return open(windows, "wincred");
    }

    @Override
    public CredentialStore file() throws StoreException {
      return open("ok", "file");
    }
  }

  private final FakeBackends backends = new FakeBackends();

  @Test
  void autoUsesTheKeychainOfThePlatform() throws Exception {
    assertEquals("secretservice", new BackendSelector("auto", "Linux", backends).open().name());
    backends.mac = "ok";
    assertEquals("keychain", new BackendSelector("auto", "Mac OS X", backends).open().name());
    backends.windows = "ok";
    assertEquals("wincred", new BackendSelector("auto", "Windows 11", backends).open().name());
  }

  @Test
  void autoFallsBackToTheFileWhenTheKeychainIsUnusable() throws Exception {
    backends.secretService = "unavailable";
    assertEquals("file", new BackendSelector("auto", "Linux", backends).open().name());
    assertEquals("file", new BackendSelector("auto", "Mac OS X", backends).open().name());
  }

  @Test
  void aLockedKeychainIsAnErrorNotAFallback() {
    backends.secretService = "locked";
    StoreException e =
        assertThrows(
            StoreException.class, () -> new BackendSelector("auto", "Linux", backends).open());
    assertEquals("secretservice is locked", e.getMessage());
  }

  @Test
  void anExplicitBackendIsUsedOrFailsWithItsReason() throws Exception {
    assertEquals("file", new BackendSelector("file", "Linux", backends).open().name());
    StoreException e =
        assertThrows(
            StoreException.class, () -> new BackendSelector("wincred", "Linux", backends).open());
    assertEquals("no wincred here", e.getMessage());
  }

  @Test
  void reportNamesTheActiveBackendAndWhyOthersAreNotUsable() {
    backends.secretService = "unavailable";
    List<String> report = new BackendSelector("auto", "Linux", backends).report();
    assertEquals("active backend: file (selected by backend=auto)", report.get(0));
    assertTrue(
        report.contains("  secretservice: not usable: no secretservice here"), report.toString());
    assertTrue(report.contains("  file: active, 0 login(s)"), report.toString());
  }
}
