package dev.nexusrouter.router.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a raw (still percent-encoded) request path, without its query string, into a {@link
 * RegistryPath}. Repository names may hold several {@code /}-separated components, so the path is
 * matched from the right on the distribution spec's sentinels (spec.md "Endpoints").
 *
 * <p>Paths that could be read two ways by the router and the upstream — an encoded slash or
 * backslash, a dot segment, an empty segment, invalid percent-encoding — parse as {@link
 * PathKind#INVALID} and are never forwarded.
 */
public final class RegistryPathParser {
  private static final String REPOSITORY_PREFIX = "/repository/";

  private RegistryPathParser() {}

  public static RegistryPath parse(String rawPath) {
    String path = decode(rawPath);
    if (path == null) {
      return invalid(rawPath);
    }
    if (path.startsWith(REPOSITORY_PREFIX)) {
      int end = path.indexOf('/', REPOSITORY_PREFIX.length());
      if (end < 0) {
        return new RegistryPath(PathKind.OTHER, null, null, null, path);
      }
      String repo = path.substring(REPOSITORY_PREFIX.length(), end);
      if (!validSegment(repo)) {
        return invalid(path);
      }
      RegistryPath inner = parseDecoded(path.substring(end));
      return new RegistryPath(
          inner.kind(), inner.name(), inner.reference(), repo, path.substring(end));
    }
    return parseDecoded(path);
  }

  private static RegistryPath parseDecoded(String path) {
    if (path.equals("/v2") || path.equals("/v2/")) {
      return simple(PathKind.PING, path);
    }
    if (path.startsWith("/v2/")) {
      return parseV2(path);
    }
    if (path.equals("/v1/search")) {
      return simple(PathKind.V1_SEARCH, path);
    }
    if (path.equals("/v1/_ping")) {
      return simple(PathKind.V1_PING, path);
    }
    if (path.startsWith("/v1/")) {
      return hasBadSegments(path.substring(4), true)
          ? invalid(path)
          : simple(PathKind.V1_OTHER, path);
    }
    return hasBadSegments(path.isEmpty() ? "" : path.substring(1), true)
        ? invalid(path)
        : simple(PathKind.OTHER, path);
  }

  private static RegistryPath parseV2(String path) {
    String rest = path.substring(4);
    if (rest.equals("token")) {
      return simple(PathKind.TOKEN, path);
    }
    if (rest.equals("_catalog")) {
      return simple(PathKind.CATALOG, path);
    }
    boolean trailingSlash = rest.endsWith("/");
    List<String> segs = split(trailingSlash ? rest.substring(0, rest.length() - 1) : rest);
    for (String s : segs) {
      if (!validSegment(s)) {
        return invalid(path);
      }
    }
    int n = segs.size();
    if (trailingSlash) {
      // only the upload start (end-4a) legitimately ends in a slash
      if (n >= 3 && segs.get(n - 1).equals("uploads") && segs.get(n - 2).equals("blobs")) {
        return named(PathKind.UPLOAD_START, segs, n - 2, null, path);
      }
      return simple(PathKind.OTHER_V2, path);
    }
    if (n >= 3 && segs.get(n - 1).equals("uploads") && segs.get(n - 2).equals("blobs")) {
      return named(PathKind.UPLOAD_START, segs, n - 2, null, path);
    }
    if (n >= 4 && segs.get(n - 2).equals("uploads") && segs.get(n - 3).equals("blobs")) {
      return named(PathKind.UPLOAD_SESSION, segs, n - 3, segs.get(n - 1), path);
    }
    if (n >= 3 && segs.get(n - 2).equals("tags") && segs.get(n - 1).equals("list")) {
      return named(PathKind.TAGS, segs, n - 2, null, path);
    }
    if (n >= 3) {
      PathKind kind =
          switch (segs.get(n - 2)) {
            case "manifests" -> PathKind.MANIFEST;
            case "blobs" -> PathKind.BLOB;
            case "referrers" -> PathKind.REFERRERS;
            default -> null;
          };
      if (kind != null) {
        return named(kind, segs, n - 2, segs.get(n - 1), path);
      }
    }
    return simple(PathKind.OTHER_V2, path);
  }

  private static RegistryPath named(
      PathKind kind, List<String> segs, int nameEnd, String reference, String path) {
    String name = String.join("/", segs.subList(0, nameEnd));
    return new RegistryPath(kind, name, reference, null, path);
  }

  private static RegistryPath simple(PathKind kind, String path) {
    return new RegistryPath(kind, null, null, null, path);
  }

  private static RegistryPath invalid(String path) {
    return new RegistryPath(PathKind.INVALID, null, null, null, path);
  }

  private static boolean validSegment(String s) {
    return !s.isEmpty() && !s.equals(".") && !s.equals("..");
  }

  private static boolean hasBadSegments(String rest, boolean allowTrailingSlash) {
    if (rest.isEmpty()) {
      return false;
    }
    String body =
        allowTrailingSlash && rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    for (String s : split(body)) {
      if (!validSegment(s)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '/') {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }

  /**
   * Percent-decodes a path. Returns null for encodings that would change the path's structure
   * ({@code %2F}, {@code %5C}, a raw backslash, NUL) or that are malformed.
   */
  static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw.indexOf('\\') >= 0 || raw.indexOf('\0') >= 0 ? null : raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        int b = (hi << 4) | lo;
        if (b == '/' || b == '\\' || b == 0) {
          return null;
        }
        out.write(b);
        i += 2;
      } else if (c == '\\' || c == 0) {
        return null;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
