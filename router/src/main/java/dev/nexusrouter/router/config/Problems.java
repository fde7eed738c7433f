package dev.nexusrouter.router.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every configuration problem with its YAML path, so users fix them all in one pass. */
public final class Problems {
  private final List<String> list = new ArrayList<>();
  private final Set<String> keysRead = new LinkedHashSet<>();

  public void add(String path, String message) {
    list.add((path.isEmpty() ? "(root)" : path) + ": " + message);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<String> all() {
    return List.copyOf(list);
  }

  /** Records the YAML path of a key a reader asked for, present or not (see {@link #keysRead}). */
  void keyRead(String path) {
    keysRead.add(path);
  }

  /**
   * Every key path the readers asked for: the keys the loader accepts in the sections it visited.
   * docs/configuration.md is checked against it (ConfigurationDocTest).
   */
  Set<String> keysRead() {
    return Set.copyOf(keysRead);
  }

  public void throwIfAny(String source) {
    if (!list.isEmpty()) {
      throw new ConfigException(source, all());
    }
  }
}
