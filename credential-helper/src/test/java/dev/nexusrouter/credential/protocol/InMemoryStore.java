package dev.nexusrouter.credential.protocol;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A fake backend with exact-key semantics, as every real backend has. */
public class InMemoryStore implements CredentialStore {
  public final Map<String, Credentials> entries = new TreeMap<>();
  public int opened;

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Optional<Credentials> get(String serverUrl) {
    return Optional.ofNullable(entries.get(serverUrl));
  }

  @Override
  public void store(Credentials credentials) {
    entries.put(credentials.serverUrl(), credentials);
  }

  @Override
  public boolean erase(String serverUrl) {
    return entries.remove(serverUrl) != null;
  }

  @Override
  public Map<String, String> list() {
    Map<String, String> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, v.username()));
    return out;
  }
}
