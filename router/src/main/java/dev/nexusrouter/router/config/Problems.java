package dev.nexusrouter.router.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem with its YAML path, so users fix them all in one pass. */
public final class Problems {
  private final List<String> list = new ArrayList<>();

  public void add(String path, String message) {
    list.add((path.isEmpty() ? "(root)" : path) + ": " + message);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<String> all() {
    return List.copyOf(list);
  }

  public void throwIfAny(String source) {
    if (!list.isEmpty()) {
      throw new ConfigException(source, all());
    }
  }
}
