package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code serve} needs from the machine beyond a valid file: folders that exist. {@code check}
 * runs the same checks, so a configuration that passes {@code check} does not fail at start for
 * these reasons; a reload runs them before building anything.
 */
public final class Preflight {
  private Preflight() {}

  /** Every folder problem of {@code c}, each with its YAML path. */
  public static List<String> folders(RouterConfig c) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c.hosts().size(); i++) {
      VirtualHostConfig h = c.hosts().get(i);
      Path d = h.downloadDir();
      if (d != null && !Files.isDirectory(d)) {
        out.add(
            "hosts["
                + i
                + "].download-dir: "
                + (Files.exists(d) ? "not a folder: " : "folder does not exist: ")
                + d.toAbsolutePath());
      } else if (d != null && !Files.isReadable(d)) {
        out.add("hosts[" + i + "].download-dir: folder is not readable: " + d.toAbsolutePath());
      }
    }
    if (Files.exists(c.dataDir()) && !Files.isDirectory(c.dataDir())) {
      out.add("data-dir: not a folder: " + c.dataDir().toAbsolutePath());
    }
    return out;
  }

  /** Throws a {@link ConfigException} naming every folder problem. */
  static void requireFolders(RouterConfig c) {
    List<String> problems = folders(c);
    if (!problems.isEmpty()) {
      throw new ConfigException("configuration", problems);
    }
  }
}
