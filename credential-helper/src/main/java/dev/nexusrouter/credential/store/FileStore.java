package dev.nexusrouter.credential.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.nexusrouter.common.AtomicFiles;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Encrypted file store for headless machines. The whole map is one AES-256-GCM blob; the key comes
 * from a passphrase through Argon2id, or from a random 0600 key file. Writers take an exclusive
 * lock on a side file, re-read, change and replace the file by an atomic rename after fsync, so
 * parallel {@code store}/{@code erase} calls never lose each other's entries; readers need no lock
 * because a rename is atomic.
 */
public final class FileStore implements CredentialStore {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final Path file;
  private final Path keyFile;
  private final byte[] passphrase;
  private byte[] cachedKey;
  private FileCrypto.Header cachedKeyHeader;

  /**
   * @param passphrase UTF-8 bytes of the passphrase, or null to use {@code keyFile}
   */
  public FileStore(Path file, Path keyFile, byte[] passphrase) {
    this.file = file.toAbsolutePath();
    this.keyFile = keyFile.toAbsolutePath();
    this.passphrase = passphrase == null ? null : passphrase.clone();
  }

  @Override
  public String name() {
    return "file";
  }

  public Path file() {
    return file;
  }

  @Override
  public Optional<Credentials> get(String serverUrl) throws StoreException {
    Map<String, Credentials> entries = read();
    return Optional.ofNullable(entries.get(serverUrl));
  }

  @Override
  public void store(Credentials credentials) throws StoreException {
    update(
        entries -> {
          entries.put(credentials.serverUrl(), credentials);
          return true;
        });
  }

  @Override
  public boolean erase(String serverUrl) throws StoreException {
    boolean[] removed = new boolean[1];
    update(
        entries -> {
          removed[0] = entries.remove(serverUrl) != null;
          return removed[0];
        });
    return removed[0];
  }

  @Override
  public Map<String, String> list() throws StoreException {
    Map<String, String> out = new TreeMap<>();
    read().forEach((k, v) -> out.put(k, v.username()));
    return out;
  }

  @FunctionalInterface
  private interface Change {
    /** Changes the map in place; returns whether anything needs writing. */
    boolean apply(Map<String, Credentials> entries);
  }

  private void update(Change change) throws StoreException {
    ensureDirectory();
    FileLocks.withLock(
        file.resolveSibling(file.getFileName() + ".lock"),
        () -> {
          Map<String, Credentials> entries = read();
          if (change.apply(entries)) {
            try {
              write(entries);
            } catch (IOException e) {
              throw ioFailure("write", e);
            }
          }
          return null;
        });
  }

  private Map<String, Credentials> read() throws StoreException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new LinkedHashMap<>();
    } catch (IOException e) {
      throw ioFailure("read", e);
    }
    FileCrypto.Header header = FileCrypto.readHeader(bytes, file.toString());
    byte[] plain = FileCrypto.open(header, keyFor(header, false), bytes, file.toString());
    try {
      return decode(plain);
    } catch (IOException e) {
      throw new StoreException(
          "the credential file " + file + " decrypted but its content is invalid; left untouched");
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  private void write(Map<String, Credentials> entries) throws StoreException, IOException {
    FileCrypto.Header header = headerForWrite();
    byte[] plain = encode(entries);
    byte[] sealed;
    try {
      sealed = FileCrypto.seal(header, keyFor(header, true), plain);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
    AtomicFiles.write(file, sealed);
  }

  /** Keeps the salt and parameters of the existing file, so the derived key stays cached. */
  private FileCrypto.Header headerForWrite() throws StoreException {
    if (cachedKeyHeader != null) {
      return cachedKeyHeader;
    }
    if (Files.exists(file)) {
      try {
        return FileCrypto.readHeader(Files.readAllBytes(file), file.toString());
      } catch (IOException e) {
        throw ioFailure("read", e);
      }
    }
    return passphrase != null ? FileCrypto.Header.newArgon2() : FileCrypto.Header.keyFile();
  }

  private byte[] keyFor(FileCrypto.Header header, boolean mayCreate) throws StoreException {
    if (cachedKey != null && Arrays.equals(cachedKeyHeader.encode(), header.encode())) {
      return cachedKey;
    }
    byte[] key;
    if (header.kdf() == FileCrypto.KDF_ARGON2ID) {
      if (passphrase == null) {
        throw new StoreException(
            "the credential file "
                + file
                + " is protected by a passphrase: set DOCKER_CREDENTIAL_JAVA_PASSPHRASE or"
                + " DOCKER_CREDENTIAL_JAVA_PASSPHRASE_FILE");
      }
      key = FileCrypto.deriveKey(header, passphrase);
    } else {
      key = readOrCreateKeyFile(mayCreate);
    }
    cachedKey = key;
    cachedKeyHeader = header;
    return key;
  }

  private byte[] readOrCreateKeyFile(boolean mayCreate) throws StoreException {
    try {
      byte[] key = Files.readAllBytes(keyFile);
      if (key.length != 32) {
        throw new StoreException(
            "the key file " + keyFile + " is not a 32-byte key; restore it from a backup");
      }
      return key;
    } catch (NoSuchFileException e) {
      if (!mayCreate || Files.exists(file)) {
        throw new StoreException(
            "the key file "
                + keyFile
                + " for "
                + file
                + " is missing; restore it, or move the credential file away and log in again");
      }
      byte[] key = FileCrypto.newRandomKey();
      try {
        AtomicFiles.write(keyFile, key);
      } catch (IOException io) {
        throw ioFailure("create the key file for", io);
      }
      return key;
    } catch (IOException e) {
      throw new StoreException("cannot read the key file " + keyFile + ": " + describe(e));
    }
  }

  private void ensureDirectory() throws StoreException {
    try {
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, AtomicFiles.ownerOnlyDirectory());
      }
    } catch (IOException e) {
      throw ioFailure("create the directory of", e);
    }
  }

  private StoreException ioFailure(String what, IOException e) {
    return new StoreException(
        "cannot " + what + " the credential file " + file + ": " + describe(e));
  }

  static String describe(IOException e) {
    return AtomicFiles.describe(e);
  }

  private static byte[] encode(Map<String, Credentials> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      gen.writeStartObject();
      for (Credentials c : new TreeMap<>(entries).values()) {
        gen.writeObjectFieldStart(c.serverUrl());
        gen.writeStringField("username", c.username());
        gen.writeStringField("secret", c.secret());
        gen.writeEndObject();
      }
      gen.writeEndObject();
    }
    return out.toByteArray();
  }

  private static Map<String, Credentials> decode(byte[] plain) throws IOException {
    Map<String, Credentials> entries = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(plain)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String server = p.currentName();
        expect(p.nextToken(), JsonToken.START_OBJECT);
        String username = null;
        String secret = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("username")) {
            username = p.getValueAsString();
          } else if (field.equals("secret")) {
            secret = p.getValueAsString();
          } else {
            p.skipChildren();
          }
        }
        if (username == null || secret == null) {
          throw new IOException("incomplete entry");
        }
        entries.put(server, new Credentials(server, username, secret));
      }
    }
    return entries;
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("unexpected " + actual);
    }
  }
}
