package dev.nexusrouter.router.observe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;

/**
 * Formats one access-log line: nginx "combined" plus route, upstream and request time, or one JSON
 * object. Never includes Authorization, cookies or secret query parameters (their values become
 * {@code REDACTED}).
 */
public final class AccessLogFormat {
  private static final DateTimeFormatter CLF =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  /** One finished exchange, as the log sees it. */
  public record Entry(
      Instant time,
      String remoteAddr,
      String method,
      String uri,
      String query,
      String protocol,
      int status,
      long bytesSent,
      String referer,
      String userAgent,
      String route,
      String upstream,
      long durationMicros,
      String upstreamError) {}

  private final boolean json;
  private final ZoneId zone;

  public AccessLogFormat(String format, ZoneId zone) {
    this.json = format.equals("json");
    this.zone = zone;
  }

  public String format(Entry e) {
    String target =
        e.query() == null || e.query().isEmpty() ? e.uri() : e.uri() + "?" + redactQuery(e.query());
    return json ? json(e, target) : combined(e, target);
  }

  private String combined(Entry e, String target) {
    StringBuilder sb = new StringBuilder(200);
    sb.append(e.remoteAddr())
        .append(" - - [")
        .append(CLF.format(e.time().atZone(zone)))
        .append("] \"");
    sb.append(clean(e.method())).append(' ').append(clean(target)).append(' ').append(e.protocol());
    sb.append("\" ").append(e.status()).append(' ').append(e.bytesSent());
    sb.append(" \"")
        .append(clean(orDash(redactUrl(e.referer()))))
        .append("\" \"")
        .append(clean(orDash(e.userAgent())));
    sb.append("\" route=").append(e.route()).append(" upstream=").append(e.upstream());
    sb.append(" rt=").append(seconds(e.durationMicros()));
    if (e.upstreamError() != null) {
      sb.append(" err=").append(e.upstreamError());
    }
    return sb.toString();
  }

  private static String json(Entry e, String target) {
    StringBuilder sb = new StringBuilder(256);
    sb.append('{');
    field(sb, "time", e.time().toString()).append(',');
    field(sb, "remote_addr", e.remoteAddr()).append(',');
    field(sb, "method", e.method()).append(',');
    field(sb, "uri", target).append(',');
    field(sb, "protocol", e.protocol()).append(',');
    sb.append("\"status\":").append(e.status()).append(',');
    sb.append("\"bytes_sent\":").append(e.bytesSent()).append(',');
    field(sb, "referer", orDash(redactUrl(e.referer()))).append(',');
    field(sb, "user_agent", orDash(e.userAgent())).append(',');
    field(sb, "route", e.route()).append(',');
    field(sb, "upstream", e.upstream()).append(',');
    sb.append("\"request_time\":").append(seconds(e.durationMicros()));
    if (e.upstreamError() != null) {
      sb.append(',');
      field(sb, "upstream_error", e.upstreamError());
    }
    return sb.append('}').toString();
  }

  private static StringBuilder field(StringBuilder sb, String name, String value) {
    sb.append('"').append(name).append("\":\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"');
  }

  private static String seconds(long micros) {
    return String.format(Locale.ROOT, "%.3f", micros / 1_000_000.0);
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** Escapes quotes and control characters so a hostile header cannot forge log lines. */
  private static String clean(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == 0x7f) {
        if (sb == null) {
          sb = new StringBuilder(s.substring(0, i));
        }
        sb.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * Replaces the value of every parameter whose name suggests a secret. Parameters are split on
   * {@code &} and {@code ;} (both are used as separators), and names are compared after
   * percent-decoding, so {@code %74oken=} is caught like {@code token=}.
   */
  static String redactQuery(String query) {
    StringBuilder sb = new StringBuilder(query.length());
    int start = 0;
    for (int i = 0; i <= query.length(); i++) {
      if (i == query.length() || query.charAt(i) == '&' || query.charAt(i) == ';') {
        String part = query.substring(start, i);
        int eq = part.indexOf('=');
        if (eq >= 0 && isSecret(decodedName(part.substring(0, eq)))) {
          sb.append(part, 0, eq + 1).append("REDACTED");
        } else {
          sb.append(part);
        }
        if (i < query.length()) {
          sb.append(query.charAt(i));
        }
        start = i + 1;
      }
    }
    return sb.toString();
  }

  /**
   * A Referer is a URL the client visited, and may carry the same secrets in its query: redacted
   * the same way. Its user-info ({@code https://user:pass@host/}) is dropped.
   */
  static String redactUrl(String url) {
    if (url == null) {
      return null;
    }
    String u = url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@", "$1");
    int q = u.indexOf('?');
    if (q < 0) {
      return u;
    }
    int hash = u.indexOf('#', q);
    String query = hash < 0 ? u.substring(q + 1) : u.substring(q + 1, hash);
    return u.substring(0, q + 1) + redactQuery(query) + (hash < 0 ? "" : u.substring(hash));
  }

  private static String decodedName(String raw) {
    String name = raw;
    if (raw.indexOf('%') >= 0 || raw.indexOf('+') >= 0) {
      try {
        name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        name = raw; // a broken escape: judge the raw name
      }
    }
    return name.trim().toLowerCase(Locale.ROOT);
  }

  private static final Set<String> SECRET_NAMES =
      Set.of("code", "sig", "auth", "key", "jwt", "pwd", "pass", "passwd", "session", "sid");

  private static boolean isSecret(String name) {
    String compact = name.replace("_", "").replace("-", "");
    return SECRET_NAMES.contains(name)
        || compact.contains("token")
        || compact.contains("password")
        || compact.contains("secret")
        || compact.contains("signature")
        || compact.contains("credential")
        || compact.contains("apikey")
        || compact.contains("session")
        || compact.contains("jwt")
        || compact.endsWith("key")
        || compact.endsWith("pass");
  }
}
