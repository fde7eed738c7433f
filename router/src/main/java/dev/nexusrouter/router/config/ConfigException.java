package dev.nexusrouter.router.config;

import java.util.List;

/** A configuration that cannot be used; carries every problem found, each with its YAML path. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(source + ": " + problems.size() + " problem(s)", null, false, false);
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  /** The text printed by {@code check} and by {@code serve} when it refuses to start. */
  public String report() {
    StringBuilder sb = new StringBuilder();
    sb.append(source)
        .append(": ")
        .append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems")
        .append('\n');
    for (String p : problems) {
      sb.append("  - ").append(p).append('\n');
    }
    return sb.toString();
  }
}
