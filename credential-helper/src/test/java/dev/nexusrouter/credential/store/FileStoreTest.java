package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest {
  @TempDir Path dir;

  private FileStore keyFileStore() {
    return new FileStore(dir.resolve("creds.enc"), dir.resolve("creds.key"), null);
  }

  private FileStore passphraseStore(String passphrase) {
    return new FileStore(
        dir.resolve("creds.enc"),
        dir.resolve("creds.key"),
        passphrase.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void roundTripWithGeneratedOwnerOnlyKeyFile() throws Exception {
    FileStore store = keyFileStore();
    assertEquals(Map.of(), store.list());
    store.store(new Credentials("reg.example.com", "<token>", "sekr|t ä"));
    store.store(new Credentials("other.example.com", "bob", "x"));
    FileStore reopened = keyFileStore();
    assertEquals(
        Optional.of(new Credentials("reg.example.com", "<token>", "sekr|t ä")),
        reopened.get("reg.example.com"));
    assertEquals(Map.of("reg.example.com", "<token>", "other.example.com", "bob"), reopened.list());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("creds.key"))));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("creds.enc"))));
    assertEquals(32, Files.size(dir.resolve("creds.key")));
  }

  @Test
  void fileNeverContainsTheSecretInPlaintext() throws Exception {
    passphraseStore("correct horse").store(new Credentials("reg", "alice", "plaintext-needle"));
    String raw =
        new String(Files.readAllBytes(dir.resolve("creds.enc")), StandardCharsets.ISO_8859_1);
    assertFalse(raw.contains("plaintext-needle"));
    assertFalse(raw.contains("alice"));
    assertFalse(Files.exists(dir.resolve("creds.key")), "a passphrase store needs no key file");
  }

  @Test
  void eraseReportsWhetherSomethingWasRemoved() throws Exception {
    FileStore store = keyFileStore();
    store.store(new Credentials("a", "u", "s"));
    assertTrue(store.erase("a"));
    assertFalse(store.erase("a"));
    assertEquals(Map.of(), store.list());
  }

  @Test
  void wrongPassphraseIsAClearErrorAndLeavesTheFileUntouched() throws Exception {
    passphraseStore("right").store(new Credentials("a", "u", "s"));
    byte[] before = Files.readAllBytes(dir.resolve("creds.enc"));
    StoreException e = assertThrows(StoreException.class, () -> passphraseStore("wrong").get("a"));
    assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
    assertThrows(
        StoreException.class, () -> passphraseStore("wrong").store(new Credentials("b", "u", "s")));
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("creds.enc")));
  }

  @Test
  void passphraseStoreWithoutPassphraseSaysWhatToSet() throws Exception {
    passphraseStore("right").store(new Credentials("a", "u", "s"));
    StoreException e = assertThrows(StoreException.class, () -> keyFileStore().list());
    assertTrue(e.getMessage().contains("DOCKER_CREDENTIAL_JAVA_PASSPHRASE"), e.getMessage());
  }

  @Test
  void corruptFileIsAClearErrorAndLeftUntouched() throws Exception {
    keyFileStore().store(new Credentials("a", "u", "s"));
    Path file = dir.resolve("creds.enc");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 5] ^= 0x40;
    Files.write(file, bytes);
    StoreException e = assertThrows(StoreException.class, () -> keyFileStore().get("a"));
    assertTrue(e.getMessage().contains("left untouched"), e.getMessage());
    assertThrows(StoreException.class, () -> keyFileStore().erase("a"));
    assertArrayEquals(bytes, Files.readAllBytes(file));

    Files.writeString(file, "garbage");
    StoreException garbage = assertThrows(StoreException.class, () -> keyFileStore().list());
    assertTrue(garbage.getMessage().contains("corrupt"), garbage.getMessage());
    assertEquals("garbage", Files.readString(file));
  }

  @Test
  void missingKeyFileForAnExistingStoreIsNotSilentlyReplaced() throws Exception {
    keyFileStore().store(new Credentials("a", "u", "s"));
    Files.delete(dir.resolve("creds.key"));
    StoreException e =
        assertThrows(
            StoreException.class, () -> keyFileStore().store(new Credentials("b", "u", "s")));
    assertTrue(e.getMessage().contains("key file"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("creds.key")));
  }

  @Test
  void noTemporaryFilesAreLeftBehind() throws Exception {
    FileStore store = keyFileStore();
    for (int i = 0; i < 5; i++) {
      store.store(new Credentials("r" + i, "u", "s"));
    }
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }
}
