package dev.nexusrouter.credential.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.nexusrouter.credential.protocol.CredentialStore;
import dev.nexusrouter.credential.protocol.Credentials;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * macOS Keychain and Windows Credential Manager through java-keyring's (service, account) API. Each
 * login is one entry, {@code service=docker-credential-java, account=<server URL>}, holding {@code
 * dcj1;<chunks>;<username length>:<username><secret>}; values longer than the vault allows
 * (Windows: 1280 UTF-16 chars, docker-credential-helpers#346) continue in entries {@code <server
 * URL>#2}, {@code #3}… Because java-keyring cannot enumerate, an index entry maps server URLs to
 * usernames for {@code list}; it is changed under a file lock.
 */
public final class KeychainStore implements CredentialStore {
  static final String SERVICE = "docker-credential-java";
  static final String INDEX_ACCOUNT = "docker-credential-java:index";
  private static final String MAGIC = "dcj1;";
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final PasswordVault vault;
  private final Path lockFile;

  public KeychainStore(PasswordVault vault, Path lockFile) {
    this.vault = vault;
    this.lockFile = lockFile;
  }

  @Override
  public String name() {
    return vault.name();
  }

  @Override
  public Optional<Credentials> get(String serverUrl) throws StoreException {
    Optional<String> value = readChunked(serverUrl);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get();
    int colon = v.indexOf(':');
    int length;
    try {
      length = Integer.parseInt(v.substring(0, colon));
    } catch (RuntimeException e) {
      throw damaged(serverUrl);
    }
    if (length < 0 || colon + 1 + length > v.length()) {
      throw damaged(serverUrl);
    }
    String username = v.substring(colon + 1, colon + 1 + length);
    return Optional.of(new Credentials(serverUrl, username, v.substring(colon + 1 + length)));
  }

  @Override
  public void store(Credentials c) throws StoreException {
    String value = c.username().length() + ":" + c.username() + c.secret();
    withLock(
        () -> {
          Map<String, String> index = readIndex();
          writeChunked(c.serverUrl(), value);
          index.put(c.serverUrl(), c.username());
          writeIndex(index);
          return null;
        });
  }

  @Override
  public boolean erase(String serverUrl) throws StoreException {
    return withLock(
        () -> {
          Map<String, String> index = readIndex();
          boolean existed = deleteChunked(serverUrl);
          if (index.remove(serverUrl) != null) {
            writeIndex(index);
            existed = true;
          }
          return existed;
        });
  }

  @Override
  public Map<String, String> list() throws StoreException {
    return readIndex();
  }

  private Optional<String> readChunked(String account) throws StoreException {
    Optional<String> first = vault.get(SERVICE, account);
    if (first.isEmpty()) {
      return Optional.empty();
    }
    String head = first.get();
    int semicolon = head.indexOf(';', MAGIC.length());
    if (!head.startsWith(MAGIC) || semicolon < 0) {
      throw damaged(account);
    }
    int chunks;
    try {
      chunks = Integer.parseInt(head.substring(MAGIC.length(), semicolon));
    } catch (NumberFormatException e) {
      throw damaged(account);
    }
    StringBuilder value = new StringBuilder(head.substring(semicolon + 1));
    for (int i = 2; i <= chunks; i++) {
      Optional<String> next = vault.get(SERVICE, account + "#" + i);
      if (next.isEmpty()) {
        throw damaged(account);
      }
      value.append(next.get());
    }
    return Optional.of(value.toString());
  }

  private void writeChunked(String account, String value) throws StoreException {
    int max = vault.maxValueChars() - MAGIC.length() - 12;
    int chunks = Math.max(1, (value.length() + max - 1) / max);
    int previous = chunkCount(account);
    // Continuation entries first, so a reader never sees a head pointing at missing chunks.
    for (int i = 2; i <= chunks; i++) {
      vault.set(
          SERVICE,
          account + "#" + i,
          value.substring((i - 1) * max, Math.min(value.length(), i * max)));
    }
    vault.set(
        SERVICE, account, MAGIC + chunks + ";" + value.substring(0, Math.min(value.length(), max)));
    for (int i = chunks + 1; i <= previous; i++) {
      vault.delete(SERVICE, account + "#" + i);
    }
  }

  private boolean deleteChunked(String account) throws StoreException {
    int chunks = chunkCount(account);
    boolean existed = vault.delete(SERVICE, account);
    for (int i = 2; i <= chunks; i++) {
      vault.delete(SERVICE, account + "#" + i);
    }
    return existed;
  }

  private int chunkCount(String account) throws StoreException {
    Optional<String> head = vault.get(SERVICE, account);
    if (head.isEmpty() || !head.get().startsWith(MAGIC)) {
      return 0;
    }
    int semicolon = head.get().indexOf(';', MAGIC.length());
    try {
      return Integer.parseInt(head.get().substring(MAGIC.length(), semicolon));
    } catch (RuntimeException e) {
      return 1;
    }
  }

  private Map<String, String> readIndex() throws StoreException {
    Map<String, String> index = new TreeMap<>();
    Optional<String> json = readChunked(INDEX_ACCOUNT);
    if (json.isEmpty()) {
      return index;
    }
    try (JsonParser p = JSON.createParser(json.get())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw damaged(INDEX_ACCOUNT);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        index.put(key, p.getValueAsString(""));
      }
    } catch (IOException e) {
      throw damaged(INDEX_ACCOUNT);
    }
    return index;
  }

  private void writeIndex(Map<String, String> index) throws StoreException {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      gen.writeStartObject();
      for (Map.Entry<String, String> e : index.entrySet()) {
        gen.writeStringField(e.getKey(), e.getValue());
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new StoreException("cannot encode the login index");
    }
    writeChunked(INDEX_ACCOUNT, out.toString());
  }

  private <T> T withLock(FileLocks.Body<T> body) throws StoreException {
    return FileLocks.withLock(lockFile, body);
  }

  private StoreException damaged(String account) {
    return new StoreException(
        "the "
            + vault.name()
            + " entry "
            + SERVICE
            + "/"
            + account
            + " is damaged; erase it with `docker logout` and log in again");
  }
}
