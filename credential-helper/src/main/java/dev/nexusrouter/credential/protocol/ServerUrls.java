package dev.nexusrouter.credential.protocol;

import java.util.Locale;
import java.util.Set;

/**
 * How a lookup key is normalised. Clients ask for the same registry under different keys: docker
 * uses {@code https://index.docker.io/v1/} for the Hub, podman {@code docker.io}, nerdctl {@code
 * host:443}, humans add schemes and trailing slashes. {@code store} keeps the key it is given;
 * {@code get}/{@code erase} try it exactly first and then any stored key with the same canonical
 * form.
 */
public final class ServerUrls {
  private static final String HUB = "docker.io";
  private static final Set<String> HUB_HOSTS =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

  private ServerUrls() {}

  /**
   * The canonical form: no scheme, lower-case host, no {@code :443}, no trailing slash, and every
   * Docker Hub alias (including the {@code /v1} index path) as {@code docker.io}. Repository paths
   * are kept, so {@code host/org/repo} never matches a login for {@code host}.
   */
  public static String canonical(String serverUrl) {
    String s = serverUrl.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      s = s.substring("https://".length());
    } else if (lower.startsWith("http://")) {
      s = s.substring("http://".length());
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    int slash = s.indexOf('/');
    String host = (slash < 0 ? s : s.substring(0, slash)).toLowerCase(Locale.ROOT);
    String path = slash < 0 ? "" : s.substring(slash + 1);
    if (host.endsWith(":443")) {
      host = host.substring(0, host.length() - ":443".length());
    }
    if (HUB_HOSTS.contains(host)) {
      host = HUB;
      if (path.equals("v1")) {
        path = "";
      }
    }
    return path.isEmpty() ? host : host + "/" + path;
  }
}
