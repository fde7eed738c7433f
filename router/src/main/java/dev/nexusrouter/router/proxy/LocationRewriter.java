package dev.nexusrouter.router.proxy;

import dev.nexusrouter.router.config.UpstreamConfig;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps upstream-internal URLs in {@code Location} and in the {@code WWW-Authenticate} realm back to
 * the address the client used, and strips Nexus path-mode prefixes ({@code /repository/<repo>}).
 * Relative and already-public URLs pass unchanged
 * (docs/nexus-headers.md#location-and-realm-rewriting). Also drops the upstream's
 * connection-specific response headers.
 */
public final class LocationRewriter implements ResponseCommitListener {
  private static final Pattern REALM =
      Pattern.compile("(realm=\")([^\"]*)(\")", Pattern.CASE_INSENSITIVE);

  private final Set<String> internalAuthorities;
  private final List<String> prefixes;

  public LocationRewriter(Collection<UpstreamConfig> upstreams) {
    Set<String> auth = new HashSet<>();
    List<String> pre = new ArrayList<>();
    for (UpstreamConfig u : upstreams) {
      for (URI s : u.servers()) {
        auth.add(authority(s.getScheme(), s.getHost(), s.getPort()));
      }
      for (String a : u.aliases()) {
        URI parsed = URI.create("http://" + a);
        auth.add(authority("http", parsed.getHost(), parsed.getPort()));
      }
      if (!u.pathPrefix().isEmpty()) {
        pre.add(u.pathPrefix());
      }
    }
    this.internalAuthorities = Set.copyOf(auth);
    this.prefixes = List.copyOf(pre);
  }

  @Override
  public void beforeCommit(HttpServerExchange exchange) {
    HeaderMap h = exchange.getResponseHeaders();
    HopByHop.strip(h);
    String location = h.getFirst(Headers.LOCATION);
    String base = null;
    if (location != null) {
      base = publicBase(exchange);
      String rewritten = rewrite(location, base);
      if (!rewritten.equals(location)) {
        h.put(Headers.LOCATION, rewritten);
      }
    }
    var challenges = h.get(Headers.WWW_AUTHENTICATE);
    if (challenges != null) {
      for (int i = 0; i < challenges.size(); i++) {
        String c = challenges.get(i);
        Matcher m = REALM.matcher(c);
        if (m.find()) {
          if (base == null) {
            base = publicBase(exchange);
          }
          String realm = rewrite(m.group(2), base);
          if (!realm.equals(m.group(2))) {
            challenges.set(i, c.substring(0, m.start(2)) + realm + c.substring(m.end(2)));
          }
        }
      }
    }
  }

  /**
   * The rewritten URL.
   *
   * @param publicBase {@code scheme://host[:port]} as the client addressed the router
   */
  public String rewrite(String url, String publicBase) {
    if (url.startsWith("/")) {
      return stripPrefix(url);
    }
    URI u;
    try {
      u = new URI(url);
    } catch (java.net.URISyntaxException e) {
      return url;
    }
    if (u.getScheme() == null || u.getHost() == null) {
      return url;
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return url;
    }
    String auth = authority(scheme, u.getHost(), u.getPort());
    int pathStart = url.indexOf('/', url.indexOf("//") + 2);
    String rest = pathStart < 0 ? "" : url.substring(pathStart);
    if (internalAuthorities.contains(auth)) {
      return publicBase + stripPrefix(rest);
    }
    URI pub = URI.create(publicBase);
    if (auth.equals(authority(pub.getScheme(), pub.getHost(), pub.getPort()))) {
      String stripped = stripPrefix(rest);
      return stripped.equals(rest) ? url : url.substring(0, pathStart) + stripped;
    }
    return url;
  }

  private String stripPrefix(String path) {
    for (String p : prefixes) {
      if (path.startsWith(p)
          && path.length() > p.length()
          && (path.charAt(p.length()) == '/' || path.charAt(p.length()) == '?')) {
        return path.substring(p.length());
      }
    }
    return path;
  }

  static String publicBase(HttpServerExchange exchange) {
    String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
    if (host == null || host.isEmpty()) {
      host = exchange.getHostAndPort();
    }
    return exchange.getRequestScheme() + "://" + host;
  }

  static String authority(String scheme, String host, int port) {
    int p = port > 0 ? port : ("https".equalsIgnoreCase(scheme) ? 443 : 80);
    return host.toLowerCase(Locale.ROOT) + ":" + p;
  }
}
