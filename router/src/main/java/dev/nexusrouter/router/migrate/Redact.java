package dev.nexusrouter.router.migrate;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets that nginx configurations carry (credentials injected with {@code proxy_set_header
 * Authorization}, API keys, {@code user:password@} in URLs, tokens in query strings) out of the
 * import report and its error messages, which users paste into tickets. See docs/migration.md.
 */
final class Redact {
  static final String MASK = "<redacted>";

  /** {@code scheme://user:password@host}: the user-info part. */
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/?#@\\s'\"]+@");

  /** A query parameter: {@code ?name=value} or {@code &name=value}. */
  private static final Pattern QUERY_PARAM =
      Pattern.compile("([?&])([^=&?#\\s'\";]+)=([^&#\\s'\";]*)");

  /** Words in a header or variable name that mark its value as a secret. */
  private static final List<String> SECRET_WORDS =
      List.of(
          "auth",
          "cookie",
          "key",
          "token",
          "secret",
          "password",
          "passwd",
          "credential",
          "signature",
          "session");

  private Redact() {}

  /** The directive as one line of nginx text, with secret values replaced by {@link #MASK}. */
  static String shown(Directive d) {
    if (d.args().size() >= 2 && carriesSecretValue(d)) {
      List<String> args = new java.util.ArrayList<>(d.args());
      for (int i = 1; i < args.size(); i++) {
        args.set(i, MASK);
      }
      return text(new Directive(d.name(), args, d.isBlock() ? List.of() : null, d.where()).text());
    }
    return text(d.text());
  }

  /**
   * Whether the directive's arguments after the first are a secret: a header the proxy sets whose
   * name suggests credentials, or whose value is an HTTP credential ({@code Basic …}, {@code Bearer
   * …}); a variable ({@code set $api_key …}) or {@code secure_link_secret}.
   */
  static boolean carriesSecretValue(Directive d) {
    String n = d.name().toLowerCase(Locale.ROOT);
    if (n.equals("secure_link_secret")) {
      return true;
    }
    boolean header =
        n.endsWith("_set_header") || n.equals("add_header") || n.equals("more_set_headers");
    boolean variable = n.equals("set");
    if (!header && !variable) {
      return false;
    }
    String name = d.arg(0).toLowerCase(Locale.ROOT);
    for (String w : SECRET_WORDS) {
      if (name.contains(w)) {
        return true;
      }
    }
    String value = d.arg(1).toLowerCase(Locale.ROOT).strip();
    return value.startsWith("basic ") || value.startsWith("bearer ") || value.startsWith("token ");
  }

  /** Free text (a URL, an error message) with URL user-info and secret query values masked. */
  static String text(String s) {
    String out =
        USER_INFO.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
    Matcher m = QUERY_PARAM.matcher(out);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + MASK));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
