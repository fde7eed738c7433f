package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.InMemoryStore;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {
  /** Each backend is a named fake, unavailable, or failing (locked). */
  static final class FakeBackends implements Backends {
    String secretService = "ok";
    String mac = "unavailable";
    String windows = "unavailable";

    final java.util.Map<String, InMemoryStore> stores = new java.util.HashMap<>();

    private CredentialStore open(String state, String name) throws StoreException {
      switch (state) {
        case "ok":
          return stores.computeIfAbsent(
              name,
              n ->
                  new InMemoryStore() {
                    @Override
                    public String name() {
                      return n;
                    }
                  });
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

    String claim;

    @Override
    public String keyringClaim() {
      return claim;
    }

    boolean fileExists;

    @Override
    public boolean fileStoreExists() {
      return fileExists;
    }
  }

  private final ByteArrayOutputStream notices = new ByteArrayOutputStream();

  private BackendSelector selector(String backend, String os) {
    return new BackendSelector(
        backend, os, backends, new PrintStream(notices, true, StandardCharsets.UTF_8));
  }

  private final FakeBackends backends = new FakeBackends();

  @Test
  void autoUsesTheKeychainOfThePlatform() throws Exception {
    assertEquals("secretservice", selector("auto", "Linux").open().name());
    backends.mac = "ok";
    assertEquals("keychain", selector("auto", "Mac OS X").open().name());
    backends.windows = "ok";
    assertEquals("wincred", selector("auto", "Windows 11").open().name());
  }

  @Test
  void autoFallsBackToTheFileWhenTheKeychainIsUnusable() throws Exception {
    backends.secretService = "unavailable";
    assertEquals("file", selector("auto", "Linux").open().name());
    assertEquals("file", selector("auto", "Mac OS X").open().name());
  }

  @Test
  void aLockedKeychainIsAnErrorNotAFallback() {
    backends.secretService = "locked";
    StoreException e = assertThrows(StoreException.class, () -> selector("auto", "Linux").open());
    assertEquals("secretservice is locked", e.getMessage());
  }

  @Test
  void anExplicitBackendIsUsedOrFailsWithItsReason() throws Exception {
    assertEquals("file", selector("file", "Linux").open().name());
    StoreException e =
        assertThrows(StoreException.class, () -> selector("wincred", "Linux").open());
    assertEquals("no wincred here", e.getMessage());
  }

  @Test
  void reportNamesTheActiveBackendAndWhyOthersAreNotUsable() {
    backends.secretService = "unavailable";
    List<String> report = selector("auto", "Linux").report();
    assertEquals("active backend: file (selected by backend=auto)", report.get(0));
    assertTrue(
        report.contains("  secretservice: not usable: no secretservice here"), report.toString());
    assertTrue(report.contains("  file: active, 0 login(s)"), report.toString());
  }

  @Test
  void autoNeverFallsBackOnceThisAccountUsedTheKeyring() {
    backends.secretService = "unavailable";
    backends.claim = "/home/u/.local/share/docker-credential-java/keyring-in-use";
    StoreException e = assertThrows(StoreException.class, () -> selector("auto", "Linux").open());
    assertTrue(e.getMessage().contains("no secretservice here"), e.getMessage());
    assertTrue(e.getMessage().contains(backends.claim), e.getMessage());
    assertTrue(e.getMessage().contains("DOCKER_CREDENTIAL_JAVA_BACKEND=file"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertTrue(backends.stores.isEmpty(), "the file store was opened");
  }

  @Test
  void aStoreIntoTheFallbackFileSaysWhereTheLoginWentOnce() throws Exception {
    backends.secretService = "unavailable";
    CredentialStore store = selector("auto", "Linux").open();
    store.get("x.example.com");
    assertEquals("", notices.toString(StandardCharsets.UTF_8));
    store.store(new Credentials("x.example.com", "u", "secret-value"));
    String said = notices.toString(StandardCharsets.UTF_8);
    assertEquals(1, said.lines().count(), said);
    assertTrue(said.contains("no secretservice here") && said.contains("x.example.com"), said);
    assertTrue(!said.contains("secret-value"), said);
  }

  @Test
  void anExplicitFileBackendStoresQuietly() throws Exception {
    selector("file", "Linux").open().store(new Credentials("x.example.com", "u", "s"));
    assertEquals("", notices.toString(StandardCharsets.UTF_8));
  }

  @Test
  void reportNamesLoginsPresentInTwoBackends() throws Exception {
    backends.secretService().store(new Credentials("reg.test", "newuser", "NEW"));
    backends.file().store(new Credentials("https://reg.test/", "olduser", "OLD"));
    backends.file().store(new Credentials("only-file.test", "u", "s"));
    List<String> report = selector("auto", "Linux").report();
    assertTrue(
        report.contains(
            "  login for reg.test is in secretservice and file: only secretservice is used;"
                + " erase the other copy"),
        report.toString());
    assertEquals(1, report.stream().filter(l -> l.contains(" is in ")).count(), report.toString());
  }

  @Test
  void onceTheKeyringIsBackTheFileStoresLoginsStayVisibleAndTheKeyringWins() throws Exception {
    backends.file().store(new Credentials("file-only.test", "fileuser", "F"));
    backends.file().store(new Credentials("https://both.test/", "olduser", "OLD"));
    backends.secretService().store(new Credentials("both.test", "newuser", "NEW"));
    backends.fileExists = true;

    CredentialStore store = selector("auto", "Linux").open();
    assertEquals("secretservice", store.name());
    assertEquals("fileuser", store.get("file-only.test").orElseThrow().username());
    assertTrue(store.get("https://both.test/").isEmpty(), "the keyring has both.test: no file");
    assertEquals(
        java.util.Map.of("file-only.test", "fileuser", "both.test", "newuser"), store.list());

    store.store(new Credentials("file-only.test", "moved", "M"));
    assertEquals(java.util.Map.of("https://both.test/", "olduser"), backends.file().list());
    assertEquals("moved", backends.secretService().get("file-only.test").orElseThrow().username());

    assertTrue(store.erase("both.test"));
    assertEquals(java.util.Map.of(), backends.file().list());
    assertTrue(backends.secretService().get("both.test").isEmpty());
  }

  @Test
  void withoutAFileStoreTheKeyringIsUsedAsItIs() throws Exception {
    backends.file().store(new Credentials("file-only.test", "u", "s"));
    CredentialStore store = selector("auto", "Linux").open();
    assertTrue(store.get("file-only.test").isEmpty());
  }

  @Test
  void reportNamesLoginsServedFromTheFileBehindTheKeyring() throws Exception {
    backends.file().store(new Credentials("file-only.test", "u", "s"));
    backends.fileExists = true;
    List<String> report = selector("auto", "Linux").report();
    assertTrue(
        report.contains(
            "  login for file-only.test is only in file: served from there because secretservice"
                + " has none; log in again to move it to secretservice"),
        report.toString());
  }
}
