package dev.nexusrouter.router.server;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.config.ListenerConfig;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.config.VirtualHostConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code serve} needs from the machine beyond a valid file: folders that exist and sockets it
 * can bind (a local address, no two listeners on one socket, no wildcard and specific address on
 * one port, nothing else listening there now). {@code check} runs all of it, so a configuration
 * that passes {@code check} does not fail at start for these reasons; a reload runs the folder
 * checks before building anything; a failed start names the socket that could not be bound.
 */
public final class Preflight {
  /** One socket to bind, with the YAML path that asks for it. */
  record Socket(String where, String address, int port) {
    @Override
    public String toString() {
      String host = address.contains(":") ? "[" + address + "]" : address;
      return where + " " + host + ":" + port;
    }
  }

  private Preflight() {}

  /** Every problem {@code serve} would fail on, folders and sockets; empty when none. */
  public static List<String> all(RouterConfig c) {
    List<String> out = new ArrayList<>(folders(c));
    out.addAll(sockets(c, true));
    return out;
  }

  /**
   * Throws a {@link ConfigException} naming every problem {@link #all} finds.
   *
   * @param source the config file, for the report's first line
   */
  public static void check(RouterConfig c, String source) {
    List<String> problems = all(c);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
  }

  static List<Socket> socketsOf(RouterConfig c) {
    List<Socket> out = new ArrayList<>();
    for (int i = 0; i < c.listeners().size(); i++) {
      ListenerConfig l = c.listeners().get(i);
      out.add(new Socket("listeners[" + i + "] (" + l.name() + ")", l.address(), l.port()));
    }
    if (c.admin().enabled()) {
      out.add(new Socket("admin", c.admin().address(), c.admin().port()));
    }
    return out;
  }

  /**
   * Socket problems: addresses that are not this machine's, the same socket twice, a wildcard and a
   * specific address on one port, and (when {@code probe}) ports something else listens on now.
   * Port 0 (any free port) never conflicts.
   */
  static List<String> sockets(RouterConfig c, boolean probe) {
    List<String> out = new ArrayList<>();
    List<Socket> all = socketsOf(c);
    Map<Socket, InetAddress> resolved = new LinkedHashMap<>();
    for (Socket s : all) {
      InetAddress a = local(s, out);
      if (a != null) {
        resolved.put(s, a);
      }
    }
    List<Socket> ok = new ArrayList<>(resolved.keySet());
    Set<Socket> conflicting = new HashSet<>();
    for (int i = 0; i < ok.size(); i++) {
      for (int j = i + 1; j < ok.size(); j++) {
        Socket x = ok.get(i);
        Socket y = ok.get(j);
        if (x.port() == 0 || x.port() != y.port()) {
          continue;
        }
        InetAddress ax = resolved.get(x);
        InetAddress ay = resolved.get(y);
        if (ax.equals(ay)) {
          out.add(y + ": the same socket as " + x);
          conflicting.add(y);
        } else if (ax.isAnyLocalAddress() || ay.isAnyLocalAddress()) {
          out.add(
              y
                  + ": port "
                  + y.port()
                  + " is also bound by "
                  + x
                  + "; a wildcard and another address cannot share a port");
          conflicting.add(y);
        }
      }
    }
    if (probe) {
      for (Socket s : ok) {
        if (s.port() != 0 && !conflicting.contains(s)) {
          String busy = tryBind(resolved.get(s), s.port());
          if (busy != null) {
            out.add(s + ": " + busy);
          }
        }
      }
    }
    return out;
  }

  /** The address if it can be bound on this machine, else null with the problem added. */
  private static InetAddress local(Socket s, List<String> out) {
    InetAddress a;
    try {
      a = InetAddress.getByName(s.address());
    } catch (UnknownHostException e) {
      out.add(s + ": not an IP address or known host name");
      return null;
    }
    try {
      if (!a.isAnyLocalAddress()
          && !a.isLoopbackAddress()
          && NetworkInterface.getByInetAddress(a) == null) {
        out.add(s + ": " + a.getHostAddress() + " is not an address of this machine");
        return null;
      }
    } catch (SocketException e) {
      // cannot list interfaces: let the bind decide
    }
    return a;
  }

  /** Null when {@code address:port} can be bound now, else why not. */
  static String tryBind(InetAddress address, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as the listeners do: TIME_WAIT leftovers are no conflict
      probe.bind(new InetSocketAddress(address, port), 1);
      return null;
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return "cannot bind: " + why.toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Why the listeners could not start, naming the socket: the first problem found when probing
   * again, or null when every socket looks free now.
   */
  static String bindFailure(RouterConfig c) {
    List<String> problems = sockets(c, true);
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

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
    String group = c.accessLog().group();
    if (group != null) {
      try {
        FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
      } catch (IOException | UnsupportedOperationException e) {
        out.add("access-log.group: no group '" + group + "' on this machine");
      }
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
