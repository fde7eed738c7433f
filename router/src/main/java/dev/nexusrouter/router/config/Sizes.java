package dev.nexusrouter.router.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Byte sizes and durations in the forms nginx users know: {@code 1g}, {@code 512m}, {@code 3600s}.
 */
public final class Sizes {
  /** The longest duration accepted: about 292 years still fits in a long of milliseconds. */
  static final Duration MAX_DURATION = Duration.ofMillis(Long.MAX_VALUE);

  /** {@link #parseBytes} of a size beyond {@link Long#MAX_VALUE} bytes. */
  public static final long TOO_LARGE = -2;

  private Sizes() {}

  /**
   * Parses {@code 0}, {@code 1024}, {@code 64k}, {@code 512m}, {@code 1g}, {@code 2t} (powers of
   * 1024, case-insensitive, optional trailing {@code b}). {@code 0}, {@code off} and {@code
   * unlimited} mean no limit and return 0. Returns -1 when the text is not a size, {@link
   * #TOO_LARGE} when it does not fit in a long.
   */
  public static long parseBytes(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("off") || s.equals("unlimited") || s.equals("none")) {
      return 0;
    }
    if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
      s = s.substring(0, s.length() - 1);
    }
    long mult = 1;
    char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
    switch (last) {
      case 'k' -> mult = 1L << 10;
      case 'm' -> mult = 1L << 20;
      case 'g' -> mult = 1L << 30;
      case 't' -> mult = 1L << 40;
      default -> mult = 1;
    }
    String digits = mult == 1 ? s : s.substring(0, s.length() - 1);
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 15) {
      return -1;
    }
    long n = Long.parseLong(digits);
    return n > Long.MAX_VALUE / mult ? TOO_LARGE : n * mult;
  }

  /**
   * Parses {@code 300ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}; a bare number means
   * seconds, as in nginx. Returns null when the text is not a duration or is too long to count in
   * milliseconds.
   */
  public static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    String unit;
    String digits;
    if (s.endsWith("ms")) {
      unit = "ms";
      digits = s.substring(0, s.length() - 2);
    } else if (!s.isEmpty() && "smhd".indexOf(s.charAt(s.length() - 1)) >= 0) {
      unit = s.substring(s.length() - 1);
      digits = s.substring(0, s.length() - 1);
    } else {
      unit = "s";
      digits = s;
    }
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 12) {
      return null;
    }
    long n = Long.parseLong(digits);
    Duration d =
        switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    // every user converts to milliseconds; 999999999999d would overflow there
    return d.compareTo(MAX_DURATION) > 0 ? null : d;
  }

  /** The nginx-style text for a duration, used by {@code /routes} and docs. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    return (ms / 1000) + "s";
  }
}
