package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.protocol.Credentials;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeychainStoreTest {
  @TempDir Path dir;

  /** Behaves like java-keyring on Windows: a value limit and no enumeration. */
  static final class FakeVault implements PasswordVault {
    final Map<String, String> entries = new TreeMap<>();
    final int max;

    FakeVault(int max) {
      this.max = max;
    }

    @Override
    public String name() {
      return "wincred";
    }

    @Override
    public Optional<String> get(String service, String account) {
      return Optional.ofNullable(entries.get(service + "|" + account));
    }

    @Override
    public void set(String service, String account, String password) {
      if (password.length() > max) {
        throw new IllegalStateException("The stub received bad data.");
      }
      entries.put(service + "|" + account, password);
    }

    @Override
    public boolean delete(String service, String account) {
      return entries.remove(service + "|" + account) != null;
    }

    @Override
    public int maxValueChars() {
      return max;
    }
  }

  private final FakeVault vault = new FakeVault(JavaKeyringVault.WINDOWS_MAX_CHARS);

  private KeychainStore store() {
    return new KeychainStore(vault, dir.resolve("wincred.lock"));
  }

  @Test
  void roundTripAndListThroughTheIndex() throws Exception {
    store().store(new Credentials("https://index.docker.io/v1/", "<token>", "tok"));
    store().store(new Credentials("reg.example.com", "alice", "pw:with:colons"));
    assertEquals(
        Optional.of(new Credentials("reg.example.com", "alice", "pw:with:colons")),
        store().get("reg.example.com"));
    assertEquals(
        Map.of("https://index.docker.io/v1/", "<token>", "reg.example.com", "alice"),
        store().list());
  }

  @Test
  void secretsLargerThanTheWindowsBlobAreChunked() throws Exception {
    String jwt = "e".repeat(100_000);
    store().store(new Credentials("acr.example.com", "00000000-0000", jwt));
    assertEquals(jwt, store().get("acr.example.com").orElseThrow().secret());
    assertTrue(vault.entries.size() > 80, "chunks: " + vault.entries.size());
    vault.entries.values().forEach(v -> assertTrue(v.length() <= vault.max));

    store().store(new Credentials("acr.example.com", "u", "short"));
    assertEquals("short", store().get("acr.example.com").orElseThrow().secret());
    assertTrue(vault.entries.size() <= 3, "stale chunks removed: " + vault.entries.keySet());
  }

  @Test
  void eraseRemovesEveryChunkAndTheIndexEntry() throws Exception {
    store().store(new Credentials("a.example", "u", "x".repeat(5000)));
    assertTrue(store().erase("a.example"));
    assertFalse(store().erase("a.example"));
    assertEquals(Map.of(), store().list());
    assertEquals(Optional.empty(), store().get("a.example"));
    assertTrue(
        vault.entries.keySet().stream().noneMatch(k -> k.contains("a.example")),
        vault.entries.keySet().toString());
  }

  @Test
  void restoreReplacesTheUsername() throws Exception {
    store().store(new Credentials("r", "alice", "1"));
    store().store(new Credentials("r", "bob", "2"));
    assertEquals(new Credentials("r", "bob", "2"), store().get("r").orElseThrow());
    assertEquals(Map.of("r", "bob"), store().list());
  }

  @Test
  void notFoundDetectionKnowsTheNativeCodes() {
    assertTrue(JavaKeyringVault.isNotFound(new Exception("Error code 1168")));
    assertTrue(
        JavaKeyringVault.isNotFound(
            new Exception("The specified item could not be found in the keychain. (-25300)")));
    assertFalse(JavaKeyringVault.isNotFound(new Exception("Error code 5")));
  }
}
