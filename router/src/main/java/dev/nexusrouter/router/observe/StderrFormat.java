package dev.nexusrouter.router.observe;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per log record on stderr: an RFC 3339 UTC timestamp (stderr often goes to a file or a
 * container log without one), the level, the message, and the exception's chain of causes as {@code
 * type: message} pairs. Never a stack trace: a log line must say what failed and why (e.g.
 * Undertow's {@code UT005001} with the I/O error behind it) without burying the next line.
 */
public final class StderrFormat extends Formatter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final int MAX_CAUSES = 5;

  private final Clock clock;

  public StderrFormat(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String format(LogRecord r) {
    Instant at = r.getInstant() != null ? r.getInstant() : clock.instant();
    StringBuilder sb = new StringBuilder(160);
    sb.append(TIME.format(at))
        .append(" nexus-router ")
        .append(r.getLevel().getName().toLowerCase(Locale.ROOT))
        .append(": ")
        .append(oneLine(formatMessage(r)));
    appendCauses(sb, r.getThrown());
    return sb.append(System.lineSeparator()).toString();
  }

  static void appendCauses(StringBuilder sb, Throwable thrown) {
    int n = 0;
    for (Throwable t = thrown; t != null && n < MAX_CAUSES; t = t.getCause(), n++) {
      sb.append(n == 0 ? ": " : "; caused by ").append(t.getClass().getName());
      if (t.getMessage() != null) {
        sb.append(": ").append(oneLine(t.getMessage()));
      }
      if (t.getCause() == t) {
        break;
      }
    }
  }

  /**
   * Multi-line messages (a config report) keep their lines; control characters that could forge a
   * line are escaped.
   */
  private static String oneLine(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad = c < 0x20 && c != '\n' && c != '\t' || c == 0x7f;
      if (bad && out == null) {
        out = new StringBuilder(s.substring(0, i));
      }
      if (out != null) {
        out.append(bad ? String.format(Locale.ROOT, "\\x%02X", (int) c) : String.valueOf(c));
      }
    }
    return out == null ? s : out.toString();
  }
}
